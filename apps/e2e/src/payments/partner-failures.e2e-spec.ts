import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { paymentsContract, walletContract, type CommandResult } from '@ledger/contracts';
import { DEFAULT_BREAKER, DEFAULT_PARTNER_RETRY } from '@ledger/partners-http';
import { TEST_CARDS } from '@ledger/util/testing';
import { PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';

jest.setTimeout(180_000);

type Accepted = Extract<CommandResult, { status: 'accepted' }>;
const OUTCOMES = new Set([paymentsContract.EVENT_TYPES.PaymentCompleted, paymentsContract.EVENT_TYPES.PaymentFailed]);
/** Every attempt of one call through the adapter's bounded retries. */
const EVERY_ATTEMPT = DEFAULT_PARTNER_RETRY.attempts;

/**
 * Every failure a partner shows (a refusal, no answer, an answer lost after the work was done, a
 * duplicate or late callback, a bad signature), through the real HTTP adapters to the partner
 * simulator, for each payment kind that involves a partner: each payment ends in one definite
 * outcome, money moves at the partner at most once, and the wallet ledger sums to zero.
 */
describe('partner failures end every payment kind in a definite state, with nothing lost', () => {
  let h: PaymentsHarness;
  let payer: Payer;
  let cardId: string;

  beforeAll(async () => {
    h = await PaymentsHarness.start('pay_partners', { providerDeadlineMs: 3_000 }, true);
    payer = await h.payer('100000');
    const bound = await h.cards!.bind(payer.userId, TEST_CARDS.zhangSanDebit);
    cardId = String((bound as Accepted).data?.cardId);
  });

  afterEach(() => {
    h.partners.faults.clear();
    h.issuer.reset();
  });

  /** After a partner refused everything, its circuit is open: the next test waits until it lets a trial through. */
  const untilCircuitsHalfOpen = () => new Promise((resolve) => setTimeout(resolve, DEFAULT_BREAKER.openMs + 100));

  afterAll(async () => {
    if (h) {
      const ledger = await h.ledger();
      expect(ledger).toMatchObject({ ok: true, sumMinor: '0' });
    }
    await h?.stop();
  });

  const money = async () => {
    const { totalMinor, heldMinor } = await h.balance(payer.walletId);
    return { totalMinor: BigInt(totalMinor), heldMinor: BigInt(heldMinor) };
  };
  /** The outcome events of a payment: exactly one once it is decided. */
  const outcomes = async (paymentId: string) =>
    (await h.paymentsStore.readStream(`payment-${paymentId}`))
      .filter((event) => OUTCOMES.has(event.type as never))
      .map((event) => event.type);
  /** Sends, then (for an answer still pending) asks until the payment is decided. */
  const decided = async (paymentId: string, sent: CommandResult): Promise<CommandResult> =>
    sent.status === 'accepted' && sent.data?.status !== 'completed' && sent.data?.status !== 'failed'
      ? h.until(
          () => h.send(paymentsContract.getPayment, { paymentId }, paymentId),
          (result) => result.status === 'accepted' && (result.data?.status === 'completed' || result.data?.status === 'failed'),
          60_000,
        )
      : sent;

  const payMerchant = (paymentId: string, amountMinor: string) =>
    h.send(
      paymentsContract.payMerchant,
      {
        paymentId,
        userId: payer.userId,
        walletId: payer.walletId,
        // A merchant whose payments the acquirer confirms (the canteen's are the wallet's own).
        merchantId: 'm-bookshop',
        channel: 'online',
        amountMinor,
        description: 'lunch',
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(),
      },
      paymentId,
      `user:${payer.userId}`,
    );
  const topUp = (paymentId: string, amountMinor: string) =>
    h.send(
      paymentsContract.topUpFromCard,
      { paymentId, userId: payer.userId, walletId: payer.walletId, cardId, amountMinor },
      paymentId,
      `user:${payer.userId}`,
    );
  const withdraw = (paymentId: string, amountMinor: string) =>
    h.send(
      paymentsContract.withdraw,
      {
        paymentId,
        userId: payer.userId,
        walletId: payer.walletId,
        cardId,
        amountMinor,
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(),
      },
      paymentId,
      `user:${payer.userId}`,
    );
  const payBill = (paymentId: string, billReference: string, amountMinor: string) =>
    h.payBill(payer, { billerId: 'b-mobile', billReference, amountMinor, paymentId });

  describe('a merchant payment (the acquirer)', () => {
    it('refused: MERCHANT_DECLINED, the hold released', async () => {
      const before = await money();
      h.acquirer.declineAmounts.add(301n);
      try {
        const paymentId = randomUUID();
        expect(await payMerchant(paymentId, '301')).toMatchObject({
          status: 'rejected',
          code: 'MERCHANT_DECLINED',
          details: { holdReleased: true },
        });
        expect(await money()).toEqual(before);
        expect(await outcomes(paymentId)).toHaveLength(1);
      } finally {
        h.acquirer.declineAmounts.clear();
      }
    });

    it('an answer lost after the acquirer approved: asked again, the same approval, one authorization, paid once', async () => {
      const before = await money();
      const authorized = h.acquirer.authorizations;
      h.partners.faults.arm('acquirer', { mode: 'lose-answer' });
      const paymentId = randomUUID();
      expect(await payMerchant(paymentId, '303')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
      expect(h.acquirer.authorizations).toBe(authorized + 1);
      expect(await money()).toEqual({ totalMinor: before.totalMinor - 303n, heldMinor: 0n });
      expect(await outcomes(paymentId)).toHaveLength(1);
    });

    it('no answer at all: ACQUIRER_UNAVAILABLE, the hold released', async () => {
      const before = await money();
      h.partners.faults.arm('acquirer', { mode: 'unavailable' }, { count: 100 });
      const paymentId = randomUUID();
      expect(await payMerchant(paymentId, '302')).toMatchObject({
        status: 'rejected',
        code: 'ACQUIRER_UNAVAILABLE',
        details: { holdReleased: true },
      });
      expect(await money()).toEqual(before);
      expect(await outcomes(paymentId)).toHaveLength(1);
      await untilCircuitsHalfOpen();
    });
  });

  describe('a top-up from a card (the issuer charges)', () => {
    it('refused: CARD_CHARGE_DECLINED, nothing credited', async () => {
      const before = await money();
      h.issuer.declineNext(1, 'insufficient_funds', { operation: 'charge' });
      const paymentId = randomUUID();
      expect(await topUp(paymentId, '401')).toMatchObject({ status: 'rejected', code: 'CARD_CHARGE_DECLINED' });
      expect(await money()).toEqual(before);
      expect(h.issuer.moved('charge', `topup-${paymentId}`)).toBeUndefined();
    });

    it('charged, then the answer lost on the way (a timeout): the same reference asked again, credited once', async () => {
      const before = await money();
      h.issuer.failNext(1, 'timeout', { operation: 'charge', afterApplying: true });
      const paymentId = randomUUID();
      expect(await decided(paymentId, await topUp(paymentId, '402'))).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
      expect(h.issuer.moved('charge', `topup-${paymentId}`)).toBe(402n);
      expect(await money()).toEqual({ totalMinor: before.totalMinor + 402n, heldMinor: 0n });
      expect(await outcomes(paymentId)).toHaveLength(1);
    });

    it('a duplicate answer (the issuer answers a repeated request again): credited once', async () => {
      const before = await money();
      h.partners.faults.arm('issuer', { mode: 'lose-answer' }, { operation: 'charge' });
      const paymentId = randomUUID();
      expect(await topUp(paymentId, '403')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
      // The repeat was answered from the issuer's memory of the idempotency key: charged once.
      expect(h.issuer.calls.filter((call) => call.reference === `topup-${paymentId}`)).toHaveLength(1);
      expect(h.issuer.moved('charge', `topup-${paymentId}`)).toBe(403n);
      expect(await money()).toEqual({ totalMinor: before.totalMinor + 403n, heldMinor: 0n });
    });
  });

  describe('a withdrawal (the issuer pays out)', () => {
    it('refused: CARD_PAYOUT_DECLINED, the hold released', async () => {
      const before = await money();
      h.issuer.declineNext(1, 'issuer_declined', { operation: 'payout' });
      const paymentId = randomUUID();
      expect(await withdraw(paymentId, '501')).toMatchObject({
        status: 'rejected',
        code: 'CARD_PAYOUT_DECLINED',
        details: { holdReleased: true },
      });
      expect(await money()).toEqual(before);
    });

    it('an issuer that refuses for a while (a restart): the payment waits and pays out once when it is back', async () => {
      const before = await money();
      h.partners.faults.arm('issuer', { mode: 'unavailable' }, { operation: 'payout', count: 2 * EVERY_ATTEMPT });
      const paymentId = randomUUID();
      expect(await decided(paymentId, await withdraw(paymentId, '502'))).toMatchObject({
        status: 'accepted',
        data: { status: 'completed' },
      });
      expect(h.issuer.moved('payout', `withdrawal-${paymentId}`)).toBe(502n);
      expect(await money()).toEqual({ totalMinor: before.totalMinor - 502n, heldMinor: 0n });
      expect(await outcomes(paymentId)).toHaveLength(1);
    });

    it('paid out, then the answer lost: asked again with the same reference, paid out once', async () => {
      h.issuer.failNext(1, 'timeout', { operation: 'payout', afterApplying: true });
      const paymentId = randomUUID();
      expect(await decided(paymentId, await withdraw(paymentId, '503'))).toMatchObject({
        status: 'accepted',
        data: { status: 'completed' },
      });
      expect(h.issuer.calls.filter((call) => call.reference === `withdrawal-${paymentId}`).length).toBeGreaterThanOrEqual(2);
      expect(h.issuer.moved('payout', `withdrawal-${paymentId}`)).toBe(503n);
      expect(await outcomes(paymentId)).toHaveLength(1);
    });
  });

  describe('a bill (the biller)', () => {
    it('refused: BILLER_DECLINED, the hold released; unreachable at the bill check: BILLER_UNAVAILABLE, nothing held', async () => {
      const before = await money();
      h.biller.declineReferences.add('13900000001');
      try {
        expect(await payBill(randomUUID(), '13900000001', '601')).toMatchObject({
          status: 'rejected',
          code: 'BILLER_DECLINED',
          details: { holdReleased: true },
        });
      } finally {
        h.biller.declineReferences.clear();
      }
      h.partners.faults.arm('biller', { mode: 'unavailable' }, { operation: 'checkBill', count: 100 });
      expect(await payBill(randomUUID(), '13900000002', '602')).toMatchObject({ status: 'rejected', code: 'BILLER_UNAVAILABLE' });
      expect(await money()).toEqual(before);
      await untilCircuitsHalfOpen();
    });

    it('no answer from a biller that may have been paid: the hold stays, the biller is asked again, and the bill is paid once', async () => {
      const before = await money();
      // Three step attempts of three HTTP attempts each go unanswered; the persisted step timer asks again.
      h.partners.faults.arm('biller', { mode: 'timeout', delayMs: 2_500 }, { operation: 'payBill', count: 3 * EVERY_ATTEMPT });
      const paymentId = randomUUID();
      const sent = payBill(paymentId, '13900000003', '603');
      await h.until(
        () => h.send(walletContract.getBalance, { walletId: payer.walletId }, payer.walletId),
        (result) => result.status === 'accepted' && result.data?.heldMinor === '603',
        30_000,
      );
      expect(await decided(paymentId, await sent)).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
      expect(h.biller.paid.get(paymentId)).toBe(603n);
      expect(await money()).toEqual({ totalMinor: before.totalMinor - 603n, heldMinor: 0n });
      expect(await outcomes(paymentId)).toHaveLength(1);
    });
  });

  describe('a third-party top-up (the provider calls back)', () => {
    const start = (paymentId: string, amountMinor = '700') =>
      h.send(
        paymentsContract.providerTopUp,
        { paymentId, userId: payer.userId, walletId: payer.walletId, provider: 'alipay', amountMinor },
        paymentId,
        `user:${payer.userId}`,
      );
    const deliver = (callback: object) => h.send(paymentsContract.providerCallback, callback as never, 'callback', 'provider:alipay');

    it('a bad signature, a stale callback and a replayed one are refused and credit nothing; the genuine one credits once', async () => {
      const before = await money();
      const paymentId = randomUUID();
      await start(paymentId);
      const paid = { provider: 'alipay' as const, paymentId, amountMinor: '700', providerReference: `ali-${paymentId}` };
      expect(await deliver(h.partners.providers.callbackFor({ ...paid, tamper: 'bad-signature' }))).toMatchObject({
        code: 'INVALID_SIGNATURE',
      });
      expect(await deliver(h.partners.providers.callbackFor({ ...paid, tamper: 'stale' }))).toMatchObject({ code: 'CALLBACK_STALE' });
      const genuine = h.partners.providers.callbackFor(paid);
      expect(await decided(paymentId, await deliver(genuine))).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
      // The same callback copied and sent again: its nonce is spent.
      expect(await deliver(genuine)).toMatchObject({ code: 'CALLBACK_REPLAYED' });
      expect(await money()).toEqual({ totalMinor: before.totalMinor + 700n, heldMinor: 0n });
      expect(await outcomes(paymentId)).toHaveLength(1);
    });

    it('the provider notifies twice (fresh nonces): the second gets the same outcome, credited once', async () => {
      const before = await money();
      const paymentId = randomUUID();
      await start(paymentId, '701');
      const answers = await h.partners.providers.pay(
        { provider: 'alipay', paymentId, amountMinor: '701' },
        async (callback) => {
          const result = await deliver(callback);
          return { status: result.status === 'accepted' ? 200 : 422, body: result };
        },
        { times: 2 },
      );
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect((answers[1]!.body as Accepted).data).toMatchObject({ paymentId });
      expect(await decided(paymentId, answers[1]!.body as CommandResult)).toMatchObject({ data: { status: 'completed' } });
      expect(await money()).toEqual({ totalMinor: before.totalMinor + 701n, heldMinor: 0n });
      expect(await outcomes(paymentId)).toHaveLength(1);
    });

    it('a callback after the deadline is refused and reported; the top-up stays expired, nothing credited', async () => {
      const before = await money();
      const paymentId = randomUUID();
      await start(paymentId, '702');
      const expired = await h.until(
        () => h.send(paymentsContract.getPayment, { paymentId }, paymentId),
        (result) => result.status === 'accepted' && result.data?.status === 'failed',
        30_000,
      );
      expect(expired).toMatchObject({ data: { failure: { code: 'TOPUP_EXPIRED' } } });
      const late = h.partners.providers.callbackFor({
        provider: 'alipay',
        paymentId,
        amountMinor: '702',
        providerReference: `late-${paymentId}`,
      });
      expect(await deliver(late)).toMatchObject({ status: 'rejected', code: 'CALLBACK_AFTER_DEADLINE' });
      expect(await money()).toEqual(before);
      expect(await outcomes(paymentId)).toEqual([paymentsContract.EVENT_TYPES.PaymentFailed]);
    });
  });
});
