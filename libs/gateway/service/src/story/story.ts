import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type { StaffRole } from '@ledger/crypto';

/**
 * The story of the source documents, told through the gateway's HTTP API only: the same function
 * runs as `npm run demo` (against `npm start`) and in `story.e2e-spec.ts` (services in-process), so
 * the two cannot drift apart. Every step prints a numbered line: ✔ for what worked, ✘ with the
 * service's stable code for a refusal the story expects. An unexpected answer throws StoryFailure.
 */
/** A card as a user types it in. */
export interface StoryCard {
  number: string;
  holderName: string;
  reservedPhone: string;
}

export interface StoryDeps {
  baseUrl: string;
  /** The issuer's test cards the story binds: the card simulator's `TEST_CARDS` (cards domain), which the gateway does not know. */
  cards: { zhangSanDebit: StoryCard; nonIcbc: StoryCard; liSi: StoryCard };
  /** The last SMS code the phone received (the simulated handset: identity's outbox). */
  smsCode(phone: string): Promise<string> | string;
  /** A member of staff's access token with their role (signed with the staff issuer's key, as the staff login does). */
  staffToken(agentId: string, role: StaffRole): Promise<string>;
  /** The secret Alipay/WeChat sign callbacks with (PAYMENTS_PROVIDER_SECRET). */
  providerSecret: string;
  out(line: string): void;
  /** Waits for eventually consistent answers (read models, event followers). Default 60 s. */
  settleTimeoutMs?: number;
}

export class StoryFailure extends Error {
  override readonly name = 'StoryFailure';
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface StoryUser {
  name: string;
  phone: string;
  userId: string;
  token: string;
  paymentPassword: string;
  cardId?: string;
  payments: string[];
}

export interface StoryReport {
  alice: StoryUser;
  bob: StoryUser;
  balances: Record<string, Record<string, unknown>>;
  statements: Record<string, Array<Record<string, unknown>>>;
  steps: number;
}

const LOGIN_PASSWORD = 'Wallet2026ok';
/** A random mainland mobile number (fresh users each run, so the demo can run again). */
export const randomPhone = () => `13${randomInt(0, 1_000_000_000).toString().padStart(9, '0')}`;
export const DEV_PROVIDER_SECRET = 'dev-provider-secret-not-for-production';
const yuan = (fen: unknown) => {
  const value = BigInt(String(fen));
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}¥${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
};

export async function runStory(deps: StoryDeps): Promise<StoryReport> {
  let step = 0;
  const settle = deps.settleTimeoutMs ?? 60_000;

  async function call(method: 'GET' | 'POST', path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${deps.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      body = { raw: text };
    }
    return { status: response.status, body };
  }
  const post = (path: string, body: unknown, token?: string) => call('POST', path, { body, token });
  const get = (path: string, token?: string) => call('GET', path, { token });

  const describe = (reply: Reply) =>
    reply.status >= 400
      ? `${reply.status} ${String(reply.body['code'])}: ${String(reply.body['detail'])}`
      : `${reply.status} ${JSON.stringify(reply.body)}`;

  /** A step that must succeed with `status`. */
  function ok(title: string, reply: Reply, status: number, summary?: (body: Record<string, unknown>) => string): Record<string, unknown> {
    step++;
    if (reply.status !== status) {
      deps.out(`${String(step).padStart(2)}. ${title}\n    ✘ unexpected: ${describe(reply)}`);
      throw new StoryFailure(`step ${step} (${title}): expected ${status}, got ${describe(reply)}`);
    }
    deps.out(`${String(step).padStart(2)}. ${title}\n    ✔ ${status}${summary ? ` ${summary(reply.body)}` : ''}`);
    return reply.body;
  }

  /** A step the story expects to be refused with one of `codes`. */
  function refused(title: string, reply: Reply, ...codes: string[]): void {
    step++;
    const code = String(reply.body['code']);
    if (reply.status < 400 || !codes.includes(code)) {
      deps.out(`${String(step).padStart(2)}. ${title}\n    ✘ unexpected: ${describe(reply)}`);
      throw new StoryFailure(`step ${step} (${title}): expected ${codes.join(' or ')}, got ${describe(reply)}`);
    }
    deps.out(`${String(step).padStart(2)}. ${title}\n    ✘ refused as expected: ${reply.status} ${code} (${String(reply.body['detail'])})`);
  }

  async function until(probe: () => Promise<Reply>, done: (reply: Reply) => boolean): Promise<Reply> {
    const deadline = Date.now() + settle;
    for (;;) {
      const reply = await probe();
      if (done(reply) || Date.now() > deadline) return reply;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  const section = (title: string) => deps.out(`\n── ${title}`);
  const code = async (phone: string, purpose: string, title: string) => {
    ok(title, await post('/verification-codes', { phone, purpose }), 202, (body) => `SMS sent to ${String(body['maskedPhone'])}`);
    return deps.smsCode(phone);
  };
  const newPaymentId = (label: string) => `demo-${label}-${randomUUID()}`;
  const paid = (body: Record<string, unknown>) => `${String(body['status'])} (${String(body['paymentId'])})`;

  const alice: StoryUser = { name: '张三', phone: randomPhone(), userId: '', token: '', paymentPassword: '802417', payments: [] };
  const bob: StoryUser = { name: '李四', phone: randomPhone(), userId: '', token: '', paymentPassword: '364815', payments: [] };
  const support = await deps.staffToken('agent-0042', 'support');
  const teller = await deps.staffToken('teller-0042', 'teller');
  const supervisor = await deps.staffToken('supervisor-0007', 'supervisor');

  // ── Registration
  section('Registration with an SMS code');
  const aliceCode = await code(alice.phone, 'registration', `张三 asks for a registration code for ${alice.phone}`);
  alice.userId = String(
    ok(
      '张三 registers with the code and a login password',
      await post('/users', {
        phone: alice.phone,
        code: aliceCode,
        loginPassword: LOGIN_PASSWORD,
        name: alice.name,
        deviceId: 'zhangsan-phone-1',
      }),
      201,
      (b) => `userId ${String(b['userId'])}, ${String(b['identityLevel'])}`,
    )['userId'],
  );
  const bobCode = await code(bob.phone, 'registration', `李四 asks for a registration code for ${bob.phone}`);
  ok(
    'A supervisor opens a maintenance window (POST /support/maintenance)',
    await post(
      '/support/maintenance',
      { on: true, until: new Date(Date.now() + 10 * 60_000).toISOString(), message: 'upgrade until 02:00' },
      supervisor,
    ),
    200,
    (b) => `on=${String(b['on'])}`,
  );
  refused(
    '李四 tries to register during maintenance',
    await post('/users', { phone: bob.phone, code: bobCode, loginPassword: LOGIN_PASSWORD, name: bob.name, deviceId: 'lisi-phone-1' }),
    'SYSTEM_MAINTENANCE',
  );
  ok(
    'The supervisor closes the maintenance window',
    await post('/support/maintenance', { on: false }, supervisor),
    200,
    (b) => `on=${String(b['on'])}`,
  );
  bob.userId = String(
    ok(
      '李四 registers again with the same code',
      await post('/users', { phone: bob.phone, code: bobCode, loginPassword: LOGIN_PASSWORD, name: bob.name, deviceId: 'lisi-phone-1' }),
      201,
      (b) => `userId ${String(b['userId'])}`,
    )['userId'],
  );
  refused(
    "Someone asks for a registration code for 张三's number (already registered)",
    await post('/verification-codes', { phone: alice.phone, purpose: 'registration' }),
    'PHONE_ALREADY_REGISTERED',
  );

  // ── Passwords, cards, wallet
  section('Log in, set payment passwords, bind cards, open wallets');
  for (const [user, device] of [
    [alice, 'zhangsan-phone-1'],
    [bob, 'lisi-phone-1'],
  ] as const) {
    user.token = String(
      ok(
        `${user.name} logs in`,
        await post('/sessions', { phone: user.phone, loginPassword: LOGIN_PASSWORD, deviceId: device }),
        200,
        (b) => `access token until ${String(b['accessTokenExpiresAt'])}`,
      )['accessToken'],
    );
    ok(
      `${user.name} sets a payment password`,
      await post(`/users/${user.userId}/payment-password`, { paymentPassword: user.paymentPassword }, user.token),
      200,
    );
  }
  const debit = deps.cards.zhangSanDebit;
  const bound = await post(
    `/users/${alice.userId}/cards`,
    { cardNumber: debit.number, holderName: debit.holderName, reservedPhone: debit.reservedPhone },
    alice.token,
  );
  if (bound.status === 409 && bound.body['code'] === 'CARD_BOUND_TO_ANOTHER_USER') {
    deps.out('    (the simulator card is still bound to a user of an interrupted earlier run: `npm run reset` clears the stack)');
  }
  alice.cardId = String(
    ok(
      '张三 binds his ICBC debit card',
      bound,
      201,
      (b) => `${String(b['maskedNumber'])} ${String(b['issuer'])} ${String(b['cardType'])}, default=${String(b['isDefault'])}`,
    )['cardId'],
  );
  const abc = deps.cards.nonIcbc;
  refused(
    '张三 tries to bind his Agricultural Bank card',
    await post(
      `/users/${alice.userId}/cards`,
      { cardNumber: abc.number, holderName: abc.holderName, reservedPhone: abc.reservedPhone },
      alice.token,
    ),
    'CARD_NOT_SUPPORTED',
  );
  const liSi = deps.cards.liSi;
  bob.cardId = String(
    ok(
      '李四 binds his ICBC card',
      await post(
        `/users/${bob.userId}/cards`,
        { cardNumber: liSi.number, holderName: liSi.holderName, reservedPhone: liSi.reservedPhone },
        bob.token,
      ),
      201,
      (b) => String(b['maskedNumber']),
    )['cardId'],
  );
  for (const user of [alice, bob]) {
    // The wallet learns of the payment password and the card from events: retry until it knows.
    const opened = await until(
      () => post(`/users/${user.userId}/wallet`, {}, user.token),
      (r) => r.status !== 422,
    );
    ok(`${user.name} opens the wallet (开通)`, opened, 201, (b) => `walletId ${String(b['walletId'])}, tier ${String(b['tier'])}`);
  }

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
  const callback = { paymentId: wechat, provider: 'wechat', providerReference: `wx-${randomUUID()}`, amountMinor: '20000' };
  const signature = createHmac('sha256', deps.providerSecret)
    .update(`${callback.provider}|${callback.paymentId}|${callback.providerReference}|${callback.amountMinor}`)
    .digest('hex');
  refused(
    'A forged WeChat callback (bad signature)',
    await post('/provider-callbacks', { ...callback, signature: '0'.repeat(64) }),
    'INVALID_SIGNATURE',
  );
  ok('WeChat confirms the top-up (signed callback)', await post('/provider-callbacks', { ...callback, signature }), 200, paid);
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

  // ── Money out
  section('Pay, transfer, pay a bill');
  const pay = (
    user: StoryUser,
    label: string,
    merchantId: string,
    channel: string,
    amountMinor: string,
    paymentPassword = user.paymentPassword,
  ) => {
    const paymentId = newPaymentId(label);
    user.payments.push(paymentId);
    return post(
      `/users/${user.userId}/payments`,
      { paymentId, merchantId, channel, amountMinor, paymentPassword, description: label },
      user.token,
    );
  };
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

  // ── Forgotten payment password
  section('Forgotten payment password');
  const resetCode = await code(alice.phone, 'payment_password_reset', '张三 forgot his payment password and asks for a reset code');
  const newPassword = '570392';
  ok(
    '张三 sets a new payment password with the code',
    await post('/payment-password/reset', { phone: alice.phone, code: resetCode, newPaymentPassword: newPassword }),
    200,
  );
  refused(
    'The old payment password no longer works',
    await pay(alice, 'old-password', 'm-canteen', 'pos', '1000'),
    'WRONG_PAYMENT_PASSWORD',
  );
  alice.paymentPassword = newPassword;

  // ── Lost phone
  section('Lost phone: freeze, new phone, unfreeze');
  ok(
    '张三 calls the hotline; support freezes his account',
    await post(`/support/users/${alice.userId}/freeze`, { reason: 'hotline 95588: phone lost' }, support),
    200,
    (b) => `frozen at ${String(b['frozenAt'])}`,
  );
  refused(
    'Whoever has the phone tries to pay ¥20.00',
    await pay(alice, 'thief', 'm-canteen', 'pos', '2000'),
    'ACCOUNT_FROZEN',
    'WALLET_FROZEN',
  );
  refused(
    '张三 logs in on his new phone',
    await post('/sessions', { phone: alice.phone, loginPassword: LOGIN_PASSWORD, deviceId: 'zhangsan-phone-2' }),
    'STEP_UP_REQUIRED',
  );
  const stepUp = await code(alice.phone, 'login_step_up', '张三 asks for a step-up code on the new phone');
  alice.token = String(
    ok(
      '张三 logs in on the new phone with the step-up code',
      await post('/sessions', { phone: alice.phone, loginPassword: LOGIN_PASSWORD, deviceId: 'zhangsan-phone-2', stepUpCode: stepUp }),
      200,
      (b) => `newDevice=${String(b['newDevice'])}, frozen=${String(b['frozen'])}`,
    )['accessToken'],
  );
  const unfreezeCode = await code(alice.phone, 'unfreeze', '张三 asks for an unfreeze code');
  ok(
    '张三 unfreezes with the code and his (new) payment password',
    await post(`/users/${alice.userId}/unfreeze`, { code: unfreezeCode, paymentPassword: alice.paymentPassword }, alice.token),
    200,
  );
  const active = await until(
    () => get(`/users/${alice.userId}/wallet`, alice.token),
    (r) => r.status === 200 && r.body['status'] !== 'frozen',
  );
  ok(
    "张三's balance is intact",
    active,
    200,
    (b) => `${String(b['status'])}, total ${yuan(b['totalMinor'])}, available ${yuan(b['availableMinor'])}`,
  );
  ok('张三 pays ¥15.00 at the canteen from the new phone', await pay(alice, 'canteen', 'm-canteen', 'pos', '1500'), 200, paid);

  // ── Statements
  section('Statements');
  const balances: StoryReport['balances'] = {};
  const statements: StoryReport['statements'] = {};
  for (const user of [alice, bob]) {
    const balance = ok(
      `${user.name}'s wallet`,
      await get(`/users/${user.userId}/wallet`, user.token),
      200,
      (b) => `total ${yuan(b['totalMinor'])}, held ${yuan(b['heldMinor'])}, available ${yuan(b['availableMinor'])}`,
    );
    balances[user.name] = balance;
    // The statement is a read model: wait until it shows every payment of the story, each settled.
    const settled = (reply: Reply) => {
      const listed = (reply.body['payments'] as Array<Record<string, unknown>> | undefined) ?? [];
      return (
        reply.status === 200 && user.payments.every((id) => listed.some((row) => row['paymentId'] === id && row['status'] !== 'pending'))
      );
    };
    const list = await until(() => get(`/users/${user.userId}/payments?limit=100`, user.token), settled);
    if (!settled(list)) throw new StoryFailure(`${user.name}'s statement does not show every payment: ${describe(list)}`);
    const rows = [...((list.body['payments'] as Array<Record<string, unknown>>) ?? [])].reverse();
    step++;
    deps.out(
      `${String(step).padStart(2)}. ${user.name}'s statement (GET /users/{userId}/payments), oldest first\n    ✔ 200 ${rows.length} payments`,
    );
    for (const row of rows) {
      deps.out(
        `      ${String(row['createdAt']).slice(11, 19)}  ${String(row['kind']).padEnd(14)} ${yuan(row['amountMinor']).padStart(10)}  ${String(row['counterparty']).padEnd(24)} ${String(row['status'])} ${String(row['failureCode'] ?? '')}`,
      );
    }
    statements[user.name] = rows;
  }
  // 李四's incoming transfer is 张三's payment (one payment, two wallets): the wallets' ledgers show both sides.

  section('Clean-up: the simulator has one 张三 debit card and one 李四 card; unbind them so the demo can run again');
  for (const user of [alice, bob]) {
    ok(
      `${user.name} unbinds his card with the payment password`,
      await post(`/users/${user.userId}/cards/${String(user.cardId)}/unbind`, { paymentPassword: user.paymentPassword }, user.token),
      200,
      (b) => `remaining cards ${String(b['remainingCards'])}`,
    );
  }
  return { alice, bob, balances, statements, steps: step };
}
