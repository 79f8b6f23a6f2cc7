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
 * BENCH_PHASES (spread,hot; empty for none), BENCH_REBALANCE (0), BENCH_NAME (system, or system-replicas<n>); read in `system/settings.ts`.
 * Results: bench/results/<name>-<date>.{json,md,svg}.
 */
import path from 'node:path';
import { localDir } from '@ledger/local-infra';
import { KafkaCommandClient, createKafka } from '@ledger/messaging';
import { databaseRoutes, kafkaRoundTrips, platformaticRoundTrips, postgresInsertCommits, type PostgresBaseline } from './system/baselines';
import { searchCapacity, searchHttpCapacity } from './system/capacity-search';
import type { ChartSeries } from './system/chart';
import { idleCost } from './system/cost';
import { checkInvariants } from './system/invariants';
import { OutcomeTracker } from './system/load';
import { HOT_MERCHANT_MIX, REALISTIC_MIX } from './system/traffic-mix';
import { runPhase, warmUp, type PhaseResult } from './system/phases';
import { report } from './system/results';
import { EdgeSecrets, PAYMENT_PASSWORD, seedUsers } from './system/seed';
import { CAPACITY, GATEWAY_PORT, HTTP, INSTANCE, PHASES, REPLICAS, STACK_ENV, USERS, say } from './system/settings';
import { startBenchStack } from './system/stack';

async function main(): Promise<void> {
  const stack = await startBenchStack(
    { instance: INSTANCE, replicas: REPLICAS, kafkaPort: 9192, postgresPort: 54341, gatewayPort: GATEWAY_PORT, env: STACK_ENV },
    say,
  );
  const kafka = createKafka('bench', stack.file().brokers.split(','), stack.kafkaAuth('bench'));
  const client = new KafkaCommandClient({ kafka, clientName: 'bench', sender: 'gateway', defaultTimeoutMs: 60_000, maxPending: 200_000 });
  const tracker = new OutcomeTracker(kafka);
  const admin = kafka.admin();
  try {
    await client.start();
    await admin.connect();
    const users = await seedUsers({
      client,
      sms: stack.partners,
      count: USERS,
      file: path.join(localDir, INSTANCE, 'bench-users.json'),
      concurrency: 16,
      say,
    });

    say('baselines on the same broker and database');
    const kafkaBaseline = await kafkaRoundTrips(kafka, 32, 10_000);
    say(`  KafkaJS produce→consume: ${kafkaBaseline.roundTripsPerSecond} round trips/s (32 in flight), p99 ${kafkaBaseline.p99Ms} ms`);
    const platformaticBaseline = await platformaticRoundTrips(kafka, stack.file().brokers.split(','), stack.kafkaAuth('bench'), 32, 10_000);
    say(
      `  @platformatic/kafka produce→consume: ${platformaticBaseline.roundTripsPerSecond} round trips/s (32 in flight), p99 ${platformaticBaseline.p99Ms} ms`,
    );
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
    report({
      kafkaBaseline,
      platformaticBaseline,
      postgresBaselines,
      idle,
      coldStart,
      phases,
      capacity,
      http,
      final,
      users: users.length,
      chart,
    });
  } finally {
    await tracker.stop().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await client.stop().catch(() => undefined);
    say('stopping the stack');
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error('[bench] failed:', error);
  process.exit(1);
});
