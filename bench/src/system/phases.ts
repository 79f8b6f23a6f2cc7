import type { KafkaCommandClient, createKafka } from '@ledger/messaging';
import { latencySummary } from '../report';
import type { ChartSeries } from './chart';
import { perCompleted, systemCpuSeconds, type PaymentCost } from './cost';
import { waitForQuiescence, type InvariantReport } from './invariants';
import { runLoad, summarize, timeline, type OutcomeTracker } from './load';
import {
  ProcessSampler,
  eventStoreAppends,
  kafkaMessagesWritten,
  postgresTransactions,
  postgresWriteTransactions,
  resetStatementStats,
  topStatements,
  LOAD_GENERATOR,
  type ProcessFigures,
  type StatementFigures,
} from './metrics';
import type { SeededUser } from './seed';
import { DURATION_MS, RATE, REBALANCE, REPLICAS, STATEMENTS, say } from './settings';
import type { BenchStack } from './stack';
import { REALISTIC_MIX, type TrafficMix } from './traffic-mix';

/**
 * The runs of `npm run bench` at its offered rate: the warm-up (cold caches, reported apart), then
 * each measured phase with the throughput, cost and invariants of its payments.
 */

/** What sends payments: the command client, the outcome tracker, the seeded users and their encrypted payment password. */
export interface PaymentLoad {
  client: KafkaCommandClient;
  tracker: OutcomeTracker;
  users: SeededUser[];
  password: string;
}

export interface PhaseResult {
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

export async function runPhase(
  stack: BenchStack,
  phase: string,
  mix: TrafficMix,
  deps: PaymentLoad & { admin: ReturnType<ReturnType<typeof createKafka>['admin']> },
  chart: ChartSeries[],
): Promise<PhaseResult> {
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
  const run = await runLoad({
    client: deps.client,
    tracker: deps.tracker,
    users: deps.users,
    mix,
    rate: RATE,
    durationMs: DURATION_MS,
    paymentPassword: deps.password,
    label: phase,
    say,
  });
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

export interface ColdStart {
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
export async function warmUp(stack: BenchStack, deps: PaymentLoad): Promise<ColdStart> {
  const rate = Math.max(1, Math.round(RATE / 2));
  const durationMs = Math.max(10_000, Math.ceil(deps.users.length / rate) * 1000);
  say(`warm-up: ${durationMs / 1000} s at half the rate, every user paying in turn (cold caches)`);
  const sampler = new ProcessSampler(() => stack.file());
  sampler.start();
  const run = await runLoad({
    ...deps,
    mix: REALISTIC_MIX,
    rate,
    durationMs,
    paymentPassword: deps.password,
    label: 'warm-up',
    say,
    payers: 'each-in-turn',
    busyRetries: 5,
  });
  const processes = sampler.stop();
  for (const record of run.records) deps.tracker.records.delete(record.paymentId);
  const summary = summarize(run.records, run.startedAt, run.endedAt);
  return {
    durationS: durationMs / 1000,
    sent: summary.sent,
    completed: summary.completed,
    cpuMs: perCompleted(systemCpuSeconds(processes) * 1000, summary.completed),
  };
}
