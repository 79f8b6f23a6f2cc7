/**
 * `npm run bench`: the whole system under a payment load, next to the raw speed of its broker and
 * database measured in the same run.
 *
 * It starts the stack of `npm start` in an instance of its own (`.local/loadtest/`, its own ports;
 * LEDGER_REPLICAS instances of every service), seeds BENCH_USERS users through the services' real
 * commands (reused by later runs of the same stack), then, from this process (the load generator):
 * 1. baselines: KafkaJS produce→consume round trips/s (and @platformatic/kafka's, for reference) and
 *    PostgreSQL single-row INSERT commits/s;
 * 2. a warm-up at half the rate;
 * 3. "spread": BENCH_RATE payments/s for BENCH_DURATION_S, the realistic mix (80% merchant payments
 *    to three busy merchants, transfers, card top-ups, 2% that must fail);
 * 4. "hot": the same, with every merchant payment to one merchant.
 * With BENCH_REBALANCE=1 (and 2+ replicas) one instance of every service is killed (SIGKILL) in the
 * middle of the spread run and restarted by the supervisor. Each run ends with the invariants
 * (one outcome per payment, no credit or capture twice, ledger sums to zero).
 *
 * 5. with `--capacity` (or BENCH_CAPACITY=1): the capacity, the highest offered rate of the
 *    realistic mix held for BENCH_CAPACITY_STEP_S (60) with p99 ≤ 250 ms, nothing refused
 *    `PAYMENTS_BUSY` and nothing unfinished, found by a step search (`system/capacity.ts`);
 * 6. with `--capacity` too (unless BENCH_HTTP=0; BENCH_HTTP=1 runs it without the rest): the same mix through the HTTP gateway, with
 *    bearer tokens and idempotency keys, sent by autocannon with 1, 2, 4, … payments in flight for
 *    BENCH_HTTP_STEP_S (30) each, until p99 passes 250 ms (`system/http-load.ts`); BENCH_HTTP_USERS
 *    (200) of the users log in for it.
 * Environment: BENCH_RATE (1000), BENCH_DURATION_S (60), BENCH_USERS (3000), LEDGER_REPLICAS (1),
 * BENCH_PHASES (spread,hot; empty for none), BENCH_REBALANCE (0), BENCH_NAME (system, or system-replicas<n>).
 * Results: bench/results/<name>-<date>.{json,md,svg}.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { localDir } from '@ledger/local-infra';
import { KafkaCommandClient, createKafka } from '@ledger/messaging';
import { commandOf, latencySummary, saveResults, type BenchTable } from './report';
import { kafkaRoundTrips, platformaticRoundTrips, postgresInsertCommits } from './system/baselines';
import { capacityOf, nextCapacityRate, type CapacityStep } from './system/capacity';
import { renderChart, type ChartSeries } from './system/chart';
import { checkInvariants, waitForQuiescence, type InvariantReport } from './system/invariants';
import { httpCapacityOf, logIn, nextConnections, runHttpStep, type HttpStep } from './system/http-load';
import { HOT_MERCHANT_MIX, OutcomeTracker, REALISTIC_MIX, runLoad, summarize, timeline, type TrafficMix } from './system/load';
import { ProcessSampler, eventStoreAppends, kafkaMessagesWritten, postgresTransactions, postgresWriteTransactions, resetStatementStats, topStatements, type ProcessFigures, type StatementFigures } from './system/metrics';
import { EdgeSecrets, PAYMENT_PASSWORD, SmsOutbox, seedUsers } from './system/seed';
import { startBenchStack, type BenchStack } from './system/stack';

const env = process.env;
const RATE = Number(env.BENCH_RATE ?? 1000);
const DURATION_MS = Number(env.BENCH_DURATION_S ?? 60) * 1000;
const USERS = Number(env.BENCH_USERS ?? 3000);
const REPLICAS = Number(env.LEDGER_REPLICAS ?? 1);
const PHASES = (env.BENCH_PHASES ?? 'spread,hot')
  .split(',')
  .map((phase) => phase.trim())
  .filter((phase) => phase.length > 0);
/** `npm run bench -- --capacity`: also search the capacity (see `system/capacity.ts`). */
const CAPACITY = process.argv.includes('--capacity') || env.BENCH_CAPACITY === '1';
const CAPACITY_STEP_MS = Number(env.BENCH_CAPACITY_STEP_S ?? 60) * 1000;
const CAPACITY_P99_BOUND_MS = 250;
/** The HTTP gateway's step search: with `--capacity` unless BENCH_HTTP=0, or alone with BENCH_HTTP=1. */
const HTTP = env.BENCH_HTTP === '1' || (CAPACITY && env.BENCH_HTTP !== '0');
const HTTP_STEP_S = Number(env.BENCH_HTTP_STEP_S ?? 30);
const HTTP_USERS = Number(env.BENCH_HTTP_USERS ?? 200);
const GATEWAY_PORT = 3201;
const REBALANCE = env.BENCH_REBALANCE === '1' && REPLICAS > 1;
/** `BENCH_PG_STATEMENTS=1`: the database loads `pg_stat_statements`, and each phase lists its costliest statements. */
const STATEMENTS = env.BENCH_PG_STATEMENTS === '1';
const NAME = env.BENCH_NAME ?? (REPLICAS > 1 ? `system-replicas${REPLICAS}` : 'system');
const INSTANCE = 'loadtest';
const say = (line: string) => console.log(`[bench] ${line}`);

/**
 * The service settings of the load test. The velocity rule allows 10 payments a minute per user;
 * a few thousand generated users paying 1,000 times a second pay ~20 times a minute each, so the
 * rule is raised (its behaviour is tested elsewhere) rather than measuring the refusals.
 */
const STACK_ENV = {
  PAYMENTS_RISK_VELOCITY_PER_MINUTE: '1000',
  CARD_SIMULATOR_LOAD_CARDS: String(Math.max(USERS * 2, 10_000)),
  // The HTTP phase logs its users in from this one address.
  GATEWAY_LOGINS_PER_IP: '100000',
  ...(STATEMENTS ? { POSTGRES_STATEMENT_STATS: '1' } : {}),
};

const LOAD_GENERATOR = 'load-generator';

/** CPU seconds of the services, the broker and the database (the load generator apart). */
function systemCpuSeconds(processes: Record<string, ProcessFigures>): number {
  return Object.entries(processes).reduce((sum, [name, figures]) => (name === LOAD_GENERATOR ? sum : sum + figures.cpuSeconds), 0);
}

/** `total` per completed payment, rounded to `decimals`. */
function perCompleted(total: number, completed: number, decimals = 2): number {
  const scale = 10 ** decimals;
  return Math.round((total / Math.max(1, completed)) * scale) / scale;
}

interface PaymentCost {
  /** CPU of the services, the broker and the database, per completed payment (the load generator apart). */
  cpuMs: number;
  /** CPU of the load generator (the bench's own client) per completed payment. */
  loadGeneratorCpuMs: number;
  kafkaRecords: number;
  /** Every transaction, reads included. */
  postgresTransactions: number;
  /** Transactions that wrote (appends, checkpoints, timers, read models): the commits. */
  postgresWriteTransactions: number;
  eventsAppended: number;
}

interface PhaseResult {
  phase: string;
  rate: number;
  durationS: number;
  sent: number;
  completed: number;
  completedPerSecond: number;
  completedMerchantPerSecond: number;
  unfinished: number;
  latency: ReturnType<typeof latencySummary>;
  merchantLatency: ReturnType<typeof latencySummary>;
  outcomes: Record<string, number>;
  kafkaMessagesPerSecond: number;
  eventStoreAppendsPerSecond: number;
  postgresTransactionsPerSecond: number;
  /** What one completed payment cost, over the run and its drain (refused and failed payments included in the cost). */
  perPayment: PaymentCost;
  processes: Record<string, ProcessFigures>;
  kills: Array<{ second: number; process: string }>;
  invariants: InvariantReport;
  /** With `BENCH_PG_STATEMENTS=1`: the statements the database spent the most time on. */
  statements?: StatementFigures[];
}

async function runPhase(stack: BenchStack, phase: string, mix: TrafficMix, deps: { client: KafkaCommandClient; tracker: OutcomeTracker; admin: ReturnType<ReturnType<typeof createKafka>['admin']>; users: Awaited<ReturnType<typeof seedUsers>>; password: string }, chart: ChartSeries[]): Promise<PhaseResult> {
  const databaseUrl = stack.file().databaseUrl;
  if (STATEMENTS) await resetStatementStats(databaseUrl);
  const messagesBefore = await kafkaMessagesWritten(deps.admin);
  const appendsBefore = await eventStoreAppends(databaseUrl);
  const transactionsBefore = await postgresTransactions(databaseUrl);
  const writesBefore = await postgresWriteTransactions(databaseUrl);
  const sampler = new ProcessSampler(() => stack.file());
  sampler.start();
  const kills: PhaseResult['kills'] = [];
  let killTimer: NodeJS.Timeout | undefined;
  if (REBALANCE && phase === 'spread') {
    killTimer = setTimeout(() => {
      for (const [service, pids] of Object.entries(stack.file().instances)) {
        const pid = pids[1];
        if (pid === undefined) continue;
        process.kill(pid, 'SIGKILL');
        kills.push({ second: Math.round(DURATION_MS / 2000), process: `${service}#2` });
      }
      say(`  killed ${kills.map((kill) => kill.process).join(', ')} (SIGKILL); the supervisor restarts them`);
    }, DURATION_MS / 2);
  }
  say(`${phase}: ${RATE} payments/s for ${DURATION_MS / 1000} s`);
  const run = await runLoad({ client: deps.client, tracker: deps.tracker, users: deps.users, mix, rate: RATE, durationMs: DURATION_MS, paymentPassword: deps.password, label: phase, say });
  if (killTimer) clearTimeout(killTimer);
  const processes = sampler.stop();
  // Throughput counters span the run and its drain: messages and appends of the payments sent in it.
  const drainedMs = performance.now() - run.startedAt;
  const kafkaMessages = (await kafkaMessagesWritten(deps.admin)) - messagesBefore;
  const eventsAppended = (await eventStoreAppends(databaseUrl)) - appendsBefore;
  const transactions = (await postgresTransactions(databaseUrl)) - transactionsBefore;
  // Less the id each of the two readings took for itself.
  const writes = (await postgresWriteTransactions(databaseUrl)) - writesBefore - 1;
  const kafkaMessagesPerSecond = Math.round(kafkaMessages / (drainedMs / 1000));
  const eventStoreAppendsPerSecond = Math.round(eventsAppended / (drainedMs / 1000));
  const postgresTransactionsPerSecond = Math.round(transactions / (drainedMs / 1000));
  const summary = summarize(run.records, run.startedAt, run.endedAt);
  const per = (total: number) => perCompleted(total, summary.completed);
  const perPayment: PaymentCost = {
    cpuMs: per(systemCpuSeconds(processes) * 1000),
    loadGeneratorCpuMs: per((processes[LOAD_GENERATOR]?.cpuSeconds ?? 0) * 1000),
    kafkaRecords: per(kafkaMessages),
    postgresTransactions: per(transactions),
    postgresWriteTransactions: per(writes),
    eventsAppended: per(eventsAppended),
  };
  const statements = STATEMENTS ? await topStatements(databaseUrl, 15) : undefined;
  const invariants = await waitForQuiescence(databaseUrl, 120_000, say);
  for (const record of run.records) deps.tracker.records.delete(record.paymentId);
  chart.push({
    title: `${phase}: ${RATE} payments/s offered, ${REPLICAS} replica(s) per service`,
    points: timeline(run.records, run.startedAt),
    marks: kills.length > 0 ? [{ second: kills[0]!.second, label: 'SIGKILL one instance of each service' }] : [],
  });
  return {
    phase,
    rate: RATE,
    durationS: DURATION_MS / 1000,
    sent: summary.sent,
    completed: summary.completed,
    completedPerSecond: Math.round(summary.completedPerSecond),
    completedMerchantPerSecond: Math.round(summary.completedMerchantPerSecond),
    unfinished: summary.unfinished,
    latency: latencySummary(summary.latencies),
    merchantLatency: latencySummary(summary.merchantLatencies),
    outcomes: summary.byCode,
    kafkaMessagesPerSecond,
    eventStoreAppendsPerSecond,
    postgresTransactionsPerSecond,
    perPayment,
    processes,
    kills,
    invariants,
    ...(statements ? { statements } : {}),
  };
}

async function main(): Promise<void> {
  const stack = await startBenchStack({ instance: INSTANCE, replicas: REPLICAS, kafkaPort: 9192, postgresPort: 54341, gatewayPort: GATEWAY_PORT, env: STACK_ENV }, say);
  const kafka = createKafka('bench', stack.file().brokers.split(','), stack.kafkaAuth('bench'));
  const client = new KafkaCommandClient({ kafka, clientName: 'bench', sender: 'gateway', defaultTimeoutMs: 60_000, maxPending: 200_000 });
  const tracker = new OutcomeTracker(kafka);
  const admin = kafka.admin();
  try {
    await client.start();
    await admin.connect();
    const users = await seedUsers({ client, outbox: new SmsOutbox(stack.smsOutboxFile), count: USERS, file: path.join(localDir, INSTANCE, 'bench-users.json'), concurrency: 16, say });

    say('baselines on the same broker and database');
    const kafkaBaseline = await kafkaRoundTrips(kafka, 32, 10_000);
    say(`  KafkaJS produce→consume: ${kafkaBaseline.roundTripsPerSecond} round trips/s (32 in flight), p99 ${kafkaBaseline.p99Ms} ms`);
    const platformaticBaseline = await platformaticRoundTrips(kafka, stack.file().brokers.split(','), stack.kafkaAuth('bench'), 32, 10_000);
    say(`  @platformatic/kafka produce→consume: ${platformaticBaseline.roundTripsPerSecond} round trips/s (32 in flight), p99 ${platformaticBaseline.p99Ms} ms`);
    // The services reach the database over its Unix socket when the stack runs it; TCP is measured beside it.
    const postgresBaselines: PostgresBaseline[] = [];
    for (const [via, url] of databaseRoutes(stack.file().databaseUrl)) {
      const baseline = { via, ...(await postgresInsertCommits(url, 16, 10_000)) };
      postgresBaselines.push(baseline);
      say(`  PostgreSQL single-row INSERT over ${via}: ${baseline.commitsPerSecond} commits/s (16 connections), p99 ${baseline.p99Ms} ms`);
    }

    await tracker.start();
    const password = new EdgeSecrets().identity('paymentPassword', PAYMENT_PASSWORD);
    const deps = { client, tracker, admin, users, password };
    const idle = await idleCost(stack);
    const coldStart = await warmUp(stack, deps);

    const chart: ChartSeries[] = [];
    const phases: PhaseResult[] = [];
    for (const phase of PHASES) phases.push(await runPhase(stack, phase, phase === 'hot' ? HOT_MERCHANT_MIX : REALISTIC_MIX, deps, chart));
    const capacity = CAPACITY ? await searchCapacity(deps) : undefined;
    const http = HTTP ? await searchHttpCapacity(stack, users) : undefined;
    const final = await checkInvariants(stack.file().databaseUrl);
    report({ kafkaBaseline, platformaticBaseline, postgresBaselines, idle, coldStart, phases, capacity, http, final, users: users.length, chart });
  } finally {
    await tracker.stop().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await client.stop().catch(() => undefined);
    say('stopping the stack');
    await stack.stop();
  }
}

/** CPU the stack uses with nothing to do (% of one core), per process and in all: a cost every payment shares. */
async function idleCost(stack: BenchStack): Promise<Record<string, number>> {
  const sampler = new ProcessSampler(() => stack.file());
  sampler.start();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
  const processes = Object.entries(sampler.stop()).filter(([name]) => name !== LOAD_GENERATOR);
  const idle = Object.fromEntries(processes.map(([name, figures]) => [name, figures.cpuPercent]));
  idle['all'] = processes.reduce((sum, [, figures]) => sum + figures.cpuPercent, 0);
  say(`idle stack: ${idle['all']}% of one core`);
  return idle;
}

const IDLE_SAMPLE_MS = 10_000;

interface ColdStart {
  durationS: number;
  sent: number;
  completed: number;
  /** CPU of the services, the broker and the database per completed payment, as in the phases. */
  cpuMs: number;
}

/**
 * Half the rate, with every user paying in turn, for 10 s or until each user has paid once (a
 * payment refused PAYMENTS_BUSY is sent again, as an app would): the services start with empty
 * caches, and every payer's first payment reads its streams from the store. The phases after it measure the steady state; what the cold start costs is reported apart.
 */
async function warmUp(stack: BenchStack, deps: { client: KafkaCommandClient; tracker: OutcomeTracker; users: Awaited<ReturnType<typeof seedUsers>>; password: string }): Promise<ColdStart> {
  const rate = Math.max(1, Math.round(RATE / 2));
  const durationMs = Math.max(10_000, Math.ceil(deps.users.length / rate) * 1000);
  say(`warm-up: ${durationMs / 1000} s at half the rate, every user paying in turn (cold caches)`);
  const sampler = new ProcessSampler(() => stack.file());
  sampler.start();
  const run = await runLoad({ ...deps, mix: REALISTIC_MIX, rate, durationMs, paymentPassword: deps.password, label: 'warm-up', say, payers: 'each-in-turn', busyRetries: 5 });
  const processes = sampler.stop();
  for (const record of run.records) deps.tracker.records.delete(record.paymentId);
  const summary = summarize(run.records, run.startedAt, run.endedAt);
  return { durationS: durationMs / 1000, sent: summary.sent, completed: summary.completed, cpuMs: perCompleted(systemCpuSeconds(processes) * 1000, summary.completed) };
}

type PostgresBaseline = Awaited<ReturnType<typeof postgresInsertCommits>> & { via: string };

/** Runs the realistic mix at the rates the step search asks for; each step's figures decide whether it held. */
async function searchCapacity(deps: { client: KafkaCommandClient; tracker: OutcomeTracker; users: Awaited<ReturnType<typeof seedUsers>>; password: string }): Promise<CapacityStep[]> {
  const steps: CapacityStep[] = [];
  say(`capacity: steps of ${CAPACITY_STEP_MS / 1000} s, held when p99 ≤ ${CAPACITY_P99_BOUND_MS} ms with nothing refused or unfinished`);
  for (let rate = nextCapacityRate(steps); rate !== undefined; rate = nextCapacityRate(steps)) {
    const run = await runLoad({ ...deps, mix: REALISTIC_MIX, rate, durationMs: CAPACITY_STEP_MS, paymentPassword: deps.password, label: `capacity ${rate}/s`, say });
    const summary = summarize(run.records, run.startedAt, run.endedAt);
    for (const record of run.records) deps.tracker.records.delete(record.paymentId);
    const latency = latencySummary(summary.latencies);
    const refused = Object.entries(summary.byCode).reduce((sum, [code, count]) => (code.endsWith(':PAYMENTS_BUSY') ? sum + count : sum), 0);
    const held = latency.p99Ms <= CAPACITY_P99_BOUND_MS && refused === 0 && summary.unfinished === 0;
    steps.push({ rate, held, completedPerSecond: Math.round(summary.completedPerSecond), p50Ms: latency.p50Ms, p99Ms: latency.p99Ms, refused, unfinished: summary.unfinished });
    say(`  ${rate}/s: ${held ? 'held' : 'not held'} (completed ${Math.round(summary.completedPerSecond)}/s, p99 ${latency.p99Ms} ms, refused ${refused}, unfinished ${summary.unfinished})`);
  }
  say(`capacity: ${capacityOf(steps)} payments/s`);
  return steps;
}

type HttpCapacityStep = HttpStep & { cpuMs: number; processes: Record<string, ProcessFigures> };

/**
 * The same mix through the HTTP gateway: users log in, then each step keeps twice as many payments
 * in flight as the one before, until one passes the p99 bound (or answers busy or with errors).
 * CPU per completed payment includes the gateway; autocannon runs in this process (the load generator).
 */
async function searchHttpCapacity(stack: BenchStack, seeded: Awaited<ReturnType<typeof seedUsers>>): Promise<HttpCapacityStep[]> {
  const gatewayUrl = `http://127.0.0.1:${GATEWAY_PORT}`;
  const users = await logIn(gatewayUrl, seeded.slice(0, HTTP_USERS), 4);
  say(`HTTP gateway: ${users.length} users logged in; steps of ${HTTP_STEP_S} s, held when p99 ≤ ${CAPACITY_P99_BOUND_MS} ms with nothing refused and no error`);
  const steps: HttpCapacityStep[] = [];
  for (let connections = nextConnections(steps); connections !== undefined; connections = nextConnections(steps)) {
    const sampler = new ProcessSampler(() => stack.file());
    sampler.start();
    const step = await runHttpStep({ gatewayUrl, users, mix: REALISTIC_MIX, connections, durationS: HTTP_STEP_S, p99BoundMs: CAPACITY_P99_BOUND_MS });
    const processes = sampler.stop();
    const cpuMs = perCompleted(systemCpuSeconds(processes) * 1000, step.completedPerSecond * HTTP_STEP_S);
    steps.push({ ...step, cpuMs, processes });
    say(`  ${connections} in flight: ${step.held ? 'held' : 'not held'} (completed ${step.completedPerSecond}/s, p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, errors ${step.errors}, ${cpuMs} CPU-ms per payment)`);
  }
  say(`HTTP gateway: ${httpCapacityOf(steps)} payments/s`);
  return steps;
}

/** The database URL the services use, and the same server over TCP when that URL names a Unix socket. */
function databaseRoutes(databaseUrl: string): Array<[string, string]> {
  const url = new URL(databaseUrl);
  if (!url.searchParams.get('host')?.startsWith('/')) return [['TCP', databaseUrl]];
  url.searchParams.delete('host');
  return [
    ['the Unix socket (as the services)', databaseUrl],
    ['TCP', url.toString()],
  ];
}

function report(data: {
  kafkaBaseline: Awaited<ReturnType<typeof kafkaRoundTrips>>;
  platformaticBaseline: Awaited<ReturnType<typeof platformaticRoundTrips>>;
  postgresBaselines: PostgresBaseline[];
  idle: Record<string, number>;
  coldStart: ColdStart;
  phases: PhaseResult[];
  capacity: CapacityStep[] | undefined;
  http: HttpCapacityStep[] | undefined;
  final: InvariantReport;
  users: number;
  chart: ChartSeries[];
}): void {
  const { phases, kafkaBaseline, platformaticBaseline, postgresBaselines, idle, coldStart, capacity, http, final } = data;
  const spread = phases.find((phase) => phase.phase === 'spread');
  const hot = phases.find((phase) => phase.phase === 'hot');
  const tables: BenchTable[] = [
    {
      title: `Payments (${data.users} users, ${REPLICAS} instance(s) of every service but the projector, open-loop load)`,
      columns: ['run', 'offered/s', 'completed/s', 'completed merchant payments/s', 'p50 ms', 'p95 ms', 'p99 ms', 'merchant p99 ms', 'unfinished', 'Kafka msgs/s', 'events appended/s', 'PostgreSQL transactions/s'],
      rows: phases.map((p) => [p.phase, p.rate, p.completedPerSecond, p.completedMerchantPerSecond, p.latency.p50Ms, p.latency.p95Ms, p.latency.p99Ms, p.merchantLatency.p99Ms, p.unfinished, p.kafkaMessagesPerSecond, p.eventStoreAppendsPerSecond, p.postgresTransactionsPerSecond]),
    },
    ...(capacity
      ? [
          {
            title: `Capacity: ${capacityOf(capacity)} payments/s (the highest rate held for ${CAPACITY_STEP_MS / 1000} s with p99 ≤ ${CAPACITY_P99_BOUND_MS} ms, nothing refused or unfinished)`,
            columns: ['offered/s', 'held', 'completed/s', 'p50 ms', 'p99 ms', 'refused PAYMENTS_BUSY', 'unfinished'],
            rows: capacity.map((step) => [step.rate, step.held ? 'yes' : 'no', step.completedPerSecond, step.p50Ms, step.p99Ms, step.refused, step.unfinished]),
          },
        ]
      : []),
    ...(http
      ? [
          {
            title: `Through the HTTP gateway: ${httpCapacityOf(http)} payments/s (the most completed/s of a step with p99 ≤ ${CAPACITY_P99_BOUND_MS} ms, nothing refused, no error; closed loop, autocannon, ${HTTP_STEP_S} s per step)`,
            columns: ['payments in flight', 'held', 'answered/s', 'completed/s', 'p50 ms', 'p99 ms', 'errors', 'CPU ms per completed payment (gateway included)'],
            rows: http.map((step) => [step.connections, step.held ? 'yes' : 'no', step.answeredPerSecond, step.completedPerSecond, step.p50Ms, step.p99Ms, step.errors, step.cpuMs]),
          },
        ]
      : []),
    {
      title: 'Cost per completed payment (goal: ≤ 1.6 CPU-ms, ≤ 10 Kafka records, ≤ 2 PostgreSQL commits)',
      columns: ['run', 'CPU ms (services, broker, database)', 'load generator CPU ms', 'Kafka records', 'PostgreSQL commits (write transactions)', 'PostgreSQL transactions (reads included)', 'events appended'],
      rows: phases.map((p) => [p.phase, p.perPayment.cpuMs, p.perPayment.loadGeneratorCpuMs, p.perPayment.kafkaRecords, p.perPayment.postgresWriteTransactions, p.perPayment.postgresTransactions, p.perPayment.eventsAppended]),
    },
    {
      title: `Idle stack: CPU with nothing to do, ${IDLE_SAMPLE_MS / 1000} s before the warm-up (% of one core)`,
      columns: Object.keys(idle),
      rows: [Object.values(idle)],
    },
    {
      title: 'Cold start: the warm-up after the stack starts (half the rate, every user pays once; not in the figures above)',
      columns: ['seconds', 'payments sent', 'completed', 'CPU ms per completed payment'],
      rows: [[coldStart.durationS, coldStart.sent, coldStart.completed, coldStart.cpuMs]],
    },
    {
      title: 'Raw baselines, same broker and database, same run',
      columns: ['baseline', 'per second', 'concurrency', 'p50 ms', 'p99 ms'],
      rows: [
        ['KafkaJS produce → consume round trips', kafkaBaseline.roundTripsPerSecond, kafkaBaseline.concurrency, kafkaBaseline.p50Ms, kafkaBaseline.p99Ms],
        ['@platformatic/kafka produce → consume round trips (reference; the services use KafkaJS)', platformaticBaseline.roundTripsPerSecond, platformaticBaseline.concurrency, platformaticBaseline.p50Ms, platformaticBaseline.p99Ms],
        ...postgresBaselines.map((baseline) => [`PostgreSQL single-row INSERT commits over ${baseline.via}`, baseline.commitsPerSecond, baseline.concurrency, baseline.p50Ms, baseline.p99Ms]),
      ],
    },
    ...(spread && hot ? [{ title: 'Hot spot', columns: ['completed/s hot ÷ spread'], rows: [[`${Math.round((hot.completedPerSecond / Math.max(1, spread.completedPerSecond)) * 100)}%`]] }] : []),
    {
      title: 'Outcomes (kind:code → payments)',
      columns: ['run', ...new Set(phases.flatMap((p) => Object.keys(p.outcomes)))],
      rows: phases.map((p) => [p.phase, ...[...new Set(phases.flatMap((q) => Object.keys(q.outcomes)))].map((code) => p.outcomes[code] ?? 0)]),
    },
    {
      title: 'Processes: CPU (% of one core; the machine has 200) and memory (RSS MiB, mean / max)',
      columns: ['process', ...phases.flatMap((p) => [`${p.phase} CPU %`, `${p.phase} RSS MiB`])],
      rows: Object.keys(phases[0]?.processes ?? {}).map((name) => [name, ...phases.flatMap((p) => (p.processes[name] ? [p.processes[name]!.cpuPercent, `${p.processes[name]!.meanMiB} / ${p.processes[name]!.maxMiB}`] : ['-', '-']))]),
    },
    ...phases
      .filter((p) => p.statements)
      .map((p) => ({
        title: `${p.phase}: the statements PostgreSQL spent the most time on (pg_stat_statements, per completed payment)`,
        columns: ['statement', 'calls', 'ms executing', 'rows'],
        rows: p.statements!.map((s) => [`\`${s.statement.replace(/\|/g, '¦')}\``, perCompleted(s.calls, p.completed, 3), perCompleted(s.totalMs, p.completed, 3), perCompleted(s.rows, p.completed, 3)]),
      })),
    {
      title: 'Invariants after the runs (from the event stores)',
      columns: ['payments started', 'without outcome', 'several outcomes', 'credits twice', 'captures twice', 'ledger sum (fen)', 'ledger problems', 'violations'],
      rows: [[final.paymentsStarted, final.paymentsWithoutOutcome, final.paymentsWithSeveralOutcomes, final.duplicatedCredits, final.duplicatedCaptures, final.ledgerSumMinor, final.ledgerProblems, final.violations]],
    },
  ];
  const command = commandOf('bench', ['BENCH_', 'LEDGER_REPLICAS'], CAPACITY ? ['-- --capacity'] : []);
  const { json } = saveResults(NAME, command, { rate: RATE, durationS: DURATION_MS / 1000, users: data.users, replicas: REPLICAS, baselines: { kafka: kafkaBaseline, platformaticKafka: platformaticBaseline, postgres: postgresBaselines }, idle, coldStart, phases, capacity, http, invariants: final }, tables);
  if (data.chart.length > 0) {
    const svg = json.replace(/\.json$/, '.svg');
    writeFileSync(svg, renderChart(data.chart));
    say(`chart: ${path.relative(process.cwd(), svg)}`);
  }
  if (final.violations > 0) {
    say(`✘ ${final.violations} invariant violations`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error('[bench] failed:', error);
  process.exit(1);
});
