/**
 * The invariants as live checks, on the real stack: the projector service (its lifecycle, as the app
 * runs it) follows real event stores on PostgreSQL and publishes its alerts to a real Kafka broker.
 * Each test plants one kind of breach, in the read models with plain SQL or in the stores with events
 * made by the real deciders, sees its alert arrive `raised` on `ops.alerts`, repairs it, and sees it
 * arrive `cleared`.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { HEADER, opsContract } from '@ledger/contracts';
import { AsyncApiValidator, buildAsyncApi } from '@ledger/contracts/asyncapi';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { ensureTopics, kafkaAuthFromEnv } from '@ledger/messaging';
import {
  createTestDatabase,
  kafkaBrokers,
  testKafka,
  TopicRecorder,
  uniqueSuffix,
  type ReceivedMessage,
  type TestDatabase,
} from '@ledger/testing';
import type { AlertSink } from './alerts/alert-sink';
import { alertMessage, KafkaAlertSink } from './alerts/alert-sink';
import type { InvariantAlert } from './alerts/alert-store';
import { InvariantMonitor } from './alerts/invariant-monitor';
import { openAnalytics } from './db/data-source';
import type { DashboardData } from './dashboard/dashboard-data';
import { ProjectorLifecycle, type ProjectorModuleOptions } from './projector.module';
import {
  holdsProjection,
  journalProjection,
  paymentOutcomesProjection,
  statementsProjection,
  walletBalancesProjection,
} from './projections';
import { projectionsCaughtUp } from './testing/visibility';
import { Traffic } from './testing/traffic';

jest.setTimeout(180_000);

const PROJECTIONS = [walletBalancesProjection, journalProjection, statementsProjection, holdsProjection, paymentOutcomesProjection];
const EVALUATION_INTERVAL_MS = 150;
const prefix = `t-${uniqueSuffix()}.`;
const topic = `${prefix}${opsContract.ALERTS_TOPIC}`;

let db: TestDatabase;
let walletStore: EventStore;
let paymentStore: EventStore;
let traffic: Traffic;
let recorder: TopicRecorder;
let service: ProjectorLifecycle;
const validator = new AsyncApiValidator(buildAsyncApi(), prefix);
let completedPaymentId: string;

const options = (): ProjectorModuleOptions => ({
  databaseUrl: db.url,
  projections: PROJECTIONS,
  pollIntervalMs: 20,
  dashboardPort: 0,
  alerts: {
    kafka: testKafka('projector-alerts'),
    topicPrefix: prefix,
    intervalMs: EVALUATION_INTERVAL_MS,
    replayIntervalMs: EVALUATION_INTERVAL_MS,
  },
});

async function startService(): Promise<ProjectorLifecycle> {
  const started = new ProjectorLifecycle(options());
  await started.onApplicationBootstrap();
  return started;
}

const dataSource = (): DataSource => service.projector.dataSource!;
const sql = (text: string, values: unknown[] = []) => dataSource().query(text, values);
const alertOf = (received: ReceivedMessage) => JSON.parse(received.message.value!.toString()) as InvariantAlert;

/** The alerts that arrived on the topic after `mark` (an index into the recorder's messages), in order. */
function alertsSince(mark: number, key?: string): InvariantAlert[] {
  return recorder.messages
    .slice(mark)
    .map(alertOf)
    .filter((alert) => key === undefined || alert.key === key);
}

/** Waits for the first alert of `key` in `state` that arrived after `mark`. */
async function alertArrives(
  key: string,
  state: 'raised' | 'cleared',
  mark: number,
): Promise<{ alert: InvariantAlert; received: ReceivedMessage }> {
  const received = await recorder.waitFor((candidate) => {
    if (recorder.messages.indexOf(candidate) < mark) return false;
    const alert = alertOf(candidate);
    return alert.key === key && alert.state === state;
  }, 30_000);
  return { alert: alertOf(received), received };
}

/** Waits until the running monitor has evaluated `count` more times. */
async function evaluations(count: number): Promise<void> {
  const target = service.monitor!.evaluations + count;
  const deadline = Date.now() + 30_000;
  while (service.monitor!.evaluations < target) {
    if (Date.now() > deadline) throw new Error(`the monitor did not evaluate ${count} times within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function caughtUp(): Promise<void> {
  await projectionsCaughtUp(service.projector, db.url, PROJECTIONS);
}

beforeAll(async () => {
  db = await createTestDatabase('projector_alerts');
  walletStore = createEventStore(db.url, { schema: 'wallet', poolSize: 2 });
  paymentStore = createEventStore(db.url, { schema: 'payments', poolSize: 2 });
  await walletStore.init();
  await paymentStore.init();
  traffic = new Traffic(walletStore, paymentStore, '2026-06-01T00:00:00.000Z');
  await traffic.openFunded('a1', 10_000n);
  await traffic.openFunded('a2', 5_000n);
  completedPaymentId = await traffic.merchantPayment('a1', 'm-canteen', 1_000n);
  await traffic.merchantPayment('a2', 'm-bookshop', 500n, 'declined');
  // One partition, as deployed: the test reads the alerts in the order they were sent.
  const admin = testKafka('alerts-admin').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [topic], 1);
  } finally {
    await admin.disconnect();
  }
  recorder = await new TopicRecorder(testKafka('alerts-recorder'), [topic]).start();
  service = await startService();
  await caughtUp();
  await evaluations(2);
});

afterAll(async () => {
  await service?.onApplicationShutdown();
  await recorder?.stop();
  await walletStore?.close();
  await paymentStore?.close();
  await db?.drop();
});

describe('invariant alerts on ops.alerts', () => {
  it('given consistent read models, the monitor evaluates on its interval and raises nothing', async () => {
    await evaluations(3);
    expect(service.monitor!.evaluations).toBeGreaterThanOrEqual(5);
    expect(alertsSince(0)).toEqual([]);
    expect(await sql(`SELECT key FROM analytics.invariant_alerts`)).toEqual([]);
  });

  it('given a balanced ledger, when an account of the trial balance is changed, then ledger-balanced:CNY is raised once (a valid ops.alerts message), and cleared once it is put back', async () => {
    const key = 'ledger-balanced:CNY';
    const mark = recorder.messages.length;
    await sql(`UPDATE analytics.trial_balance SET balance_minor = balance_minor + 7 WHERE account = 'clearing:card:ICBC'`);
    const { alert: raised, received } = await alertArrives(key, 'raised', mark);
    expect(raised).toMatchObject({
      key,
      invariant: 'ledger-balanced',
      subject: 'CNY',
      state: 'raised',
      severity: 'critical',
      details: [],
      detailsTotal: 0,
    });
    expect(raised.summary).toMatch(/sums to 7 fen over \d+ accounts, not 0/);
    expect(raised.at).toBe(raised.firstSeenAt);
    // The message is what the AsyncAPI document says: channel, key, headers and payload schema.
    expect(received.message.key?.toString()).toBe(key);
    expect(received.message.headers?.[HEADER.messageId]?.toString()).toBe(raised.alertId);
    expect(validator.check({ topic, key: received.message.key, headers: received.message.headers, value: received.message.value })).toEqual(
      {
        topic,
        channel: 'opsAlerts',
        message: opsContract.INVARIANT_ALERT_TYPE,
        violations: [],
      },
    );

    // Raised when it starts, not on every evaluation.
    await evaluations(4);
    expect(alertsSince(mark, key).map((alert) => alert.state)).toEqual(['raised']);

    await sql(`UPDATE analytics.trial_balance SET balance_minor = balance_minor - 7 WHERE account = 'clearing:card:ICBC'`);
    const { alert: cleared } = await alertArrives(key, 'cleared', mark);
    expect(cleared).toMatchObject({ key, state: 'cleared', severity: 'critical', details: [], firstSeenAt: raised.firstSeenAt });
    expect(cleared.alertId).not.toBe(raised.alertId);
    expect(Date.parse(cleared.at)).toBeGreaterThan(Date.parse(raised.at));
    await evaluations(3);
    expect(alertsSince(mark, key).map((alert) => alert.state)).toEqual(['raised', 'cleared']);
  });

  it('given a completed payment, when its row counts a second outcome, then payment-single-outcome:payments names it (and its row differs from its replay); put back, both clear', async () => {
    const mark = recorder.messages.length;
    await sql(`UPDATE analytics.payments SET outcome_count = 2 WHERE payment_id = $1`, [completedPaymentId]);
    const { alert } = await alertArrives('payment-single-outcome:payments', 'raised', mark);
    expect(alert).toMatchObject({
      severity: 'critical',
      details: [completedPaymentId],
      detailsTotal: 1,
      summary: '1 payment with more than one outcome',
    });
    const { alert: replay } = await alertArrives('read-model-equals-replay:payment_outcomes', 'raised', mark);
    expect(replay).toMatchObject({ severity: 'warning', details: [`payment-${completedPaymentId}`] });

    await sql(`UPDATE analytics.payments SET outcome_count = 1 WHERE payment_id = $1`, [completedPaymentId]);
    await alertArrives('payment-single-outcome:payments', 'cleared', mark);
    await alertArrives('read-model-equals-replay:payment_outcomes', 'cleared', mark);
  });

  it('given an outcome of a payment that never started, then payment-outcome-has-payment:payments is raised naming it; removed, it clears', async () => {
    const mark = recorder.messages.length;
    await sql(
      `INSERT INTO analytics.payments (payment_id, kind, status, outcome_at, outcome_count) VALUES ('p-orphan', 'merchant', 'completed', now(), 1)`,
    );
    const { alert } = await alertArrives('payment-outcome-has-payment:payments', 'raised', mark);
    expect(alert).toMatchObject({ invariant: 'payment-outcome-has-payment', details: ['p-orphan'], detailsTotal: 1 });
    // No event made that row: the replay of its stream builds none.
    const { alert: replay } = await alertArrives('read-model-equals-replay:payment_outcomes', 'raised', mark);
    expect(replay.details).toEqual(['payment-p-orphan']);

    await sql(`DELETE FROM analytics.payments WHERE payment_id = 'p-orphan'`);
    await alertArrives('payment-outcome-has-payment:payments', 'cleared', mark);
    await alertArrives('read-model-equals-replay:payment_outcomes', 'cleared', mark);
  });

  it('given a payment started and never driven on, then payment-outcome-in-time:payments is raised once it is late; its outcome clears it', async () => {
    const mark = recorder.messages.length;
    // Started on the traffic clock, months ago: far past the 5 h an outcome may take.
    const { paymentId } = await traffic.abandonedPayment('a1', 'm-coffee', 300n);
    const { alert } = await alertArrives('payment-outcome-in-time:payments', 'raised', mark);
    expect(alert).toMatchObject({ severity: 'warning', details: [paymentId], detailsTotal: 1 });
    expect(alert.summary).toBe('1 payment without an outcome more than 300 min after the start');

    await traffic.failPayment(paymentId);
    const { alert: cleared } = await alertArrives('payment-outcome-in-time:payments', 'cleared', mark);
    expect(cleared.firstSeenAt).toBe(alert.firstSeenAt);
    expect(alertsSince(mark).map((a) => `${a.key} ${a.state}`)).toEqual([
      'payment-outcome-in-time:payments raised',
      'payment-outcome-in-time:payments cleared',
    ]);
  });

  it('given a reservation nobody closes, when its expiry is past, then hold-closed-by-expiry:wallet_holds names it; its expiry clears it', async () => {
    const mark = recorder.messages.length;
    await traffic.wallet('a2', (now) => ({
      type: 'ReserveFunds',
      walletId: 'a2',
      holdId: 'hold-forgotten',
      amountMinor: 400n,
      expiresAt: new Date(Date.parse(now) + 30_000).toISOString(),
      reference: 'payment-forgotten',
      counterparty: 'merchant:m-coffee',
      now,
    }));
    const { alert } = await alertArrives('hold-closed-by-expiry:wallet_holds', 'raised', mark);
    expect(alert).toMatchObject({ severity: 'warning', details: ['a2/hold-forgotten'], detailsTotal: 1 });

    await traffic.wallet('a2', (now) => ({ type: 'ExpireHold', walletId: 'a2', holdId: 'hold-forgotten', now }));
    await alertArrives('hold-closed-by-expiry:wallet_holds', 'cleared', mark);
    // Real events only: the read models still equal their replay and the wallet its postings.
    expect(alertsSince(mark).map((a) => `${a.key} ${a.state}`)).toEqual([
      'hold-closed-by-expiry:wallet_holds raised',
      'hold-closed-by-expiry:wallet_holds cleared',
    ]);
  });

  it("given wallets that agree with their postings, when a wallet's balance is changed, then wallet-balance-equals-postings:wallets names it, and wallet_balances differs from its replay; put back, both clear", async () => {
    const mark = recorder.messages.length;
    await sql(`UPDATE analytics.wallet_balances SET balance_minor = balance_minor + 5 WHERE wallet_id = 'a2'`);
    const { alert } = await alertArrives('wallet-balance-equals-postings:wallets', 'raised', mark);
    expect(alert).toMatchObject({ severity: 'critical', details: ['a2'], detailsTotal: 1 });
    const { alert: replay } = await alertArrives('read-model-equals-replay:wallet_balances', 'raised', mark);
    expect(replay.details).toEqual(['wallet-a2']);

    await sql(`UPDATE analytics.wallet_balances SET balance_minor = balance_minor - 5 WHERE wallet_id = 'a2'`);
    await alertArrives('wallet-balance-equals-postings:wallets', 'cleared', mark);
    await alertArrives('read-model-equals-replay:wallet_balances', 'cleared', mark);
  });

  it("given a statement equal to its replay, when a line's counterparty is changed, then read-model-equals-replay:statements names the wallet's stream and the table; put back, it clears", async () => {
    const mark = recorder.messages.length;
    const [line] = (await sql(
      `SELECT seq, counterparty FROM analytics.statement_lines WHERE wallet_id = 'a1' ORDER BY seq LIMIT 1`,
    )) as Array<{
      seq: string;
      counterparty: string;
    }>;
    await sql(`UPDATE analytics.statement_lines SET counterparty = 'merchant:m-forged' WHERE wallet_id = 'a1' AND seq = $1`, [line!.seq]);
    const { alert } = await alertArrives('read-model-equals-replay:statements', 'raised', mark);
    expect(alert).toMatchObject({ severity: 'warning', details: ['wallet-a1'], detailsTotal: 1 });
    expect(alert.summary).toBe('statements differs from its replay for 1 stream (statement_lines)');

    await sql(`UPDATE analytics.statement_lines SET counterparty = $2 WHERE wallet_id = 'a1' AND seq = $1`, [
      line!.seq,
      line!.counterparty,
    ]);
    await alertArrives('read-model-equals-replay:statements', 'cleared', mark);
    // The balances were not touched: nothing else was raised.
    expect(alertsSince(mark).map((a) => `${a.key} ${a.state}`)).toEqual([
      'read-model-equals-replay:statements raised',
      'read-model-equals-replay:statements cleared',
    ]);
  });

  it('given a raised alert, the dashboard lists it with what and since when, and the restarted projector neither raises it again nor forgets it', async () => {
    const key = 'payment-single-outcome:payments';
    const mark = recorder.messages.length;
    await sql(`UPDATE analytics.payments SET outcome_count = 3 WHERE payment_id = $1`, [completedPaymentId]);
    const { alert: raised } = await alertArrives(key, 'raised', mark);

    const data = (await (await fetch(`${service.dashboard!.url}/api/dashboard`)).json()) as DashboardData;
    expect(data.alerts.find((live) => live.key === key)).toMatchObject({
      invariant: 'payment-single-outcome',
      severity: 'critical',
      details: [completedPaymentId],
      firstSeenAt: raised.firstSeenAt,
    });
    const page = await (await fetch(`${service.dashboard!.url}/`)).text();
    expect(page).toContain(`data-alert="${key}"`);
    expect(page).toContain(`<time datetime="${raised.firstSeenAt}">`);

    await service.onApplicationShutdown();
    service = await startService();
    await caughtUp();
    await evaluations(4);
    expect(alertsSince(mark, key).map((alert) => alert.state)).toEqual(['raised']);

    await sql(`UPDATE analytics.payments SET outcome_count = 1 WHERE payment_id = $1`, [completedPaymentId]);
    const { alert: cleared } = await alertArrives(key, 'cleared', mark);
    expect(cleared.firstSeenAt).toBe(raised.firstSeenAt);
    await alertArrives('read-model-equals-replay:payment_outcomes', 'cleared', mark);
    const after = (await (await fetch(`${service.dashboard!.url}/api/dashboard`)).json()) as DashboardData;
    expect(after.alerts).toEqual([]);
  });

  it('given a clearing the broker did not take, the next projector sends it (the same alert id), once', async () => {
    const key = 'ledger-balanced:CNY';
    const mark = recorder.messages.length;
    await sql(`UPDATE analytics.trial_balance SET balance_minor = balance_minor + 3 WHERE account = 'clearing:card:ICBC'`);
    const { alert: raised } = await alertArrives(key, 'raised', mark);
    await service.onApplicationShutdown();

    // While the projector is down, an evaluator whose broker refuses everything sees the repair.
    const analytics = await openAnalytics(db.url, 2);
    const refusing: AlertSink = {
      publish: () => Promise.reject(new Error('broker unreachable')),
      close: () => Promise.resolve(),
    };
    try {
      await analytics.query(`UPDATE analytics.trial_balance SET balance_minor = balance_minor - 3 WHERE account = 'clearing:card:ICBC'`);
      const offline = new InvariantMonitor({
        projector: { dataSource: analytics, liveProjections: () => PROJECTIONS.map((p) => p.name), isCaughtUp: () => true },
        sink: refusing,
        replayIntervalMs: 0,
      });
      const evaluation = await offline.evaluate();
      expect(evaluation).toMatchObject({ ran: true, transitions: { raised: [], cleared: [key] }, published: 0 });
      const [row] = (await analytics.query(`SELECT state, event_id, published_at FROM analytics.invariant_alerts WHERE key = $1`, [
        key,
      ])) as Array<{
        state: string;
        event_id: string;
        published_at: Date | null;
      }>;
      expect(row).toMatchObject({ state: 'cleared', published_at: null });

      service = await startService();
      const { alert: cleared } = await alertArrives(key, 'cleared', mark);
      expect(cleared).toMatchObject({ alertId: row!.event_id, firstSeenAt: raised.firstSeenAt });
      await evaluations(3);
      expect(alertsSince(mark, key).map((alert) => alert.state)).toEqual(['raised', 'cleared']);
    } finally {
      await analytics.destroy();
    }
  });

  it('given a breach that starts and ends while the broker refuses everything, then nothing about it is ever sent', async () => {
    const key = 'hold-closed-by-expiry:wallet_holds';
    const mark = recorder.messages.length;
    await service.onApplicationShutdown();
    const analytics = await openAnalytics(db.url, 2);
    const refusing: AlertSink = { publish: () => Promise.reject(new Error('broker unreachable')), close: () => Promise.resolve() };
    try {
      const offline = new InvariantMonitor({
        projector: { dataSource: analytics, liveProjections: () => PROJECTIONS.map((p) => p.name), isCaughtUp: () => true },
        sink: refusing,
        replayIntervalMs: 0,
      });
      await analytics.query(`UPDATE analytics.wallet_holds SET status = 'open' WHERE hold_id = 'hold-forgotten'`);
      expect((await offline.evaluate()).transitions).toEqual({ raised: [key], cleared: [] });
      await analytics.query(`UPDATE analytics.wallet_holds SET status = 'expired' WHERE hold_id = 'hold-forgotten'`);
      expect(await offline.evaluate()).toMatchObject({ transitions: { raised: [], cleared: [key] }, published: 0 });
      expect(await analytics.query(`SELECT key FROM analytics.invariant_alerts WHERE published_at IS NULL`)).toEqual([]);
    } finally {
      await analytics.destroy();
    }
    service = await startService();
    await evaluations(4);
    expect(alertsSince(mark)).toEqual([]);
  });

  it('the Kafka sink sends each alert keyed by its alert key, with the alert id as message-id', async () => {
    const sink = new KafkaAlertSink({ kafka: testKafka('projector-alerts-sink'), topicPrefix: prefix });
    const mark = recorder.messages.length;
    const alert: InvariantAlert = {
      alertId: `sink-${uniqueSuffix()}`,
      key: 'hold-closed-by-expiry:wallet_holds',
      invariant: 'hold-closed-by-expiry',
      subject: 'wallet_holds',
      state: 'cleared',
      severity: 'warning',
      summary: 'hold-closed-by-expiry holds again for wallet_holds',
      details: [],
      detailsTotal: 0,
      firstSeenAt: '2026-12-01T00:00:00.000Z',
      at: '2026-12-01T00:01:00.000Z',
    };
    try {
      expect(sink.topic).toBe(topic);
      await sink.publish([alert]);
      const received = await recorder.waitFor(
        (candidate) => recorder.messages.indexOf(candidate) >= mark && alertOf(candidate).alertId === alert.alertId,
      );
      expect([received.message.key?.toString(), received.message.headers?.[HEADER.messageId]?.toString(), alertOf(received)]).toEqual([
        alert.key,
        alert.alertId,
        alert,
      ]);
    } finally {
      await sink.close();
    }
  });
});

/** The local test broker denies by default and grants each service's principal its row of PRINCIPAL_ROLES; an external broker is skipped. */
const local = process.env.KAFKA_CREDENTIALS_FILE === undefined ? describe.skip : describe;

local('the alerts topic on the authenticated broker', () => {
  const as = (principal: string) =>
    new Kafka({
      clientId: `alerts-as-${principal}`,
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      ...kafkaAuthFromEnv({ ...process.env, KAFKA_SASL_USERNAME: principal }),
    });
  const alert = (principal: string): InvariantAlert => ({
    alertId: `acl-${principal}-${uniqueSuffix()}`,
    key: 'ledger-balanced:CNY',
    invariant: 'ledger-balanced',
    subject: 'CNY',
    state: 'cleared',
    severity: 'critical',
    summary: 'ledger-balanced holds again for CNY',
    details: [],
    detailsTotal: 0,
    firstSeenAt: '2026-12-01T00:00:00.000Z',
    at: '2026-12-01T00:01:00.000Z',
  });

  it("lets the projector's principal, and not another service's, write ops.alerts", async () => {
    const projector = new KafkaAlertSink({ kafka: as('projector') });
    const wallet = as('wallet').producer();
    try {
      expect(projector.topic).toBe('ops.alerts');
      await expect(projector.publish([alert('projector')])).resolves.toBeUndefined();
      await wallet.connect();
      await expect(wallet.send({ topic: projector.topic, acks: -1, messages: [alertMessage(alert('wallet'))] })).rejects.toThrow(
        /authoriz/i,
      );
    } finally {
      await projector.close();
      await wallet.disconnect();
    }
  });
});
