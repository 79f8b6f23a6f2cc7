import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { identityContract, paymentsContract, type CommandResult } from '@ledger/contracts';
import { GOOD_LOGIN_PASSWORD, PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';
import { READ_SCHEMA, USER_PAYMENTS_SUBSCRIPTION, type UserPaymentsPage } from '@ledger/payments-service/testing';

jest.setTimeout(180_000);

type Accepted = Extract<CommandResult, { status: 'accepted' }>;

/**
 * The user's-payments read model (PostgreSQL, fed by a checkpointed projection), the status query
 * and the risk rules, over the real broker and store (identity and wallet real, in this process).
 */
describe("a user's payments, the payment status query and the risk rules", () => {
  let h: PaymentsHarness;
  let payer: Payer;

  beforeAll(async () => {
    h = await PaymentsHarness.start('pay_queries', { risk: { velocityPerMinute: 4, newDeviceThresholdMinor: 5_000n } });
    payer = await h.payer('10000');
  });

  afterAll(async () => {
    await h?.stop();
  });

  const pay = (paymentId: string, amountMinor: string, password?: string) =>
    h.send(
      paymentsContract.payMerchant,
      {
        paymentId,
        userId: payer.userId,
        walletId: payer.walletId,
        merchantId: 'm-canteen',
        channel: 'qr',
        amountMinor,
        deviceId: TEST_DEVICE,
        paymentPassword: h.password(password),
      },
      paymentId,
      `user:${payer.userId}`,
    );
  const list = (actor: string, payload: { limit?: number; before?: string } = {}) =>
    h.send(paymentsContract.listUserPayments, { userId: payer.userId, ...payload }, payer.userId, actor);
  const pageOf = (result: CommandResult) => (result as Accepted).data as unknown as UserPaymentsPage;

  it("lists the user's payments newest first with status, failure code and counterparty, in bounded pages; GetPayment gives status and outcome", async () => {
    const first = randomUUID();
    const second = randomUUID();
    const third = randomUUID();
    expect(await pay(first, '100')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(await pay(second, '200', '999999')).toMatchObject({ status: 'rejected', code: 'WRONG_PAYMENT_PASSWORD' });
    expect(await pay(third, '300')).toMatchObject({ status: 'accepted', data: { status: 'completed' } });

    const all = await h.until(
      () => list(`user:${payer.userId}`),
      (result) => result.status === 'accepted' && pageOf(result).payments.filter((p) => p.status !== 'pending').length === 3,
    );
    const payments = pageOf(all).payments;
    expect(payments.map((p) => p.paymentId)).toEqual([third, second, first]);
    expect(payments[0]).toMatchObject({
      userId: payer.userId,
      kind: 'merchant',
      amountMinor: '300',
      counterparty: 'merchant:m-canteen',
      status: 'completed',
    });
    expect(payments[0]?.failureCode).toBeUndefined();
    expect(payments[1]).toMatchObject({ amountMinor: '200', status: 'failed', failureCode: 'WRONG_PAYMENT_PASSWORD' });
    expect(pageOf(all).nextCursor).toBeUndefined();

    // Bounded pages: two, then the rest after the cursor.
    const page1 = pageOf(await list(`user:${payer.userId}`, { limit: 2 }));
    expect(page1.payments.map((p) => p.paymentId)).toEqual([third, second]);
    expect(page1.nextCursor).toBeDefined();
    const page2 = pageOf(await list(`user:${payer.userId}`, { limit: 2, before: page1.nextCursor }));
    expect(page2.payments.map((p) => p.paymentId)).toEqual([first]);
    expect(page2.nextCursor).toBeUndefined();
    expect(await list(`user:${payer.userId}`, { limit: 101 })).toMatchObject({ status: 'rejected', code: 'INVALID_COMMAND' });
    expect(await list(`user:${payer.userId}`, { before: 'not-a-cursor' })).toMatchObject({ status: 'rejected', code: 'INVALID_COMMAND' });

    // Only the user themself or support.
    expect(await list('support:agent-7')).toMatchObject({ status: 'accepted' });
    expect(await list('user:someone-else')).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
    expect(await list('system:gateway')).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });

    // GetPayment reads the payment's own stream: status and outcome.
    expect(await h.send(paymentsContract.getPayment, { paymentId: second }, second, `user:${payer.userId}`)).toMatchObject({
      status: 'accepted',
      data: { paymentId: second, status: 'failed', failure: { code: 'WRONG_PAYMENT_PASSWORD' } },
    });
    expect(await h.send(paymentsContract.getPayment, { paymentId: third }, third, `user:${payer.userId}`)).toMatchObject({
      status: 'accepted',
      data: { status: 'completed', amountMinor: '300' },
    });
    expect(await h.send(paymentsContract.getPayment, { paymentId: third }, third, 'user:someone-else')).toMatchObject({
      status: 'rejected',
      code: 'FORBIDDEN',
    });
    expect(await h.send(paymentsContract.getPayment, { paymentId: randomUUID() }, 'x', `user:${payer.userId}`)).toMatchObject({
      status: 'rejected',
      code: 'PAYMENT_NOT_FOUND',
    });

    // The projection's checkpoint is kept next to its rows (written in the same transaction).
    const db = new Client({ connectionString: h.paymentsDb.url });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT cursor FROM ${READ_SCHEMA}.checkpoints WHERE name = $1`, [USER_PAYMENTS_SUBSCRIPTION]);
      expect(rows).toHaveLength(1);
    } finally {
      await db.end();
    }
  });

  const payAs = (who: Payer, amountMinor: string, deviceId: string, stepUpCode?: string, merchantId = 'm-canteen') => {
    const paymentId = randomUUID();
    const payload = {
      paymentId,
      userId: who.userId,
      walletId: who.walletId,
      merchantId,
      channel: 'qr' as const,
      amountMinor,
      deviceId,
      paymentPassword: h.password(),
    };
    return h
      .send(paymentsContract.payMerchant, stepUpCode === undefined ? payload : { ...payload, stepUpCode }, paymentId, `user:${who.userId}`)
      .then((result) => ({ paymentId, result }));
  };

  const alertsOf = async (userId: string, atLeast: number): Promise<Array<{ signal: string; description: string }>> => {
    const db = new Client({ connectionString: h.identity.db.url });
    await db.connect();
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await db.query<{ signal: string; description: string }>(
          'SELECT signal, description FROM identity_read.risk_alerts WHERE user_id = $1',
          [userId],
        );
        if (rows.length >= atLeast || Date.now() > deadline) return rows;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await db.end();
    }
  };

  it('velocity: the payment after N within a minute is refused RISK_VELOCITY_EXCEEDED before money moves, and identity gets a risk alert', async () => {
    const fast = await h.payer('100000');
    // The user's own input errors are not payments made: they do not count toward the limit.
    for (let i = 0; i < 4; i++)
      expect((await payAs(fast, '100', TEST_DEVICE, undefined, 'm-nowhere')).result).toMatchObject({
        status: 'rejected',
        code: 'MERCHANT_NOT_SUPPORTED',
      });
    for (let i = 0; i < 4; i++)
      expect((await payAs(fast, '100', TEST_DEVICE)).result).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    const before = await h.balance(fast.walletId);
    const refused = await payAs(fast, '100', TEST_DEVICE);
    expect(refused.result).toMatchObject({ status: 'rejected', code: 'RISK_VELOCITY_EXCEEDED', details: { rule: 'velocity' } });
    // It says when to try again: when the oldest payment of the minute leaves the window.
    const retryAfterMs = refused.result.status === 'rejected' ? Number(refused.result.details?.['retryAfterMs']) : Number.NaN;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    // Refused before it started: no payment, no money moved.
    expect(await h.send(paymentsContract.getPayment, { paymentId: refused.paymentId }, refused.paymentId)).toMatchObject({
      status: 'rejected',
      code: 'PAYMENT_NOT_FOUND',
    });
    expect(await h.balance(fast.walletId)).toEqual(before);
    const alerts = await alertsOf(fast.userId, 1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ signal: 'suspicious_transactions' });
    expect(alerts[0]?.description).toContain('RISK_VELOCITY_EXCEEDED');
  });

  it('new device: the first payment above the threshold needs step-up (STEP_UP_REQUIRED); known devices and small amounts pass', async () => {
    const user = await h.payer('100000');
    expect((await payAs(user, '100', 'phone-a')).result).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect((await payAs(user, '6000', 'phone-b')).result).toMatchObject({
      status: 'rejected',
      code: 'STEP_UP_REQUIRED',
      details: { rule: 'new_device' },
    });
    expect((await payAs(user, '6000', 'phone-b')).result).toMatchObject({
      status: 'rejected',
      code: 'STEP_UP_REQUIRED',
      details: { rule: 'new_device' },
    });
    expect((await payAs(user, '6000', 'phone-a')).result).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect((await payAs(user, '5000', 'phone-c')).result).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(await h.balance(user.walletId)).toMatchObject({ totalMinor: String(100000 - 100 - 6000 - 5000), heldMinor: '0' });
    expect(await alertsOf(user.userId, 2)).toHaveLength(2);
    const risk = await h.paymentsStore.readStream(`risk-${user.userId}`);
    expect(risk.filter((event) => event.type === 'payments.RiskAlertRaised.v1')).toHaveLength(2);
  });

  it('step-up: a new device above the threshold pays with a valid SMS code (verified by identity) and is known afterwards; a wrong code moves nothing', async () => {
    const user = await h.payer('100000');
    expect((await payAs(user, '100', 'phone-a')).result).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect((await payAs(user, '6000', 'phone-b')).result).toMatchObject({
      status: 'rejected',
      code: 'STEP_UP_REQUIRED',
      details: { rule: 'new_device' },
    });

    const requested = await h.identity.send(
      identityContract.requestVerificationCode,
      { phone: h.identity.enc('phone', user.phone), purpose: 'login_step_up' },
      'anonymous',
      { key: h.identity.phoneKey(user.phone) },
    );
    expect(requested).toMatchObject({ status: 'accepted' });
    const code = h.identity.latestCode(user.phone);
    const wrongCode = code === '000000' ? '111111' : '000000';
    const before = await h.balance(user.walletId);

    // A wrong code: refused with identity's code, nothing started, nothing moved.
    const wrong = await payAs(user, '6000', 'phone-b', h.identity.enc('stepUpCode', wrongCode));
    expect(wrong.result).toMatchObject({ status: 'rejected', code: 'INVALID_CODE', details: { rule: 'new_device', stepUp: 'rejected' } });
    expect(await h.send(paymentsContract.getPayment, { paymentId: wrong.paymentId }, wrong.paymentId)).toMatchObject({
      status: 'rejected',
      code: 'PAYMENT_NOT_FOUND',
    });
    expect(await h.balance(user.walletId)).toEqual(before);

    // The right code: the payment completes.
    const paid = await payAs(user, '6000', 'phone-b', h.identity.enc('stepUpCode', code));
    expect(paid.result).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    expect(await h.balance(user.walletId)).toMatchObject({ totalMinor: String(BigInt(before.totalMinor) - 6000n), heldMinor: '0' });

    // The device is known now: to the risk rules (no step-up any more) and to identity (a login from it needs none).
    expect((await payAs(user, '7000', 'phone-b')).result).toMatchObject({ status: 'accepted', data: { status: 'completed' } });
    const login = await h.identity.send(
      identityContract.login,
      {
        phone: h.identity.enc('phone', user.phone),
        loginPassword: h.identity.enc('loginPassword', GOOD_LOGIN_PASSWORD),
        deviceId: 'phone-b',
      },
      'anonymous',
      { key: h.identity.phoneKey(user.phone) },
    );
    expect(login).toMatchObject({ status: 'accepted', data: { newDevice: false } });
    const userEvents = await readUserStream(user.userId);
    expect(userEvents.filter((type) => type === 'identity.DeviceVerified.v1')).toHaveLength(1);

    // The code is used up: it does not let another new device through.
    expect((await payAs(user, '6000', 'phone-c', h.identity.enc('stepUpCode', code))).result).toMatchObject({
      status: 'rejected',
      code: 'CODE_ALREADY_USED',
    });
    expect(await h.balance(user.walletId)).toMatchObject({ totalMinor: String(BigInt(before.totalMinor) - 13000n) });
  });

  /** The event types of the user's identity stream (identity's own store, schema `identity`). */
  const readUserStream = async (userId: string): Promise<string[]> => {
    const db = new Client({ connectionString: h.identity.db.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ type: string }>('SELECT type FROM identity.events WHERE stream = $1 ORDER BY revision', [
        `user-${userId}`,
      ]);
      return rows.map((row) => row.type);
    } finally {
      await db.end();
    }
  };
});
