import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { openSealedField, openingKeysFromEnv, sealField, sealingKeyFromEnv } from '@ledger/crypto';
import { paymentsContract, type CommandResult } from '@ledger/contracts';
import { PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';

jest.setTimeout(180_000);

const SUPERVISOR = 'supervisor:sup-1';

/**
 * The merchant and biller registry as data, over the real broker and store: a supervisor onboards,
 * re-channels, suspends and resumes a merchant and payments follow at once (and after a restart);
 * API keys are issued once, checked by hash and revoked; a merchant refunds only its own payments,
 * at most what is left, and lists them; a user looks a bill up.
 */
describe('the merchant and biller registry', () => {
  let h: PaymentsHarness;
  let payer: Payer;
  const merchantId = `m-tea-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    h = await PaymentsHarness.start('registry');
    payer = await h.payer('50000');
  });

  afterAll(async () => {
    await h?.stop();
  });

  const pay = (merchant: string, channel: 'qr' | 'pos' | 'online', amountMinor = '1000') => {
    const paymentId = randomUUID();
    return h.send(
      paymentsContract.payMerchant,
      {
        paymentId,
        userId: payer.userId,
        walletId: payer.walletId,
        merchantId: merchant,
        channel,
        amountMinor,
        description: 'tea',
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(),
      },
      paymentId,
      `user:${payer.userId}`,
    );
  };
  const failureOf = (result: CommandResult) => (result.status === 'rejected' ? result.code : 'completed');
  const supervise = <C extends (typeof paymentsContract.COMMANDS)[number]>(contract: C, payload: Parameters<typeof h.send<C>>[1]) =>
    h.send(contract, payload, merchantId, SUPERVISOR);

  it('is seeded with the launch merchants and billers, and lists who takes the wallet', async () => {
    const listed = await h.send(paymentsContract.listPartners, {}, 'registry', 'anonymous');
    expect(listed).toMatchObject({ status: 'accepted' });
    const data = (listed as unknown as { data: { merchants: Array<{ merchantId: string }>; billers: Array<{ billerId: string }> } }).data;
    expect(data.merchants.map((m) => m.merchantId)).toEqual(expect.arrayContaining(['m-canteen', 'm-coffee', 'm-bookshop']));
    // Suspended at the seed: it does not take the wallet.
    expect(data.merchants.map((m) => m.merchantId)).not.toContain('m-cash-only');
    expect(data.billers.map((b) => b.billerId)).toEqual(['b-mobile', 'b-power', 'b-water']);
  });

  it('onboards a merchant that then takes payments on its channels; suspended, it takes none until resumed, even after a restart', async () => {
    expect(await pay(merchantId, 'qr')).toMatchObject({ status: 'rejected', code: 'MERCHANT_NOT_SUPPORTED' });
    const onboarded = await supervise(paymentsContract.onboardMerchant, {
      merchantId,
      name: '茶馆',
      channels: ['qr'],
      settlement: 'wallet',
      settlementAccount: '6222 0000 1111',
    });
    expect(onboarded).toMatchObject({ status: 'accepted', data: { merchantId, channels: ['qr'], suspended: false, apiKeys: [] } });
    expect(failureOf(await pay(merchantId, 'qr'))).toBe('completed');
    expect(failureOf(await pay(merchantId, 'pos'))).toBe('CHANNEL_NOT_SUPPORTED');
    expect(await supervise(paymentsContract.changeMerchantChannels, { merchantId, channels: ['qr', 'pos'] })).toMatchObject({
      status: 'accepted',
    });
    expect(failureOf(await pay(merchantId, 'pos'))).toBe('completed');
    expect(await supervise(paymentsContract.suspendMerchant, { merchantId, reason: 'chargebacks' })).toMatchObject({
      status: 'accepted',
      data: { suspended: true },
    });
    await h.stopPayments();
    await h.startPayments();
    expect(failureOf(await pay(merchantId, 'qr'))).toBe('MERCHANT_NOT_SUPPORTED');
    expect(await supervise(paymentsContract.suspendMerchant, { merchantId, reason: 'again' })).toMatchObject({ code: 'ALREADY_SUSPENDED' });
    expect(await supervise(paymentsContract.resumeMerchant, { merchantId })).toMatchObject({ status: 'accepted' });
    expect(failureOf(await pay(merchantId, 'qr'))).toBe('completed');
    // Only a supervisor keeps the registry.
    expect(await h.send(paymentsContract.suspendMerchant, { merchantId, reason: 'x' }, merchantId, `user:${payer.userId}`)).toMatchObject({
      status: 'rejected',
      code: 'FORBIDDEN',
    });
  });

  it('issues an API key once (only its hash is kept), checks it, and refuses it once revoked', async () => {
    const issued = await supervise(paymentsContract.issueMerchantApiKey, { merchantId });
    expect(issued).toMatchObject({ status: 'accepted', data: { merchantId, keyId: expect.stringMatching(/^[a-z0-9]{12}$/) } });
    const { keyId, apiKey } = (issued as unknown as { data: { keyId: string; apiKey: string } }).data;
    const key = openSealedField(apiKey, openingKeysFromEnv(process.env, 'gateway'), paymentsContract.secretAad('merchantApiKey'));
    expect(key).toMatch(new RegExp(`^mk_${keyId}_[a-z0-9]{32}$`));
    const sealed = (plain: string) =>
      sealField(plain, sealingKeyFromEnv(process.env, 'payments'), paymentsContract.secretAad('merchantApiKey'));
    const authenticate = (plain: string, merchant = merchantId) =>
      h.send(paymentsContract.authenticateMerchant, { merchantId: merchant, apiKey: sealed(plain) }, merchant, 'anonymous');
    expect(await authenticate(key)).toMatchObject({ status: 'accepted', data: { merchantId, keyId } });
    expect(await authenticate(key, 'm-canteen')).toMatchObject({ code: 'MERCHANT_KEY_INVALID' });
    expect(await authenticate(`${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`)).toMatchObject({ code: 'MERCHANT_KEY_INVALID' });
    // The registry stream holds the key's hash, never the key.
    const events = await h.paymentsStore.readStream(`registry-merchant.${merchantId}`);
    expect(JSON.stringify(events.map((event) => event.data))).not.toContain(key.slice(16));
    expect(await supervise(paymentsContract.revokeMerchantApiKey, { merchantId, keyId })).toMatchObject({ status: 'accepted' });
    expect(await authenticate(key)).toMatchObject({ code: 'MERCHANT_KEY_INVALID' });
  });

  it('lets a merchant refund only its own payments, at most what is left, and list them with their refunds', async () => {
    const own = await pay(merchantId, 'qr', '3000');
    const other = await pay('m-canteen', 'qr', '500');
    const ownId = (own as unknown as { data: { paymentId: string } }).data.paymentId;
    const otherId = (other as unknown as { data: { paymentId: string } }).data.paymentId;
    const refund = (paymentId: string, amountMinor: string, actor = `merchant:${merchantId}`) => {
      const refundId = randomUUID();
      return h.send(paymentsContract.refundPayment, { refundId, paymentId, amountMinor, reason: 'returned' }, paymentId, actor);
    };
    expect(await refund(ownId, '1000')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(await refund(ownId, '2500')).toMatchObject({
      status: 'rejected',
      code: 'REFUND_EXCEEDS_PAYMENT',
      details: { refundableMinor: '2000' },
    });
    expect(await refund(otherId, '100')).toMatchObject({ status: 'rejected', code: 'NOT_MERCHANTS_PAYMENT' });
    expect(await refund(otherId, '100', 'merchant:m-canteen')).toMatchObject({ status: 'accepted' });
    // A merchant lists its own payments and the refunds of them (the read model trails a moment).
    const listed = await h.until(
      () => h.send(paymentsContract.listMerchantPayments, { merchantId, limit: 100 }, merchantId, `merchant:${merchantId}`),
      (result) => result.status === 'accepted' && JSON.stringify(result.data).includes('"refund"'),
    );
    const payments = (listed as unknown as { data: { payments: Array<{ paymentId: string; kind: string; amountMinor: string }> } }).data
      .payments;
    expect(payments.filter((p) => p.kind === 'refund').map((p) => p.amountMinor)).toEqual(['1000']);
    expect(payments.map((p) => p.paymentId)).toContain(ownId);
    expect(payments.map((p) => p.paymentId)).not.toContain(otherId);
    expect(
      await h.send(paymentsContract.listMerchantPayments, { merchantId: 'm-canteen' }, 'm-canteen', `merchant:${merchantId}`),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('looks a bill up at a biller that takes payments, and refuses a suspended biller', async () => {
    const lookUp = () =>
      h.send(
        paymentsContract.lookUpBill,
        { billerId: 'b-mobile', billReference: h.billReference('13800001111') },
        'b-mobile',
        `user:${payer.userId}`,
      );
    expect(await lookUp()).toMatchObject({ status: 'accepted', data: { billerId: 'b-mobile', found: true, exactAmount: false } });
    expect(
      await h.send(paymentsContract.suspendBiller, { billerId: 'b-mobile', reason: 'maintenance' }, 'b-mobile', SUPERVISOR),
    ).toMatchObject({
      status: 'accepted',
    });
    expect(await lookUp()).toMatchObject({ code: 'BILLER_NOT_SUPPORTED' });
    expect(await h.send(paymentsContract.resumeBiller, { billerId: 'b-mobile' }, 'b-mobile', SUPERVISOR)).toMatchObject({
      status: 'accepted',
    });
    expect(await lookUp()).toMatchObject({ status: 'accepted' });
  });
});
