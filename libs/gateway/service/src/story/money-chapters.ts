/** The story's money chapters: top-ups from the card, through WeChat and at a bank counter; then paying, transferring, a bill and a withdrawal. */
import { yuan, type StoryCast, type StoryKit } from './story-kit';

export async function moneyIn(
  { deps, get, newPaymentId, ok, paid, post, refused, section }: StoryKit,
  { alice, supervisor, teller }: StoryCast,
): Promise<void> {
  // ── Money in
  section('Top up: from the card, through WeChat, at a bank counter');
  const topUp = newPaymentId('card');
  alice.payments.push(topUp);
  ok(
    '张三 tops up ¥500.00 from his card',
    await post(`/users/${alice.userId}/top-ups/card`, { paymentId: topUp, cardId: alice.cardId, amountMinor: '50000' }, alice.token),
    200,
    paid,
  );
  ok(
    '…the same request again (same paymentId: idempotent, no second charge)',
    await post(`/users/${alice.userId}/top-ups/card`, { paymentId: topUp, cardId: alice.cardId, amountMinor: '50000' }, alice.token),
    200,
    paid,
  );
  const wechat = newPaymentId('wechat');
  alice.payments.push(wechat);
  ok(
    '张三 starts a ¥200.00 top-up through WeChat',
    await post(`/users/${alice.userId}/top-ups/provider`, { paymentId: wechat, provider: 'wechat', amountMinor: '20000' }, alice.token),
    200,
    (b) => `${String(b['status'])} until ${String(b['deadline'])}`,
  );
  const atWechat = { provider: 'wechat' as const, paymentId: wechat, amountMinor: '20000' };
  refused(
    "A forged WeChat callback (not signed with WeChat's secret)",
    await deps.payAtProvider({ ...atWechat, tamper: 'bad-signature' }),
    'INVALID_SIGNATURE',
  );
  ok(
    '张三 pays at WeChat, whose servers call back (signed, with a timestamp and a one-time nonce)',
    await deps.payAtProvider(atWechat),
    200,
    paid,
  );
  const counter = newPaymentId('counter');
  alice.payments.push(counter);
  ok(
    'A teller takes ¥300.00 in cash at the Xidan branch (teller route)',
    await post(
      `/support/users/${alice.userId}/counter-top-ups`,
      { paymentId: counter, branchId: 'bj-xidan', amountMinor: '30000' },
      teller,
    ),
    200,
    paid,
  );
  const large = newPaymentId('counter-large');
  ok(
    'The teller takes ¥25,000.00 for 张三: above the approval threshold, it waits for a supervisor (maker-checker)',
    await post(
      `/support/users/${alice.userId}/counter-top-ups`,
      { paymentId: large, branchId: 'bj-xidan', amountMinor: '2500000' },
      teller,
    ),
    200,
    (b) => `${String(b['status'])} until ${String(b['approvalDeadline'])}`,
  );
  refused(
    'The teller tries to approve the deposit herself',
    await post(`/support/counter-top-ups/${large}/approval`, {}, teller),
    'FORBIDDEN',
  );
  ok(
    'The supervisor rejects it (the banknotes are to be checked); the teller hands the cash back',
    await post(`/support/counter-top-ups/${large}/rejection`, { reason: 'banknotes to be checked' }, supervisor),
    200,
    (b) => `${String(b['status'])}: ${String((b['failure'] as Record<string, unknown> | undefined)?.['code'])}`,
  );
  ok("张三's balance", await get(`/users/${alice.userId}/wallet`, alice.token), 200, (b) => `available ${yuan(b['availableMinor'])}`);
}

export async function moneyOut(
  { newPaymentId, ok, paid, pay, post, refused, section }: StoryKit,
  { alice, bob }: StoryCast,
): Promise<void> {
  // ── Money out
  section('Pay, transfer, pay a bill');
  // The first payment from a device is small: above ¥500 an unknown device needs a step-up (risk rule).
  ok('张三 pays ¥28.00 for coffee by QR code', await pay(alice, 'coffee', 'm-coffee', 'qr', '2800'), 200, paid);
  refused(
    '张三 tries to pay ¥1,500.00 at the canteen (he has ¥972.00)',
    await pay(alice, 'canteen-too-much', 'm-canteen', 'pos', '150000'),
    'INSUFFICIENT_FUNDS',
  );
  refused(
    '张三 tries to pay at a shop that does not accept the wallet',
    await pay(alice, 'cash-only', 'm-cash-only', 'qr', '1000'),
    'MERCHANT_NOT_SUPPORTED',
  );
  const transfer = newPaymentId('transfer');
  alice.payments.push(transfer);
  ok(
    `张三 transfers ¥100.00 to 李四 (${bob.phone})`,
    await post(
      `/users/${alice.userId}/transfers`,
      {
        paymentId: transfer,
        recipientPhone: bob.phone,
        amountMinor: '10000',
        description: 'dinner',
        paymentPassword: alice.paymentPassword,
      },
      alice.token,
    ),
    200,
    paid,
  );
  ok(
    '张三 looks his mobile number up at 中国移动 (b-mobile) before paying',
    await post(`/users/${alice.userId}/bill-lookups`, { billerId: 'b-mobile', billReference: alice.phone }, alice.token),
    200,
    (b) => (b['amountDueMinor'] === undefined ? 'found: any amount may be paid' : `due ${yuan(b['amountDueMinor'])}`),
  );
  const bill = newPaymentId('bill');
  alice.payments.push(bill);
  ok(
    '张三 tops up his mobile phone bill, ¥50.00 (b-mobile)',
    await post(
      `/users/${alice.userId}/bill-payments`,
      { paymentId: bill, billerId: 'b-mobile', billReference: alice.phone, amountMinor: '5000', paymentPassword: alice.paymentPassword },
      alice.token,
    ),
    200,
    paid,
  );
  const withdrawal = newPaymentId('withdrawal');
  alice.payments.push(withdrawal);
  ok(
    '张三 withdraws ¥30.00 to his card',
    await post(
      `/users/${alice.userId}/withdrawals`,
      { paymentId: withdrawal, cardId: alice.cardId, amountMinor: '3000', paymentPassword: alice.paymentPassword },
      alice.token,
    ),
    200,
    paid,
  );
  ok(
    '李四 pays ¥12.00 at the bookshop online with the money he received',
    await pay(bob, 'bookshop', 'm-bookshop', 'online', '1200'),
    200,
    paid,
  );
}
