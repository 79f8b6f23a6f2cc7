import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { identityContract, paymentsContract, type CommandResult } from '@ledger/contracts';
import { TEST_CARDS } from '@ledger/util/testing';
import { PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';

jest.setTimeout(180_000);

type Accepted = Extract<CommandResult, { status: 'accepted' }>;
const postingsOf = (result: CommandResult) =>
  ((result as Accepted).data?.postings ?? []) as Array<{ account: string; amountMinor: string }>;

/** Top-up from a bound card (real cards service) and transfers by phone, across identity, cards, wallet and payments. */
describe('top-up and transfer across identity, cards, wallet and payments', () => {
  let h: PaymentsHarness;
  let alice: Payer;
  let bob: Payer;

  beforeAll(async () => {
    h = await PaymentsHarness.start('pay_topup', {}, true);
    alice = await h.payer('10000');
    bob = await h.payer('100');
  });

  afterAll(async () => {
    await h?.stop();
  });

  const money = async (walletId: string) => {
    const { totalMinor, heldMinor, availableMinor } = await h.balance(walletId);
    return { totalMinor, heldMinor, availableMinor };
  };

  it('tops up from a bound card: card checked and charged, wallet credited from clearing:card:ICBC', async () => {
    const bound = await h.cards!.bind(alice.userId, TEST_CARDS.zhangSanDebit);
    expect(bound).toMatchObject({ status: 'accepted' });
    const cardId = String((bound as Accepted).data?.cardId);
    const before = BigInt((await h.balance(alice.walletId)).totalMinor);
    const paymentId = randomUUID();
    const topUp = () =>
      h.send(
        paymentsContract.topUpFromCard,
        { paymentId, userId: alice.userId, walletId: alice.walletId, cardId, amountMinor: '5000' },
        paymentId,
        `user:${alice.userId}`,
      );
    const result = await topUp();
    expect(result).toMatchObject({ status: 'accepted', data: { status: 'completed', kind: 'topup' } });
    expect(postingsOf(result)).toEqual(
      expect.arrayContaining([
        { account: 'clearing:card:ICBC', amountMinor: '-5000' },
        { account: `wallet:${alice.walletId}`, amountMinor: '5000' },
      ]),
    );
    expect(BigInt((await h.balance(alice.walletId)).totalMinor)).toBe(before + 5000n);
    expect(h.issuer.moved('charge', `topup-${paymentId}`)).toBe(5000n);
    // The same top-up again: the original outcome, no second charge, no second credit.
    expect(await topUp()).toMatchObject({ status: 'accepted', data: (result as Accepted).data });
    expect(BigInt((await h.balance(alice.walletId)).totalMinor)).toBe(before + 5000n);
    expect(h.issuer.calls.filter((call) => call.reference === `topup-${paymentId}`)).toHaveLength(1);

    const unknownCard = randomUUID();
    expect(
      await h.send(
        paymentsContract.topUpFromCard,
        { paymentId: unknownCard, userId: alice.userId, walletId: alice.walletId, cardId: 'no-such-card', amountMinor: '5000' },
        unknownCard,
        `user:${alice.userId}`,
      ),
    ).toMatchObject({
      status: 'rejected',
      code: 'CARD_NOT_FOUND',
    });
  });

  it('withdraws to a bound card: reserve → payout → capture to clearing:card:ICBC; a declined payout releases the hold', async () => {
    const cards = await h.cards!.list(alice.userId, (list) => list.length > 0);
    const cardId = cards[0]!.cardId;
    const before = BigInt((await h.balance(alice.walletId)).totalMinor);
    const withdraw = (paymentId: string, amountMinor: string) =>
      h.send(
        paymentsContract.withdraw,
        {
          paymentId,
          userId: alice.userId,
          walletId: alice.walletId,
          cardId,
          amountMinor,
          deviceId: TEST_DEVICE,
          paymentPassword: h.password(),
        },
        paymentId,
        `user:${alice.userId}`,
      );
    const paymentId = randomUUID();
    const result = await withdraw(paymentId, '1200');
    expect(result).toMatchObject({ status: 'accepted', data: { status: 'completed', kind: 'withdrawal' } });
    expect(postingsOf(result)).toEqual(
      expect.arrayContaining([
        { account: `wallet:${alice.walletId}`, amountMinor: '-1200' },
        { account: 'clearing:card:ICBC', amountMinor: '1200' },
      ]),
    );
    expect(h.issuer.moved('payout', `withdrawal-${paymentId}`)).toBe(1200n);
    expect(BigInt((await h.balance(alice.walletId)).totalMinor)).toBe(before - 1200n);

    h.issuer.declineNext(1, 'issuer_declined', { operation: 'payout' });
    try {
      const declined = await withdraw(randomUUID(), '300');
      expect(declined).toMatchObject({ status: 'rejected', code: 'CARD_PAYOUT_DECLINED', details: { holdReleased: true } });
      expect(await money(alice.walletId)).toMatchObject({ totalMinor: String(before - 1200n), heldMinor: '0' });
    } finally {
      h.issuer.reset();
    }
  });

  it('transfers by phone: sender reserved, recipient credited, hold captured; clearing:transfer nets to zero', async () => {
    const senderBefore = BigInt((await h.balance(alice.walletId)).totalMinor);
    const paymentId = randomUUID();
    const result = await h.send(
      paymentsContract.transfer,
      {
        paymentId,
        userId: alice.userId,
        walletId: alice.walletId,
        recipientPhone: h.recipientPhone(bob.phone),
        amountMinor: '700',
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(),
      },
      paymentId,
      `user:${alice.userId}`,
    );
    expect(result).toMatchObject({ status: 'accepted', data: { status: 'completed', kind: 'transfer' } });
    const postings = postingsOf(result);
    const net = (account: string) => postings.filter((p) => p.account === account).reduce((sum, p) => sum + BigInt(p.amountMinor), 0n);
    expect(net('clearing:transfer')).toBe(0n);
    expect(net(`wallet:${alice.walletId}`)).toBe(-700n);
    expect(net(`wallet:${bob.walletId}`)).toBe(700n);
    expect(BigInt((await h.balance(alice.walletId)).totalMinor)).toBe(senderBefore - 700n);
    expect(await money(bob.walletId)).toMatchObject({ totalMinor: '800', heldMinor: '0' });
    expect(await h.ledger()).toMatchObject({ ok: true, sumMinor: '0' });

    // At rest the payment's events hold the phone encrypted, masked and fingerprinted, never in plain text.
    const stored = await h.paymentsStore.readStream(`payment-${paymentId}`);
    const text = JSON.stringify(stored.map((event) => event.data));
    expect(text).not.toContain(bob.phone);
    expect(text).toContain('enc:v1:');
    expect(text).toContain(`${bob.phone.slice(0, 3)}****${bob.phone.slice(-4)}`);
    expect(result).toMatchObject({ data: { recipientPhoneMasked: `${bob.phone.slice(0, 3)}****${bob.phone.slice(-4)}` } });
  });

  it('transfer failures: RECIPIENT_NOT_FOUND, SELF_TRANSFER, INSUFFICIENT_FUNDS — nothing moves', async () => {
    const before = await money(alice.walletId);
    const send = (recipientPhone: string, amountMinor = '100') => {
      const paymentId = randomUUID();
      return h.send(
        paymentsContract.transfer,
        {
          paymentId,
          userId: alice.userId,
          walletId: alice.walletId,
          recipientPhone: h.recipientPhone(recipientPhone),
          amountMinor,
          deviceId: TEST_DEVICE,
          paymentPassword: h.password(),
        },
        paymentId,
        `user:${alice.userId}`,
      );
    };
    expect(await send('13000000001')).toMatchObject({ status: 'rejected', code: 'RECIPIENT_NOT_FOUND' });
    expect(await send(alice.phone)).toMatchObject({ status: 'rejected', code: 'SELF_TRANSFER' });
    expect(await send(bob.phone, '9999999')).toMatchObject({ status: 'rejected', code: 'LIMIT_EXCEEDED' });
    expect(await send(bob.phone, '50000')).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_FUNDS' });
    expect(await money(alice.walletId)).toEqual(before);
  });

  it('a recipient whose wallet is not open: RECIPIENT_WALLET_UNAVAILABLE', async () => {
    const phone = `139${String(Date.now()).slice(-8)}`;
    await h.identity.register(phone);
    // Identity finds a user by phone in its read model, which trails the registration by a moment.
    await h.until(
      () =>
        h.send(identityContract.findUserByPhone, { phone: h.identity.enc('phone', phone) }, h.identity.phoneKey(phone), 'system:payments'),
      (found) => found.status === 'accepted',
    );
    const paymentId = randomUUID();
    const result = await h.send(
      paymentsContract.transfer,
      {
        paymentId,
        userId: alice.userId,
        walletId: alice.walletId,
        recipientPhone: h.recipientPhone(phone),
        amountMinor: '100',
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(),
      },
      paymentId,
      `user:${alice.userId}`,
    );
    expect(result).toMatchObject({ status: 'rejected', code: 'RECIPIENT_WALLET_UNAVAILABLE', details: { reason: 'WALLET_NOT_OPEN' } });
  });
});
