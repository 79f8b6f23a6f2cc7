import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { identityContract, paymentsContract, type CommandResult } from '@ledger/contracts';
import { base32Decode, totp } from '@ledger/crypto';
import { PaymentsHarness, type Payer } from '../harness/payments-harness';

jest.setTimeout(180_000);

/** The device the payer has paid from with the dynamic code, so payments from it are from a known device. */
const HOME_DEVICE = 'phone-home';

/**
 * The second factor protecting money, over the real broker and stores: payments forwards the
 * payer's dynamic code, the amount and whether the device is new with the payment-password check,
 * and identity (booted in this process with the wallet on one topic prefix) asks a user whose TOTP
 * is on for it above ¥500 and on any payment from a device the user has never paid from. A refusal
 * fails the payment with identity's code, before any money is reserved.
 */
describe('payments protected by the second factor', () => {
  let h: PaymentsHarness;
  let payer: Payer;
  /** The payer's authenticator: its current code by identity's (test) clock. */
  let code: () => string;
  let recoveryCodes: string[];

  beforeAll(async () => {
    h = await PaymentsHarness.start('pay_second_factor');
    payer = await h.payer('200000');
    const me = `user:${payer.userId}`;
    const options = { key: payer.userId };
    const enabled = await h.identity.send(identityContract.enableSecondFactor, { userId: payer.userId }, me, options);
    if (enabled.status !== 'accepted') throw new Error(`enable: ${enabled.code}`);
    const uri = h.identity.dec('provisioningUri', String(enabled.data?.['provisioningUri']));
    const secret = base32Decode(/secret=([A-Z2-7]+)/.exec(uri)![1]!);
    code = () => totp(secret, h.identity.clock.now().getTime());
    const confirmed = await h.identity.send(
      identityContract.confirmSecondFactor,
      { userId: payer.userId, secondFactorCode: h.identity.enc('secondFactorCode', code()) },
      me,
      options,
    );
    if (confirmed.status !== 'accepted') throw new Error(`confirm: ${confirmed.code}`);
    recoveryCodes = JSON.parse(h.identity.dec('recoveryCodes', String(confirmed.data?.['recoveryCodes']))) as string[];
  });

  afterAll(async () => {
    await h?.stop();
  });

  const money = async () => {
    const { totalMinor, heldMinor, availableMinor } = await h.balance(payer.walletId);
    return { totalMinor, heldMinor, availableMinor };
  };
  const wrongCode = () => String((Number(code()) + 500_000) % 1_000_000).padStart(6, '0');

  const pay = (
    amountMinor: string,
    options: { secondFactorCode?: string; deviceId?: string; password?: string; paymentId?: string } = {},
  ): Promise<CommandResult> => {
    const paymentId = options.paymentId ?? randomUUID();
    return h.send(
      paymentsContract.payMerchant,
      {
        paymentId,
        userId: payer.userId,
        walletId: payer.walletId,
        merchantId: 'm-canteen',
        channel: 'qr',
        amountMinor,
        description: 'dinner',
        deviceId: options.deviceId ?? HOME_DEVICE,
        paymentPassword: h.password(options.password),
        ...(options.secondFactorCode === undefined
          ? {}
          : { secondFactorCode: h.identity.enc('secondFactorCode', options.secondFactorCode) }),
      },
      paymentId,
      `user:${payer.userId}`,
    );
  };

  it('asks for the dynamic code on the first payment from a device the user never paid from, however small', async () => {
    const before = await money();
    const refused = await pay('100', { deviceId: 'phone-stolen' });
    expect(refused).toMatchObject({
      status: 'rejected',
      code: 'SECOND_FACTOR_REQUIRED',
      details: { operation: 'payment', status: 'failed', holdReleased: false },
    });
    expect(await money()).toEqual(before);
    // Refused once, the stolen phone is still new: its next small payment is asked for the code again.
    expect(await pay('100', { deviceId: 'phone-stolen' })).toMatchObject({ status: 'rejected', code: 'SECOND_FACTOR_REQUIRED' });
    expect(await money()).toEqual(before);
    // With the code, the first payment from the home device goes through and makes it known.
    expect(await pay('100', { secondFactorCode: code() })).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
  });

  it('above the threshold without a code: the payment fails SECOND_FACTOR_REQUIRED and nothing moves', async () => {
    const before = await money();
    const paymentId = randomUUID();
    const refused = await pay('60000', { paymentId });
    expect(refused).toMatchObject({
      status: 'rejected',
      code: 'SECOND_FACTOR_REQUIRED',
      details: { paymentId, status: 'failed', holdReleased: false },
    });
    expect(await money()).toEqual(before);
    // A definite failure, recorded on the payment, and no hold was ever asked for.
    expect(await h.send(paymentsContract.getPayment, { paymentId }, paymentId)).toMatchObject({
      status: 'accepted',
      data: { status: 'failed', failure: { code: 'SECOND_FACTOR_REQUIRED' } },
    });
    const types = (await h.paymentsStore.readStream(`payment-${paymentId}`)).map((e) => e.type);
    expect(types).not.toContain('payments.PaymentFundsReserved.v1');
    expect(types.at(-1)).toBe('payments.PaymentFailed.v1');
    const holds = (await h.walletStore.readStream(`wallet-${payer.walletId}`)).filter((e) => e.data.holdId === `payment-${paymentId}`);
    expect(holds).toEqual([]);
  });

  it('above the threshold with a valid TOTP code: the payment completes, and the code never reaches its history', async () => {
    const before = BigInt((await money()).totalMinor);
    const paymentId = randomUUID();
    expect(await pay('60000', { paymentId, secondFactorCode: code() })).toMatchObject({
      status: 'accepted',
      data: { paymentId, status: 'completed', amountMinor: '60000' },
    });
    expect(await money()).toMatchObject({ totalMinor: String(before - 60_000n), heldMinor: '0' });
    const events = await h.paymentsStore.readStream(`payment-${paymentId}`);
    expect(JSON.stringify(events.map((e) => e.data))).not.toMatch(/enc:v1:|seal:v1:/);
  });

  it('at or below the threshold from a known device: the payment password alone completes it', async () => {
    const before = BigInt((await money()).totalMinor);
    expect(await pay('50000')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(await pay('2000')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(BigInt((await money()).totalMinor)).toBe(before - 52_000n);
  });

  it('a wrong code fails the payment INVALID_SECOND_FACTOR with attemptsLeft; a wrong password is checked first and costs no code attempt', async () => {
    const before = await money();
    expect(await pay('60000', { secondFactorCode: wrongCode() })).toMatchObject({
      status: 'rejected',
      code: 'INVALID_SECOND_FACTOR',
      details: { attemptsLeft: 4, status: 'failed' },
    });
    expect(await pay('60000', { secondFactorCode: wrongCode(), password: '135792' })).toMatchObject({
      status: 'rejected',
      code: 'WRONG_PAYMENT_PASSWORD',
      details: { attemptsLeft: 4, status: 'failed' },
    });
    // Still one wrong code counted, not two.
    expect(await pay('60000', { secondFactorCode: wrongCode() })).toMatchObject({
      status: 'rejected',
      code: 'INVALID_SECOND_FACTOR',
      details: { attemptsLeft: 3 },
    });
    expect(await money()).toEqual(before);
  });

  it('a recovery code stands in for the dynamic code once', async () => {
    const recovery = recoveryCodes[0]!;
    expect(await pay('60000', { secondFactorCode: recovery })).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(await pay('60000', { secondFactorCode: recovery })).toMatchObject({ status: 'rejected', code: 'INVALID_SECOND_FACTOR' });
    expect(await h.ledger()).toMatchObject({ ok: true, sumMinor: '0' });
  });
});
