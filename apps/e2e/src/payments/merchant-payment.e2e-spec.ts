import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { paymentsContract, type CommandContract, type CommandResult } from '@ledger/contracts';
import { sealField, sealingKeyFromEnv } from '@ledger/crypto';
import { forbiddenAttempts } from '@ledger/testing';
import { PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';

jest.setTimeout(180_000);

/** How long a counter top-up above the threshold (100 yuan here) waits for a supervisor in these tests. */
const APPROVAL_WINDOW_MS = 6_000;

/**
 * Merchant payment over the real broker and store: payments drives identity (payment password) and
 * wallet (reserve, capture, release) booted in this process on one topic prefix.
 */
describe('merchant payment across identity, wallet and payments', () => {
  let h: PaymentsHarness;
  let payer: Payer;

  beforeAll(async () => {
    h = await PaymentsHarness.start('pay_merchant', {
      providerDeadlineMs: 4_000,
      counterApproval: { aboveMinor: 10_000n, windowMs: APPROVAL_WINDOW_MS, idCheckAboveMinor: 25_000n },
    });
    payer = await h.payer('10000');
  });

  afterAll(async () => {
    await h?.stop();
  });

  const money = async (walletId: string) => {
    const { totalMinor, heldMinor, availableMinor } = await h.balance(walletId);
    return { totalMinor, heldMinor, availableMinor };
  };

  const pay = (
    overrides: Partial<{
      paymentId: string;
      merchantId: string;
      channel: 'online' | 'qr' | 'pos';
      amountMinor: string;
      password: string;
      walletId: string;
      userId: string;
    }> = {},
    actor?: string,
  ): Promise<CommandResult> => {
    const paymentId = overrides.paymentId ?? randomUUID();
    return h.send(
      paymentsContract.payMerchant,
      {
        paymentId,
        userId: overrides.userId ?? payer.userId,
        walletId: overrides.walletId ?? payer.walletId,
        merchantId: overrides.merchantId ?? 'm-canteen',
        channel: overrides.channel ?? 'qr',
        amountMinor: overrides.amountMinor ?? '1250',
        description: 'lunch',
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(overrides.password),
      },
      paymentId,
      actor ?? `user:${overrides.userId ?? payer.userId}`,
    );
  };

  it('completes: hold captured to merchant:<id> with balanced postings, the ledger sums to zero', async () => {
    const before = BigInt((await h.balance(payer.walletId)).totalMinor);
    const paymentId = randomUUID();
    const result = await pay({ paymentId });
    expect(result).toMatchObject({ status: 'accepted', data: { paymentId, status: 'completed', amountMinor: '1250' } });
    const data = (result as unknown as { data: { postings: Array<{ account: string; amountMinor: string }> } }).data;
    expect(data.postings).toEqual(
      expect.arrayContaining([
        { account: `wallet:${payer.walletId}`, amountMinor: '-1250' },
        { account: 'merchant:m-canteen', amountMinor: '1250' },
      ]),
    );
    expect(await h.balance(payer.walletId)).toMatchObject({ totalMinor: String(before - 1250n), heldMinor: '0' });
    const events = await h.paymentsStore.readStream(`payment-${paymentId}`);
    // m-canteen settles in the wallet: the password, then one wallet decision.
    expect(events.map((e) => e.type)).toEqual([
      'payments.PaymentInitiated.v1',
      'payments.PaymentPasswordVerified.v1',
      'payments.PaymentCompleted.v1',
    ]);
    expect(events[0]?.data).toMatchObject({ settlement: 'wallet' });
    // The reservation and its capture were appended together, by one command.
    const wallet = (await h.walletStore.readStream(`wallet-${payer.walletId}`)).filter((e) => e.data.holdId === `payment-${paymentId}`);
    expect(wallet.map((e) => e.type)).toEqual(['wallet.FundsReserved.v1', 'wallet.HoldCaptured.v1']);
    expect(new Set(wallet.map((e) => e.metadata.commandId))).toEqual(new Set([`${paymentId}:settle`]));
    // The password never reaches the payment's history, not even encrypted.
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('enc:v1:');
    const ledger = await h.ledger();
    expect(ledger).toMatchObject({ ok: true, sumMinor: '0' });
  });

  it('a repeated payment id returns the original outcome and moves nothing more; another payload is IDEMPOTENCY_KEY_REUSED', async () => {
    const paymentId = randomUUID();
    const first = await pay({ paymentId, amountMinor: '300' });
    expect(first).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    const balance = await money(payer.walletId);
    const again = await pay({ paymentId, amountMinor: '300' });
    expect(again).toMatchObject({ status: 'accepted', data: (first as { data: object }).data });
    expect(await money(payer.walletId)).toEqual(balance);
    expect(await pay({ paymentId, amountMinor: '301' })).toMatchObject({ status: 'rejected', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await h.send(paymentsContract.getPayment, { paymentId }, paymentId)).toMatchObject({
      status: 'accepted',
      data: { status: 'completed', amountMinor: '300' },
    });
  });

  it('insufficient funds: INSUFFICIENT_FUNDS and nothing moves', async () => {
    const balance = await money(payer.walletId);
    const result = await pay({ amountMinor: '10001' });
    expect(result).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_FUNDS', details: { status: 'failed', holdReleased: false } });
    expect(await money(payer.walletId)).toEqual(balance);
  });

  it('a merchant decline releases the hold: MERCHANT_DECLINED, balance as before', async () => {
    const balance = await money(payer.walletId);
    h.acquirer.declineAmounts.add(777n);
    const paymentId = randomUUID();
    const result = await pay({ paymentId, merchantId: 'm-bookshop', amountMinor: '777' });
    expect(result).toMatchObject({ status: 'rejected', code: 'MERCHANT_DECLINED', details: { holdReleased: true } });
    expect(await money(payer.walletId)).toEqual(balance);
    const types = (await h.paymentsStore.readStream(`payment-${paymentId}`)).map((e) => e.type);
    expect(types).toContain('payments.PaymentFundsReserved.v1');
    expect(types.filter((t) => t === 'payments.PaymentFailed.v1' || t === 'payments.PaymentCompleted.v1')).toEqual([
      'payments.PaymentFailed.v1',
    ]);
  });

  it('an acquirer that never answers: ACQUIRER_UNAVAILABLE, hold released', async () => {
    const balance = await money(payer.walletId);
    h.acquirer.timeoutMerchants.add('m-bookshop');
    try {
      const result = await pay({ merchantId: 'm-bookshop', channel: 'online', amountMinor: '500' });
      expect(result).toMatchObject({ status: 'rejected', code: 'ACQUIRER_UNAVAILABLE', details: { holdReleased: true } });
      expect(await money(payer.walletId)).toEqual(balance);
    } finally {
      h.acquirer.timeoutMerchants.delete('m-bookshop');
    }
  });

  it('refunds partly and fully, never more than the payment, never twice per refund id', async () => {
    const paymentId = randomUUID();
    expect(await pay({ paymentId, amountMinor: '1000' })).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    const before = BigInt((await h.balance(payer.walletId)).totalMinor);
    const refund = (refundId: string, amountMinor: string) =>
      h.send(
        paymentsContract.refundPayment,
        { refundId, paymentId, amountMinor, reason: 'returned' },
        paymentId,
        'system:merchant-gateway',
      );

    const first = randomUUID();
    const partial = await refund(first, '400');
    expect(partial).toMatchObject({ status: 'accepted', data: { status: 'completed', kind: 'refund' } });
    expect((partial as { data?: { postings?: unknown } }).data?.postings).toEqual(
      expect.arrayContaining([
        { account: 'merchant:m-canteen', amountMinor: '-400' },
        { account: `wallet:${payer.walletId}`, amountMinor: '400' },
      ]),
    );
    // The same refund id again: the original outcome, no second credit.
    expect(await refund(first, '400')).toMatchObject({ status: 'accepted', data: (partial as { data: object }).data });
    expect(await refund(first, '401')).toMatchObject({ status: 'rejected', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await refund(randomUUID(), '601')).toMatchObject({
      status: 'rejected',
      code: 'REFUND_EXCEEDS_PAYMENT',
      details: { refundableMinor: '600' },
    });
    expect(await refund(randomUUID(), '600')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(await refund(randomUUID(), '1')).toMatchObject({ status: 'rejected', code: 'REFUND_EXCEEDS_PAYMENT' });
    expect(BigInt((await h.balance(payer.walletId)).totalMinor)).toBe(before + 1000n);
    expect(
      await h.send(
        paymentsContract.refundPayment,
        { refundId: randomUUID(), paymentId, amountMinor: '1' },
        paymentId,
        `user:${payer.userId}`,
      ),
    ).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
    expect(await h.ledger()).toMatchObject({ ok: true, sumMinor: '0' });
  });

  it('concurrent refunds of one payment never exceed it', async () => {
    const paymentId = randomUUID();
    expect(await pay({ paymentId, amountMinor: '500' })).toMatchObject({ status: 'accepted' });
    const results = await Promise.all(
      Array.from({ length: 4 }, () => {
        const refundId = randomUUID();
        return h.send(paymentsContract.refundPayment, { refundId, paymentId, amountMinor: '200' }, refundId, 'system:merchant-gateway');
      }),
    );
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(2);
    expect(results.filter((r) => r.status === 'rejected' && r.code === 'REFUND_EXCEEDS_PAYMENT')).toHaveLength(2);
  });

  it('pays a bill to biller:<id>; a wrong amount, an unknown bill and a declining biller move nothing', async () => {
    h.biller.bills.set('ACC-88', 8800n);
    h.biller.unknownReferences.add('ACC-404');
    h.biller.declineReferences.add('ACC-NO');
    const payBill = (billerId: string, billReference: string, amountMinor: string) =>
      h.payBill(payer, { billerId, billReference, amountMinor });
    const before = BigInt((await h.balance(payer.walletId)).totalMinor);
    const paid = await payBill('b-power', 'ACC-88', '880');
    expect(paid).toMatchObject({ status: 'rejected', code: 'BILL_AMOUNT_MISMATCH', details: { amountDueMinor: '8800' } });
    const phone = await payBill('b-mobile', '13800138000', '500');
    expect(phone).toMatchObject({ status: 'accepted', data: { status: 'completed', kind: 'bill' } });
    expect((phone as { data?: { postings?: unknown } }).data?.postings).toEqual(
      expect.arrayContaining([{ account: 'biller:b-mobile', amountMinor: '500' }]),
    );
    expect(await payBill('b-gas', 'X', '500')).toMatchObject({ status: 'rejected', code: 'BILLER_NOT_SUPPORTED' });
    expect(await payBill('b-water', 'ACC-404', '500')).toMatchObject({ status: 'rejected', code: 'BILL_NOT_FOUND' });
    expect(await payBill('b-water', 'ACC-NO', '500')).toMatchObject({
      status: 'rejected',
      code: 'BILLER_DECLINED',
      details: { holdReleased: true },
    });
    expect(await money(payer.walletId)).toMatchObject({ totalMinor: String(before - 500n), heldMinor: '0' });
  });

  it('third-party top-up: the signed callback credits once; a late callback is refused and reported; a bad signature is refused', async () => {
    const before = BigInt((await h.balance(payer.walletId)).totalMinor);
    const start = (paymentId: string) =>
      h.send(
        paymentsContract.providerTopUp,
        { paymentId, userId: payer.userId, walletId: payer.walletId, provider: 'wechat', amountMinor: '2000' },
        paymentId,
        `user:${payer.userId}`,
      );
    const callback = (paymentId: string, providerReference: string, signature?: string) => {
      const signed = h.partners.providers.callbackFor({ paymentId, provider: 'wechat', providerReference, amountMinor: '2000' });
      return h.send(
        paymentsContract.providerCallback,
        { ...signed, signature: signature ?? signed.signature },
        paymentId,
        'provider:wechat',
      );
    };

    const onTime = randomUUID();
    expect(await start(onTime)).toMatchObject({ status: 'accepted', data: { status: 'awaiting_provider', kind: 'provider_topup' } });
    expect(await callback(onTime, 'wx-1', 'a'.repeat(64))).toMatchObject({ status: 'rejected', code: 'INVALID_SIGNATURE' });
    const done = await callback(onTime, 'wx-1');
    expect(done).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect((done as { data?: { postings?: unknown } }).data?.postings).toEqual(
      expect.arrayContaining([{ account: 'clearing:provider:wechat', amountMinor: '-2000' }]),
    );
    expect(await callback(onTime, 'wx-1')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(BigInt((await h.balance(payer.walletId)).totalMinor)).toBe(before + 2000n);

    const late = randomUUID();
    await start(late);
    // The deadline (4 s here) passes; its persisted timer (provider_deadline) expires the top-up.
    await h.until(
      () => h.send(paymentsContract.getPayment, { paymentId: late }, late),
      (result) => result.status === 'accepted' && result.data?.status === 'failed',
      20_000,
    );
    expect(await h.send(paymentsContract.getPayment, { paymentId: late }, late)).toMatchObject({
      data: { failure: { code: 'TOPUP_EXPIRED' } },
    });
    expect(await callback(late, 'wx-2')).toMatchObject({ status: 'rejected', code: 'CALLBACK_AFTER_DEADLINE' });
    const types = (await h.paymentsStore.readStream(`payment-${late}`)).map((e) => e.type);
    expect(types).toContain('payments.LateProviderCallbackReported.v1');
    expect(BigInt((await h.balance(payer.walletId)).totalMinor)).toBe(before + 2000n);
  });

  it('counter top-up by a teller credits from cash:branch:<id>; only that teller may', async () => {
    const paymentId = randomUUID();
    const payload = { paymentId, userId: payer.userId, walletId: payer.walletId, branchId: 'bj-001', tellerId: 't-7', amountMinor: '3000' };
    expect(await h.send(paymentsContract.counterTopUp, payload, paymentId, `user:${payer.userId}`)).toMatchObject({
      status: 'rejected',
      code: 'FORBIDDEN',
    });
    const result = await h.send(paymentsContract.counterTopUp, payload, paymentId, 'teller:t-7');
    expect(result).toMatchObject({ status: 'accepted', data: { status: 'completed', kind: 'counter' } });
    expect((result as { data?: { postings?: unknown } }).data?.postings).toEqual(
      expect.arrayContaining([{ account: 'cash:branch:bj-001', amountMinor: '-3000' }]),
    );
    const events = await h.paymentsStore.readStream(`payment-${paymentId}`);
    expect(events[0]?.metadata.actor).toBe('teller:t-7');
  });

  it("a cash deposit above the ID-check threshold needs the depositor's ID number, recorded only protected", async () => {
    const paymentId = randomUUID();
    const payload = {
      paymentId,
      userId: payer.userId,
      walletId: payer.walletId,
      branchId: 'bj-001',
      tellerId: 't-7',
      amountMinor: '30000',
    };
    expect(await h.send(paymentsContract.counterTopUp, payload, paymentId, 'teller:t-7')).toMatchObject({
      status: 'rejected',
      code: 'DEPOSITOR_ID_REQUIRED',
      details: { idCheckAboveMinor: '25000' },
    });
    expect(await h.paymentsStore.readStream(`payment-${paymentId}`)).toEqual([]);
    const idNumber = '11010519900101123X';
    const sealed = sealField(idNumber, sealingKeyFromEnv(process.env, 'payments'), paymentsContract.secretAad('depositorIdNumber'));
    const withId = await h.send(paymentsContract.counterTopUp, { ...payload, depositorIdNumber: sealed }, paymentId, 'teller:t-7');
    expect(withId).toMatchObject({ status: 'accepted', data: { status: 'awaiting_approval' } });
    const [initiated] = await h.paymentsStore.readStream(`payment-${paymentId}`);
    expect((initiated?.data.request as { depositorId?: { masked: string } }).depositorId?.masked).toBe('110105********123X');
    expect(JSON.stringify(initiated?.data)).not.toContain(idNumber);
    const refusal = await h.send(
      paymentsContract.rejectCounterTopUp,
      { paymentId, supervisorId: 's-1', reason: 'test' },
      paymentId,
      'supervisor:s-1',
    );
    expect(refusal).toMatchObject({ status: 'accepted', data: { status: 'failed' } });
  });

  it('maker-checker: a counter top-up above the threshold credits nothing until a supervisor other than the teller approves it', async () => {
    const before = BigInt((await h.balance(payer.walletId)).totalMinor);
    const deposit = (paymentId: string, amountMinor: string) =>
      h.send(
        paymentsContract.counterTopUp,
        { paymentId, userId: payer.userId, walletId: payer.walletId, branchId: 'bj-001', tellerId: 't-7', amountMinor },
        paymentId,
        'teller:t-7',
      );
    const approve = (paymentId: string, supervisorId: string, actor = `supervisor:${supervisorId}`) =>
      h.send(paymentsContract.approveCounterTopUp, { paymentId, supervisorId }, paymentId, actor);
    const types = async (paymentId: string) =>
      (await h.paymentsStore.readStream(`payment-${paymentId}`)).map((e) => [e.type, e.metadata.actor]);

    const paymentId = randomUUID();
    expect(await deposit(paymentId, '20000')).toMatchObject({
      status: 'accepted',
      data: { status: 'awaiting_approval', kind: 'counter', approvalDeadline: expect.any(String) },
    });
    expect(BigInt((await h.balance(payer.walletId)).totalMinor)).toBe(before);
    // The maker may not check their own deposit, and nobody decides under another supervisor's name.
    expect(await approve(paymentId, 't-7')).toMatchObject({ status: 'rejected', code: 'SELF_APPROVAL_FORBIDDEN' });
    expect(await approve(paymentId, 's-1', 'supervisor:s-2')).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
    expect(await types(paymentId)).toEqual([['payments.PaymentInitiated.v1', 'teller:t-7']]);
    expect(BigInt((await h.balance(payer.walletId)).totalMinor)).toBe(before);

    const approved = await approve(paymentId, 's-1');
    expect(approved).toMatchObject({ status: 'accepted', data: { status: 'completed', kind: 'counter' } });
    expect(await approve(paymentId, 's-1')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(BigInt((await h.balance(payer.walletId)).totalMinor)).toBe(before + 20_000n);
    // Both people are on the record: the maker's start and the checker's approval.
    expect(await types(paymentId)).toEqual([
      ['payments.PaymentInitiated.v1', 'teller:t-7'],
      ['payments.CounterTopUpApproved.v1', 'supervisor:s-1'],
      ['payments.PaymentCompleted.v1', 'system:payments'],
    ]);

    const rejectedId = randomUUID();
    await deposit(rejectedId, '15000');
    const rejection = await h.send(
      paymentsContract.rejectCounterTopUp,
      { paymentId: rejectedId, supervisorId: 's-1', reason: 'banknotes to be checked' },
      rejectedId,
      'supervisor:s-1',
    );
    expect(rejection).toMatchObject({ status: 'accepted', data: { status: 'failed', failure: { code: 'COUNTER_TOP_UP_REJECTED' } } });
    expect(await approve(rejectedId, 's-2')).toMatchObject({
      status: 'rejected',
      code: 'NOT_AWAITING_APPROVAL',
      details: { status: 'failed' },
    });

    // Undecided, it expires at its deadline (its persisted approval_deadline timer), crediting nothing.
    const undecided = randomUUID();
    await deposit(undecided, '12000');
    await h.until(
      () => h.send(paymentsContract.getPayment, { paymentId: undecided }, undecided),
      (result) => result.status === 'accepted' && result.data?.status === 'failed',
      APPROVAL_WINDOW_MS + 20_000,
    );
    expect(await h.send(paymentsContract.getPayment, { paymentId: undecided }, undecided)).toMatchObject({
      data: { failure: { code: 'APPROVAL_EXPIRED' } },
    });
    expect(await approve(undecided, 's-1')).toMatchObject({ status: 'rejected', code: 'NOT_AWAITING_APPROVAL' });
    expect(BigInt((await h.balance(payer.walletId)).totalMinor)).toBe(before + 20_000n);
  });

  it('admission control: beyond its limit of payments in flight a new payment is refused PAYMENTS_BUSY with nothing recorded; sent again later it completes', async () => {
    const limit = h.runtime.maxActivePayments;
    h.runtime.maxActivePayments = 1;
    h.acquirer.delayMs = 1_500;
    try {
      const slow = pay({ merchantId: 'm-bookshop', amountMinor: '100' });
      for (let waited = 0; h.runtime.driver.runningCount < 1 && waited < 10_000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const paymentId = randomUUID();
      expect(await pay({ paymentId, amountMinor: '200' })).toMatchObject({
        status: 'rejected',
        code: 'PAYMENTS_BUSY',
        details: { paymentId, retryAfterMs: 1_000 },
      });
      expect(await h.paymentsStore.readStream(`payment-${paymentId}`)).toHaveLength(0);
      expect(await slow).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
      h.acquirer.delayMs = 0;
      expect(await pay({ paymentId, amountMinor: '200' })).toMatchObject({ status: 'accepted', data: { paymentId, status: 'completed' } });
    } finally {
      h.runtime.maxActivePayments = limit;
      h.acquirer.delayMs = 0;
    }
  });

  it('refuses every money-moving command from a sender its contract does not list, or asserting an actor that sender may not assert; nothing is recorded', async () => {
    const before = await money(payer.walletId);
    const { userId, walletId } = payer;
    const paid = await pay({ amountMinor: '100' });
    expect(paid).toMatchObject({ status: 'accepted' });
    const secrets = { paymentPassword: h.password(), deviceId: TEST_DEVICE };
    const commands: Array<[CommandContract, (paymentId: string) => Record<string, unknown>]> = [
      [
        paymentsContract.payMerchant,
        (paymentId) => ({ paymentId, userId, walletId, merchantId: 'm-canteen', channel: 'qr', amountMinor: '100', ...secrets }),
      ],
      [paymentsContract.topUpFromCard, (paymentId) => ({ paymentId, userId, walletId, cardId: 'card-1', amountMinor: '100' })],
      [
        paymentsContract.transfer,
        (paymentId) => ({ paymentId, userId, walletId, recipientPhone: h.recipientPhone('13800000000'), amountMinor: '100', ...secrets }),
      ],
      [paymentsContract.withdraw, (paymentId) => ({ paymentId, userId, walletId, cardId: 'card-1', amountMinor: '100', ...secrets })],
      [
        paymentsContract.payBill,
        (paymentId) => ({
          paymentId,
          userId,
          walletId,
          billerId: 'b-power',
          billReference: h.billReference('r-1'),
          amountMinor: '100',
          ...secrets,
        }),
      ],
      [paymentsContract.providerTopUp, (paymentId) => ({ paymentId, userId, walletId, provider: 'wechat', amountMinor: '100' })],
      [
        paymentsContract.providerCallback,
        (paymentId) => ({ paymentId, provider: 'wechat', providerReference: 'wx-forged', amountMinor: '100', signature: '0'.repeat(64) }),
      ],
      [
        paymentsContract.counterTopUp,
        (paymentId) => ({ paymentId, userId, walletId, branchId: 'bj-001', tellerId: 'attacker-1', amountMinor: '100' }),
      ],
      [paymentsContract.approveCounterTopUp, (paymentId) => ({ paymentId, supervisorId: 'attacker-1' })],
      [paymentsContract.rejectCounterTopUp, (paymentId) => ({ paymentId, supervisorId: 'attacker-1', reason: 'forged' })],
      [
        paymentsContract.refundPayment,
        (refundId) => ({
          refundId,
          paymentId: String(paid.status === 'accepted' && paid.data?.paymentId),
          amountMinor: '100',
          reason: 'forged',
        }),
      ],
    ];
    const attempts = commands.flatMap(([contract, payload]) =>
      forbiddenAttempts(contract, userId).map(async ({ sender, actor }) => {
        const id = randomUUID();
        const result = await h.client.send(contract, payload(id) as never, { key: id, actor, sender });
        return { command: contract.type, sender, actor, id, code: result.status === 'rejected' ? result.code : 'accepted' };
      }),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.length).toBeGreaterThan(80);
    expect(outcomes.filter((outcome) => outcome.code !== 'FORBIDDEN')).toEqual([]);
    for (const { id } of outcomes) expect(await h.paymentsStore.readStream(`payment-${id}`)).toEqual([]);
    // The attacks of record: a teller's cash or a user's payment claimed by an internal system, a refund claimed by a user.
    expect(outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ command: paymentsContract.counterTopUp.type, sender: 'internal', actor: 'system:risk-engine' }),
        expect.objectContaining({ command: paymentsContract.payMerchant.type, sender: 'internal', actor: `user:${userId}` }),
        expect.objectContaining({ command: paymentsContract.refundPayment.type, sender: 'gateway', actor: `user:${userId}` }),
      ]),
    );
    expect(await money(payer.walletId)).toEqual({
      ...before,
      totalMinor: String(BigInt(before.totalMinor) - 100n),
      availableMinor: String(BigInt(before.availableMinor) - 100n),
    });
  });

  it('registry and password refusals move nothing', async () => {
    expect(await pay({ merchantId: 'm-cash-only' })).toMatchObject({ status: 'rejected', code: 'MERCHANT_NOT_SUPPORTED' });
    expect(await pay({ merchantId: 'm-coffee', channel: 'online' })).toMatchObject({ status: 'rejected', code: 'CHANNEL_NOT_SUPPORTED' });
    const wrongId = randomUUID();
    const wrong = await pay({ paymentId: wrongId, password: '000000' });
    expect(wrong).toMatchObject({ status: 'rejected', code: 'WRONG_PAYMENT_PASSWORD', details: { attemptsLeft: 4, holdReleased: false } });
    // A merchant settled in the wallet: nothing was asked of the wallet before the password passed.
    expect((await h.walletStore.readStream(`wallet-${payer.walletId}`)).filter((e) => e.data.holdId === `payment-${wrongId}`)).toEqual([]);
    expect(await pay({}, 'user:someone-else')).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
    expect(await h.balance(payer.walletId)).toMatchObject({ heldMinor: '0' });
  });
});
