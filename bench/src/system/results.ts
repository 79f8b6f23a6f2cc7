import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { commandOf, saveResults, type BenchTable } from '../report';
import type { PostgresBaseline, kafkaRoundTrips, platformaticRoundTrips } from './baselines';
import { capacityOf, type CapacityStep } from './capacity';
import type { HttpCapacityStep } from './capacity-search';
import { renderChart, type ChartSeries } from './chart';
import { IDLE_SAMPLE_MS, perCompleted } from './cost';
import { httpCapacityOf } from './http-load';
import type { InvariantReport } from './invariants';
import type { ColdStart, PhaseResult } from './phases';
import { CAPACITY, CAPACITY_P99_BOUND_MS, CAPACITY_STEP_MS, DURATION_MS, HTTP_STEP_S, NAME, RATE, REPLICAS, say } from './settings';

/**
 * The results of `npm run bench`: its tables, saved with the figures as bench/results/<name>-<date>.{json,md}
 * (and the throughput chart as .svg); a run that broke an invariant exits non-zero.
 */
export function report(data: {
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
      columns: [
        'run',
        'offered/s',
        'completed/s',
        'completed merchant payments/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'merchant p99 ms',
        'unfinished',
        'Kafka msgs/s',
        'events appended/s',
        'PostgreSQL transactions/s',
      ],
      rows: phases.map((p) => [
        p.phase,
        p.rate,
        p.completedPerSecond,
        p.completedMerchantPerSecond,
        p.latency.p50Ms,
        p.latency.p95Ms,
        p.latency.p99Ms,
        p.merchantLatency.p99Ms,
        p.unfinished,
        p.kafkaMessagesPerSecond,
        p.eventStoreAppendsPerSecond,
        p.postgresTransactionsPerSecond,
      ]),
    },
    ...(capacity
      ? [
          {
            title: `Capacity: ${capacityOf(capacity)} payments/s (the highest rate held for ${CAPACITY_STEP_MS / 1000} s with p99 ≤ ${CAPACITY_P99_BOUND_MS} ms, nothing refused or unfinished)`,
            columns: ['offered/s', 'held', 'completed/s', 'p50 ms', 'p99 ms', 'refused PAYMENTS_BUSY', 'unfinished'],
            rows: capacity.map((step) => [
              step.rate,
              step.held ? 'yes' : 'no',
              step.completedPerSecond,
              step.p50Ms,
              step.p99Ms,
              step.refused,
              step.unfinished,
            ]),
          },
        ]
      : []),
    ...(http
      ? [
          {
            title: `Through the HTTP gateway: ${httpCapacityOf(http)} payments/s (the most completed/s of a step with p99 ≤ ${CAPACITY_P99_BOUND_MS} ms, nothing refused, no error; closed loop, autocannon, ${HTTP_STEP_S} s per step)`,
            columns: [
              'payments in flight',
              'held',
              'answered/s',
              'completed/s',
              'p50 ms',
              'p99 ms',
              'errors',
              'CPU ms per completed payment (gateway included)',
            ],
            rows: http.map((step) => [
              step.connections,
              step.held ? 'yes' : 'no',
              step.answeredPerSecond,
              step.completedPerSecond,
              step.p50Ms,
              step.p99Ms,
              step.errors,
              step.cpuMs,
            ]),
          },
        ]
      : []),
    {
      title: 'Cost per completed payment (goal: ≤ 1.6 CPU-ms, ≤ 10 Kafka records, ≤ 2 PostgreSQL commits)',
      columns: [
        'run',
        'CPU ms (services, broker, database)',
        'load generator CPU ms',
        'Kafka records',
        'PostgreSQL commits (write transactions)',
        'PostgreSQL transactions (reads included)',
        'events appended',
      ],
      rows: phases.map((p) => [
        p.phase,
        p.perPayment.cpuMs,
        p.perPayment.loadGeneratorCpuMs,
        p.perPayment.kafkaRecords,
        p.perPayment.postgresWriteTransactions,
        p.perPayment.postgresTransactions,
        p.perPayment.eventsAppended,
      ]),
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
        [
          'KafkaJS produce → consume round trips',
          kafkaBaseline.roundTripsPerSecond,
          kafkaBaseline.concurrency,
          kafkaBaseline.p50Ms,
          kafkaBaseline.p99Ms,
        ],
        [
          '@platformatic/kafka produce → consume round trips (reference; the services use KafkaJS)',
          platformaticBaseline.roundTripsPerSecond,
          platformaticBaseline.concurrency,
          platformaticBaseline.p50Ms,
          platformaticBaseline.p99Ms,
        ],
        ...postgresBaselines.map((baseline) => [
          `PostgreSQL single-row INSERT commits over ${baseline.via}`,
          baseline.commitsPerSecond,
          baseline.concurrency,
          baseline.p50Ms,
          baseline.p99Ms,
        ]),
      ],
    },
    ...(spread && hot
      ? [
          {
            title: 'Hot spot',
            columns: ['completed/s hot ÷ spread'],
            rows: [[`${Math.round((hot.completedPerSecond / Math.max(1, spread.completedPerSecond)) * 100)}%`]],
          },
        ]
      : []),
    {
      title: 'Outcomes (kind:code → payments)',
      columns: ['run', ...new Set(phases.flatMap((p) => Object.keys(p.outcomes)))],
      rows: phases.map((p) => [
        p.phase,
        ...[...new Set(phases.flatMap((q) => Object.keys(q.outcomes)))].map((code) => p.outcomes[code] ?? 0),
      ]),
    },
    {
      title: 'Processes: CPU (% of one core; the machine has 200) and memory (RSS MiB, mean / max)',
      columns: ['process', ...phases.flatMap((p) => [`${p.phase} CPU %`, `${p.phase} RSS MiB`])],
      rows: Object.keys(phases[0]?.processes ?? {}).map((name) => [
        name,
        ...phases.flatMap((p) =>
          p.processes[name] ? [p.processes[name]!.cpuPercent, `${p.processes[name]!.meanMiB} / ${p.processes[name]!.maxMiB}`] : ['-', '-'],
        ),
      ]),
    },
    ...phases
      .filter((p) => p.statements)
      .map((p) => ({
        title: `${p.phase}: the statements PostgreSQL spent the most time on (pg_stat_statements, per completed payment)`,
        columns: ['statement', 'calls', 'ms executing', 'rows'],
        rows: p.statements!.map((s) => [
          `\`${s.statement.replace(/\|/g, '¦')}\``,
          perCompleted(s.calls, p.completed, 3),
          perCompleted(s.totalMs, p.completed, 3),
          perCompleted(s.rows, p.completed, 3),
        ]),
      })),
    {
      title: 'Invariants after the runs (from the event stores)',
      columns: [
        'payments started',
        'without outcome',
        'several outcomes',
        'credits twice',
        'captures twice',
        'ledger sum (fen)',
        'ledger problems',
        'violations',
      ],
      rows: [
        [
          final.paymentsStarted,
          final.paymentsWithoutOutcome,
          final.paymentsWithSeveralOutcomes,
          final.duplicatedCredits,
          final.duplicatedCaptures,
          final.ledgerSumMinor,
          final.ledgerProblems,
          final.violations,
        ],
      ],
    },
  ];
  const command = commandOf('bench', ['BENCH_', 'LEDGER_REPLICAS'], CAPACITY ? ['-- --capacity'] : []);
  const { json } = saveResults(
    NAME,
    command,
    {
      rate: RATE,
      durationS: DURATION_MS / 1000,
      users: data.users,
      replicas: REPLICAS,
      baselines: { kafka: kafkaBaseline, platformaticKafka: platformaticBaseline, postgres: postgresBaselines },
      idle,
      coldStart,
      phases,
      capacity,
      http,
      invariants: final,
    },
    tables,
  );
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
