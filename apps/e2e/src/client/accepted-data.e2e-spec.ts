import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@ledger/util/testing';
import { CommandRejectedError, LedgerCommands, type LedgerCommand } from '@ledger/client';
import { identityContract, paymentsContract, walletContract, type AcceptedOf, type PayloadOf } from '@ledger/contracts';
import type { PaymentStatus } from '@ledger/payments-domain';
import { randomPhone } from '@ledger/identity-service/testing';
import { senderPlaying, testKafka } from '@ledger/testing';
import { PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';

jest.setTimeout(180_000);

/** How long payments waits for an outcome before answering `pending` here: short, so that a payment with a slow acquirer gets that answer. */
const REPLY_WITHIN_MS = 3_000;
const SYSTEM = 'system:reconciliation';
const SUPPORT = 'support:agent-7';

type PaymentView = AcceptedOf<typeof paymentsContract.getPayment>;
type PaymentAnswer = AcceptedOf<typeof paymentsContract.payMerchant>;

/** The contract lists every status the payments domain has (a compile-time check: `nx typecheck e2e`). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const statusesAgree: Same<PaymentView['status'], PaymentStatus> = true;

/**
 * The `accepted` schemas of the contracts are true: real commands run through the real identity,
 * cards, wallet and payments services, sent by a client that checks every accepted result's data
 * against its command's schema (`validateResults`). A service that answers what its contract does
 * not describe makes `request` throw `AcceptedDataMismatchError`, and the test fails with the field.
 */
describe("the services' accepted data matches the contracts' accepted schemas", () => {
  let h: PaymentsHarness;
  let payer: Payer;
  let commands: LedgerCommands;

  beforeAll(async () => {
    h = await PaymentsHarness.start(
      'client_accepted',
      { replyWithinMs: REPLY_WITHIN_MS, providerDeadlineMs: 120_000, counterApproval: { aboveMinor: 10_000n, windowMs: 120_000 } },
      true,
    );
    payer = await h.payer('100000');
    commands = new LedgerCommands({
      kafka: testKafka('client-accepted'),
      clientName: 'client-accepted',
      topicPrefix: h.topicPrefix,
      defaultTimeoutMs: 60_000,
      validateResults: true,
    });
    await commands.start();
  });

  afterAll(async () => {
    await commands?.stop();
    await h?.stop();
  });

  /** Sends as the sender that would assert `actor`; resolves with the checked data, throws on a rejection or a mismatch. */
  const ask = <C extends LedgerCommand>(command: C, payload: PayloadOf<C>, key: string, actor: string): Promise<AcceptedOf<C>> =>
    commands.request(command, payload, { key, actor, sender: senderPlaying(actor, command) });

  /** The payment once decided: a `pending` answer, or a view still at a step, is followed by GetPayment (checked too) until it has its outcome. */
  async function decided(paymentId: string, answer: PaymentAnswer): Promise<PaymentView> {
    const deadline = Date.now() + 30_000;
    let payment = answer;
    while (payment.status !== 'completed' && payment.status !== 'failed') {
      if (Date.now() > deadline) throw new Error(`payment ${paymentId} still ${payment.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      payment = await ask(paymentsContract.getPayment, { paymentId }, paymentId, SYSTEM);
    }
    return payment;
  }

  /** Asks again while the answer is refused `code` or is not yet `done` (a read model or a fact the service learns from events, not caught up yet). */
  async function eventually<T>(attempt: () => Promise<T>, done: (answer: T) => boolean, code?: string): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const answer = await attempt();
        if (done(answer) || Date.now() > deadline) return answer;
      } catch (error) {
        if (!(error instanceof CommandRejectedError && error.code === code) || Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const payMerchant = (merchantId: string, amountMinor: string) => {
    const paymentId = randomUUID();
    const { userId, walletId } = payer;
    const payload = { paymentId, userId, walletId, merchantId, channel: 'online' as const, amountMinor, deviceId: TEST_DEVICE };
    return ask(paymentsContract.payMerchant, { ...payload, paymentPassword: h.password() }, paymentId, `user:${userId}`).then((answer) =>
      decided(paymentId, answer),
    );
  };

  it('wallet: queries, tiers, freezes, credits, holds and payments from the wallet', async () => {
    const { userId, walletId } = payer;
    expect(await ask(walletContract.getWalletByUser, { userId }, userId, SYSTEM)).toMatchObject({ walletId, status: 'active' });
    expect(await ask(walletContract.changeWalletTier, { walletId, tier: 'premium' }, walletId, SYSTEM)).toMatchObject({ changed: true });
    expect(await ask(walletContract.freezeWallet, { walletId, reason: 'contract test' }, walletId, SUPPORT)).toMatchObject({
      changed: true,
    });
    expect(await ask(walletContract.unfreezeWallet, { walletId, reason: 'contract test' }, walletId, SUPPORT)).toMatchObject({
      status: 'active',
    });
    const credit = { walletId, creditId: randomUUID(), amountMinor: '500', reference: 'contract test', counterparty: 'clearing:card:ICBC' };
    expect((await ask(walletContract.creditWallet, credit, walletId, 'system:payments')).postings).toHaveLength(2);

    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const hold = (amountMinor: string) => ({
      walletId,
      holdId: `hold-${randomUUID()}`,
      amountMinor,
      expiresAt,
      reference: 'contract test',
      counterparty: 'merchant:m-canteen',
    });
    const [captured, released, open] = [hold('300'), hold('200'), hold('100')];
    for (const reservation of [captured, released, open])
      expect(await ask(walletContract.reserveFunds, reservation, walletId, `user:${userId}`)).toMatchObject({ holdId: reservation.holdId });
    const capture = { walletId, holdId: captured.holdId, amountMinor: '250' };
    expect(await ask(walletContract.captureHold, capture, walletId, 'system:payments')).toMatchObject({ releasedMinor: '50' });
    const release = { walletId, holdId: released.holdId };
    expect(await ask(walletContract.releaseHold, release, walletId, 'system:payments')).toMatchObject({ amountMinor: '200' });
    expect(await ask(walletContract.payFromWallet, hold('150'), walletId, `user:${userId}`)).toMatchObject({
      event: 'wallet.HoldCaptured.v1',
    });
    const balance = await ask(walletContract.getBalance, { walletId }, walletId, SYSTEM);
    expect(balance.openHolds).toEqual([expect.objectContaining({ holdId: open.holdId, amountMinor: '100' })]);
  });

  it('payments: the payment view of every kind it answers, its pending answer, and the queries', async () => {
    const paid = await payMerchant('m-canteen', '1250');
    expect(paid).toMatchObject({ status: 'completed', kind: 'merchant' });
    expect(await ask(paymentsContract.getPayment, { paymentId: paid.paymentId }, paid.paymentId, SUPPORT)).toMatchObject({
      status: 'completed',
    });
    const refundId = randomUUID();
    const refund = { refundId, paymentId: paid.paymentId, amountMinor: '250' };
    const refunded = await decided(refundId, await ask(paymentsContract.refundPayment, refund, paid.paymentId, SYSTEM));
    expect(refunded).toMatchObject({ status: 'completed', kind: 'refund' });

    // In flight past the wait bound: the acquirer answers late, so the first answer is `pending`.
    h.acquirer.delayMs = REPLY_WITHIN_MS + 1_500;
    try {
      const paymentId = randomUUID();
      const { userId, walletId } = payer;
      const payload = { paymentId, userId, walletId, merchantId: 'm-bookshop', channel: 'online' as const, amountMinor: '700' };
      const answer = await ask(
        paymentsContract.payMerchant,
        { ...payload, deviceId: TEST_DEVICE, paymentPassword: h.password() },
        paymentId,
        `user:${userId}`,
      );
      expect(answer).toEqual({ paymentId, status: 'pending' });
      expect(await decided(paymentId, answer)).toMatchObject({ status: 'completed' });
    } finally {
      h.acquirer.delayMs = 0;
    }

    const billId = randomUUID();
    const bill = { paymentId: billId, userId: payer.userId, walletId: payer.walletId, billerId: 'b-mobile', amountMinor: '500' };
    const billPaid = await ask(
      paymentsContract.payBill,
      { ...bill, billReference: h.billReference('13800138000'), deviceId: TEST_DEVICE, paymentPassword: h.password() },
      billId,
      `user:${payer.userId}`,
    );
    expect(await decided(billId, billPaid)).toMatchObject({ status: 'completed', kind: 'bill' });

    const providerId = randomUUID();
    const provider = {
      paymentId: providerId,
      userId: payer.userId,
      walletId: payer.walletId,
      provider: 'wechat' as const,
      amountMinor: '2000',
    };
    expect(await ask(paymentsContract.providerTopUp, provider, providerId, `user:${payer.userId}`)).toMatchObject({
      status: 'awaiting_provider',
      deadline: expect.any(String),
    });
    const signed = h.partners.providers.callbackFor({
      paymentId: providerId,
      provider: 'wechat',
      providerReference: 'wx-contract',
      amountMinor: '2000',
    });
    const confirmed = await ask(paymentsContract.providerCallback, signed, providerId, 'provider:wechat');
    expect(await decided(providerId, confirmed)).toMatchObject({ status: 'completed', kind: 'provider_topup' });

    const deposit = (amountMinor: string) => {
      const paymentId = randomUUID();
      const payload = { paymentId, userId: payer.userId, walletId: payer.walletId, branchId: 'bj-001', tellerId: 't-7', amountMinor };
      return ask(paymentsContract.counterTopUp, payload, paymentId, 'teller:t-7');
    };
    const small = await deposit('3000');
    expect(await decided(small.paymentId, small)).toMatchObject({ status: 'completed', kind: 'counter' });
    const large = await deposit('12000');
    expect(large).toMatchObject({ status: 'awaiting_approval', approvalDeadline: expect.any(String) });
    const approval = { paymentId: large.paymentId, supervisorId: 's-1' };
    const approved = await ask(paymentsContract.approveCounterTopUp, approval, large.paymentId, 'supervisor:s-1');
    expect(await decided(large.paymentId, approved)).toMatchObject({ status: 'completed' });
    const refused = await deposit('11000');
    const rejection = { paymentId: refused.paymentId, supervisorId: 's-1', reason: 'banknotes to be checked' };
    expect(await ask(paymentsContract.rejectCounterTopUp, rejection, refused.paymentId, 'supervisor:s-1')).toMatchObject({
      status: 'failed',
      failure: { code: 'COUNTER_TOP_UP_REJECTED' },
    });

    const { userId } = payer;
    const viewed = { kind: 'balance' as const, asOf: new Date().toISOString() };
    expect(await ask(paymentsContract.recordSupportAccess, { userId, viewed }, userId, SUPPORT)).toMatchObject({ userId });
    const access = await ask(paymentsContract.listSupportAccess, { userId }, userId, `user:${userId}`);
    expect(access.entries.length).toBeGreaterThanOrEqual(2);
    const listed = await eventually(
      () => ask(paymentsContract.listUserPayments, { userId, limit: 100 }, userId, `user:${userId}`),
      (page) => page.payments.some((payment) => payment.paymentId === paid.paymentId && payment.status === 'completed'),
    );
    expect(listed.payments).toContainEqual(expect.objectContaining({ paymentId: paid.paymentId, kind: 'merchant', amountMinor: '1250' }));
  });

  it('cards and a second user: top-up, withdrawal, a wallet opened, a transfer, and identity', async () => {
    const bound = await h.cards!.bind(payer.userId, TEST_CARDS.zhangSanDebit);
    if (bound.status !== 'accepted') throw new Error(`bind: ${bound.code}`);
    const cardId = String(bound.data?.cardId);
    const topUpId = randomUUID();
    const topUp = { paymentId: topUpId, userId: payer.userId, walletId: payer.walletId, cardId, amountMinor: '5000' };
    const toppedUp = await ask(paymentsContract.topUpFromCard, topUp, topUpId, `user:${payer.userId}`);
    expect(await decided(topUpId, toppedUp)).toMatchObject({ status: 'completed', kind: 'topup' });
    const withdrawalId = randomUUID();
    const withdrawal = { paymentId: withdrawalId, userId: payer.userId, walletId: payer.walletId, cardId, amountMinor: '1200' };
    const withdrawn = await ask(
      paymentsContract.withdraw,
      { ...withdrawal, deviceId: TEST_DEVICE, paymentPassword: h.password() },
      withdrawalId,
      `user:${payer.userId}`,
    );
    expect(await decided(withdrawalId, withdrawn)).toMatchObject({ status: 'completed', kind: 'withdrawal' });

    // A second user, registered, with a payment password and a bound card: their wallet opens once the wallet has learned all three.
    const phone = randomPhone();
    const userId = await h.identity.register(phone);
    const set = await h.identity.send(identityContract.setPaymentPassword, { userId, paymentPassword: h.password() }, `user:${userId}`, {
      key: userId,
    });
    expect(set).toMatchObject({ status: 'accepted' });
    expect(await h.cards!.bind(userId, TEST_CARDS.zhangSanSecond)).toMatchObject({ status: 'accepted' });
    const open = () => ask(walletContract.openWallet, { userId }, userId, `user:${userId}`);
    const opened = await eventually(open, () => true, 'WALLET_PREREQUISITES_MISSING');
    expect(opened).toMatchObject({ event: 'wallet.WalletOpened.v1', userId });

    const transferId = randomUUID();
    const transfer = { paymentId: transferId, userId: payer.userId, walletId: payer.walletId, amountMinor: '800' };
    const sent = await ask(
      paymentsContract.transfer,
      { ...transfer, recipientPhone: h.recipientPhone(phone), deviceId: TEST_DEVICE, paymentPassword: h.password() },
      transferId,
      `user:${payer.userId}`,
    );
    expect(await decided(transferId, sent)).toMatchObject({
      status: 'completed',
      kind: 'transfer',
      recipientPhoneMasked: expect.any(String),
    });

    const alert = {
      userId,
      signal: 'suspicious_transactions' as const,
      severity: 'low' as const,
      description: 'contract test',
      protect: false,
    };
    expect(await ask(identityContract.raiseRiskAlert, alert, userId, 'risk:contract-test')).toEqual({ userId, frozen: false });
    const lookUp = () =>
      ask(identityContract.findUserByPhone, { phone: h.identity.enc('phone', phone) }, h.identity.phoneKey(phone), SYSTEM);
    const found = await eventually(lookUp, () => true, 'USER_NOT_FOUND');
    expect(found).toMatchObject({ userId, status: 'active' });
    const frozen = await ask(identityContract.freezeAccount, { userId, reason: 'contract test' }, userId, 'risk:contract-test');
    expect(frozen.frozenAt).toEqual(expect.any(String));
  });
});
