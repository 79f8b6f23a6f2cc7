import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { paymentsContract } from '@ledger/contracts';
import { Pool } from 'pg';
import { PaymentTimers } from '@ledger/payments-service/testing';
import { PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';

jest.setTimeout(300_000);

const repoRoot = path.resolve(__dirname, '../../../..');
const PAYERS = 10;
const PAYMENTS_PER_PAYER = 20;
const OUTCOMES = new Set(['payments.PaymentCompleted.v1', 'payments.PaymentFailed.v1']);

/**
 * The payments service runs as its own process (identity and wallet in this one); it is killed with
 * SIGKILL in the middle of a batch of concurrent payments and started again. Every payment must
 * reach exactly one outcome, every hold must be settled, and the wallet ledger must sum to zero.
 * What resumes the payments after the restart is the persisted timer table.
 */
describe('killing the payments service in the middle of concurrent payments', () => {
  let h: PaymentsHarness;
  let child: ChildProcess | undefined;
  let timersPool: Pool;
  let timers: PaymentTimers;
  const output: string[] = [];

  function startChild(extraEnv: Record<string, string> = {}): ChildProcess {
    const env = {
      ...process.env,
      DATABASE_URL: h.paymentsDb.url,
      KAFKA_TOPIC_PREFIX: h.topicPrefix,
      PARTNERS_URL: h.partners.url,
      PAYMENTS_RESUME_AFTER_MS: '1000',
      PAYMENTS_PASSWORD_GRACE_MS: '3000',
      // A burst from few payers on one device: the risk rules are tested elsewhere.
      PAYMENTS_RISK_VELOCITY_PER_MINUTE: '100000',
      PAYMENTS_RISK_NEW_DEVICE_THRESHOLD_MINOR: '1000000000000',
      ...extraEnv,
    };
    const started = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/payments/src/main.ts'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    return started;
  }

  async function kill(process: ChildProcess): Promise<void> {
    if (process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once('exit', resolve));
    process.kill('SIGKILL');
    await exited;
  }

  async function outcomesOf(paymentId: string): Promise<string[]> {
    const events = await h.paymentsStore.readStream(`payment-${paymentId}`);
    return events.filter((event) => OUTCOMES.has(event.type)).map((event) => event.type);
  }

  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function serviceAnswers(): Promise<void> {
    await h.until(
      () => h.send(paymentsContract.getPayment, { paymentId: 'warm-up' }, 'warm-up'),
      (result) => result.status === 'rejected' && result.code === 'PAYMENT_NOT_FOUND',
      90_000,
    );
  }

  beforeAll(async () => {
    h = await PaymentsHarness.start('pay_restart', {}, false, false);
    // Merchant payments stay in flight long enough for the kill to catch some mid-way.
    h.acquirer.delayMs = 150;
    timersPool = new Pool({ connectionString: h.paymentsDb.url, max: 2 });
    timers = new PaymentTimers(timersPool);
    child = startChild();
  });

  afterAll(async () => {
    if (child) await kill(child);
    await timersPool?.end();
    await h?.stop();
  });

  it('every payment reaches exactly one outcome and the ledger sums to zero', async () => {
    const payers: Payer[] = [];
    for (let i = 0; i < PAYERS; i++) payers.push(await h.payer('100000'));
    // The service answers once it is up.
    await serviceAnswers();

    // Both ways of paying a merchant: m-canteen settles in the wallet, m-bookshop goes through the (slowed) acquirer.
    const payments = payers.flatMap((payer) =>
      Array.from({ length: PAYMENTS_PER_PAYER }, (_, i) => ({
        payer,
        paymentId: randomUUID(),
        amountMinor: BigInt(100 + i),
        merchantId: i % 2 === 0 ? 'm-canteen' : 'm-bookshop',
      })),
    );
    for (const { payer, paymentId, amountMinor, merchantId } of payments) {
      void h.send(
        paymentsContract.payMerchant,
        {
          paymentId,
          userId: payer.userId,
          walletId: payer.walletId,
          merchantId,
          channel: 'qr',
          amountMinor: amountMinor.toString(),
          deviceId: TEST_DEVICE,
          paymentPassword: h.password(),
        },
        paymentId,
        `user:${payer.userId}`,
      );
    }

    // Kill once some payments are done and others are in flight.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const done = (await Promise.all(payments.slice(0, 40).map((p) => outcomesOf(p.paymentId)))).filter((o) => o.length > 0).length;
      if (done >= 5) break;
      if (Date.now() > deadline) throw new Error(`no payment finished before the kill; service output:\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await kill(child!);
    const atKill = await Promise.all(
      payments.map(async (p) => (await h.paymentsStore.readStream(`payment-${p.paymentId}`)).map((e) => e.type)),
    );
    const unfinishedAtKill = atKill.filter((types) => !types.some((t) => OUTCOMES.has(t))).length;
    const midFlightAtKill = atKill.filter((types) => types.length > 0 && !types.some((t) => OUTCOMES.has(t))).length;
    // The kill really happened in the middle of the batch, with payments half-way through their steps.
    expect(unfinishedAtKill).toBeGreaterThan(0);
    expect(midFlightAtKill).toBeGreaterThan(0);
    // (Their timers follow the recorded events, so the restarted service finds them: see payment-timers.ts.)
    child = startChild();

    // Every payment (including commands still waiting in Kafka) reaches its outcome after the restart.
    const settleBy = Date.now() + 180_000;
    let pending = payments;
    while (pending.length > 0) {
      const outcomes = await Promise.all(pending.map(async (p) => ({ p, outcomes: await outcomesOf(p.paymentId) })));
      pending = outcomes.filter((o) => o.outcomes.length === 0).map((o) => o.p);
      if (pending.length === 0) break;
      if (Date.now() > settleBy)
        throw new Error(`${pending.length} payments without an outcome; service output:\n${output.join('').slice(-5000)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    let completed = 0;
    const spentBy = new Map<string, bigint>();
    for (const { payer, paymentId, amountMinor } of payments) {
      const outcomes = await outcomesOf(paymentId);
      expect(outcomes).toHaveLength(1);
      if (outcomes[0] === 'payments.PaymentCompleted.v1') {
        completed++;
        spentBy.set(payer.walletId, (spentBy.get(payer.walletId) ?? 0n) + amountMinor);
      } else {
        const failed = (await h.paymentsStore.readStream(`payment-${paymentId}`)).find(
          (event) => event.type === 'payments.PaymentFailed.v1',
        );
        // The only acceptable failure: the password was lost with the killed process before it was checked.
        expect((failed?.data as { failure: { code: string } }).failure.code).toBe('PAYMENT_INTERRUPTED');
      }
    }
    expect(completed).toBeGreaterThan(0);
    console.info(
      `restart: ${payments.length} payments, ${unfinishedAtKill} unfinished at the kill (${midFlightAtKill} half-way), ${completed} completed, ${payments.length - completed} interrupted`,
    );
    for (const payer of payers) {
      const balance = await h.balance(payer.walletId);
      expect(balance).toMatchObject({ heldMinor: '0', totalMinor: String(100000n - (spentBy.get(payer.walletId) ?? 0n)) });
    }
    const ledger = await h.ledger();
    expect(ledger).toMatchObject({ ok: true, sumMinor: '0' });
    // Every outcome cleared its timers.
    const leftOver = (await Promise.all(payments.map((p) => timers.of(p.paymentId)))).flat();
    expect(leftOver).toEqual([]);
  });

  it('a provider deadline fires from the timer table after a restart: the top-up expires, a late callback is refused and reported', async () => {
    const payer = await h.payer('100');
    await kill(child!);
    // A short deadline, so it passes while the service is down; the deadline is recorded in the payment's first event.
    child = startChild({ PAYMENTS_PROVIDER_DEADLINE_MS: '3000' });
    await serviceAnswers();
    const paymentId = randomUUID();
    const started = await h.send(
      paymentsContract.providerTopUp,
      { paymentId, userId: payer.userId, walletId: payer.walletId, provider: 'alipay', amountMinor: '2500' },
      paymentId,
      `user:${payer.userId}`,
    );
    expect(started).toMatchObject({ status: 'accepted', data: { status: 'awaiting_provider' } });
    const deadline = String(started.status === 'accepted' ? started.data?.deadline : undefined);
    // The ProviderTopUp command is answered (nothing left in Kafka to redeliver): only the table can expire it.
    const armed = await eventually(
      () => timers.of(paymentId),
      (rows) => rows.some((t) => t.kind === 'provider_deadline'),
    );
    expect(armed.find((t) => t.kind === 'provider_deadline')?.dueAt.toISOString()).toBe(deadline);
    await kill(child!);
    while (Date.now() <= Date.parse(deadline)) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await outcomesOf(paymentId)).toEqual([]); // nobody expired it while the service was down
    child = startChild();

    const expired = await h.until(
      () => h.send(paymentsContract.getPayment, { paymentId }, paymentId, `user:${payer.userId}`),
      (result) => result.status === 'accepted' && result.data?.status === 'failed',
      90_000,
    );
    expect(expired).toMatchObject({ data: { failure: { code: 'TOPUP_EXPIRED', details: { deadline } } } });
    const callback = h.partners.providers.callbackFor({
      paymentId,
      provider: 'alipay',
      providerReference: 'ali-late-1',
      amountMinor: '2500',
    });
    const late = await h.send(paymentsContract.providerCallback, callback, paymentId, 'provider:alipay');
    expect(late).toMatchObject({ status: 'rejected', code: 'CALLBACK_AFTER_DEADLINE' });
    const types = (await h.paymentsStore.readStream(`payment-${paymentId}`)).map((event) => event.type);
    expect(types).toEqual(['payments.PaymentInitiated.v1', 'payments.PaymentFailed.v1', 'payments.LateProviderCallbackReported.v1']);
    expect(await h.balance(payer.walletId)).toMatchObject({ totalMinor: '100' });
    expect(await timers.of(paymentId)).toEqual([]);
  });
});
