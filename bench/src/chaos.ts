/**
 * `npm run chaos`: the payment mix under faults, then the proof that no fen moved wrongly.
 *
 * It starts the stack of `npm start` in an instance of its own (`.local/chaos/`, its own ports),
 * seeds CHAOS_USERS users, and sends CHAOS_PAYMENTS payments (the realistic mix of `npm run bench`)
 * at CHAOS_RATE per second while it:
 * - SIGKILLs a random service (identity, cards, wallet, payments, gateway, projector) every
 *   CHAOS_KILL_EVERY_S seconds (± half), which the supervisor restarts, as in production;
 * - restarts the Kafka broker once, halfway through.
 * A payment refused PAYMENTS_BUSY (admission control while faults hold payments in flight) or left
 * unanswered (TIMEOUT) is sent again with the same command id, backing off exponentially, as an app would.
 * Then it waits for quiescence and checks: every payment command the broker accepted reached exactly
 * one outcome (or was refused before it started), the ledger sums to zero, no wallet credit or
 * capture was recorded twice, and every read model equals a fresh replay (projector checksums).
 * It prints the counts and saves them to bench/results/<CHAOS_NAME>-<date>.{json,md}; exit 1 on a violation.
 *
 * Environment: CHAOS_PAYMENTS (10000), CHAOS_RATE (150), CHAOS_USERS (500), CHAOS_KILL_EVERY_S (8),
 * CHAOS_NAME (chaos), LEDGER_REPLICAS (1).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { localDir, repoRoot } from '@ledger/local-infra';
import { KafkaCommandClient, createKafka } from '@ledger/messaging';
import { commandOf, saveResults } from './report';
import { checkInvariants, waitForQuiescence } from './system/invariants';
import { OutcomeTracker, runLoad, summarize, type PaymentRecord } from './system/load';
import { REALISTIC_MIX } from './system/traffic-mix';
import { EdgeSecrets, PAYMENT_PASSWORD, seedUsers } from './system/seed';
import { startBenchStack, type BenchStack } from './system/stack';

const env = process.env;
const PAYMENTS = Number(env.CHAOS_PAYMENTS ?? 10_000);
const RATE = Number(env.CHAOS_RATE ?? 150);
const USERS = Number(env.CHAOS_USERS ?? 500);
const KILL_EVERY_MS = Number(env.CHAOS_KILL_EVERY_S ?? 8) * 1000;
/** Results go to bench/results/<CHAOS_NAME>-<date>.*, so a run does not overwrite the day's earlier one. */
const NAME = env.CHAOS_NAME ?? 'chaos';

const REPLICAS = Number(env.LEDGER_REPLICAS ?? 1);
const INSTANCE = 'chaos';
/** A payment refused PAYMENTS_BUSY (a killed service holds payments in flight) or unanswered is sent again, as an app would, backing off up to 30 s, for ~5 minutes. */
const BUSY_RETRIES = 15;
const VICTIMS = ['identity', 'cards', 'wallet', 'payments', 'gateway', 'projector'];
/**
 * Kills of one service within a minute, at most: the supervisor of `npm start` gives up on a service
 * that dies five times in a minute (a crash loop, as a production supervisor would), and a random
 * pick can hit one service that often.
 */
const MAX_KILLS_PER_SERVICE_PER_MINUTE = 3;
const say = (line: string) => console.log(`[chaos] ${line}`);

interface Fault {
  atS: number;
  what: string;
}

/** Kills a random service instance every KILL_EVERY_MS (± half) until stopped; restarts the broker once at `brokerRestartAtMs`. */
function injectFaults(stack: BenchStack, startedAt: number, brokerRestartAtMs: number) {
  const faults: Fault[] = [];
  let stopped = false;
  let brokerRestarted = false;
  const killedAt = new Map<string, number[]>();
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS * (0.5 + Math.random())));
      if (stopped) break;
      const atS = Math.round((performance.now() - startedAt) / 1000);
      if (!brokerRestarted && performance.now() - startedAt >= brokerRestartAtMs) {
        brokerRestarted = true;
        stack.restartBroker();
        faults.push({ atS, what: 'Kafka broker restarted' });
        say(`  ${atS} s: restarting the Kafka broker`);
        continue;
      }
      const now = performance.now();
      const candidates = VICTIMS.filter(
        (victim) => (killedAt.get(victim) ?? []).filter((at) => at > now - 60_000).length < MAX_KILLS_PER_SERVICE_PER_MINUTE,
      );
      const service = candidates[Math.floor(Math.random() * candidates.length)];
      if (service === undefined) continue;
      killedAt.set(service, [...(killedAt.get(service) ?? []), now]);
      const pids = stack.file().instances[service] ?? [];
      const pid = pids[Math.floor(Math.random() * pids.length)];
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
        faults.push({ atS, what: `SIGKILL ${service} (pid ${pid})` });
        say(`  ${atS} s: SIGKILL ${service} (pid ${pid})`);
      } catch {
        // already gone (being restarted): pick another next time
      }
    }
  })();
  return {
    faults,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Payment ids the broker accepted, with no payment stream and no refusal: commands lost. */
async function lostCommands(databaseUrl: string, records: PaymentRecord[]): Promise<string[]> {
  const accepted = records.filter((record) => !record.code?.startsWith('SEND_FAILED'));
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ stream: string }>(`SELECT DISTINCT stream FROM payments.events WHERE stream = ANY($1)`, [
      accepted.map((record) => `payment-${record.paymentId}`),
    ]);
    const started = new Set(rows.map((row) => row.stream.slice('payment-'.length)));
    // A command refused before its payment started (risk rules, validation, admission) has no stream, and
    // said so in its reply; one whose reply never came (TIMEOUT) and has no stream is lost.
    const refused = (record: PaymentRecord) => record.replyStatus === 'rejected' && record.code !== undefined && record.code !== 'TIMEOUT';
    return accepted.filter((record) => !started.has(record.paymentId) && !refused(record)).map((record) => record.paymentId);
  } finally {
    await client.end();
  }
}

/** The projector's own proof: rebuild every read model and compare checksums with the live ones. */
function verifyReadModels(databaseUrl: string): { ok: boolean; output: string } {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/projector/src/cli/replay.ts', '--all', '--verify'], {
    cwd: repoRoot,
    env: { ...env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { ok: result.status === 0, output: `${result.stdout}` };
}

async function main(): Promise<number> {
  const stack = await startBenchStack(
    {
      instance: INSTANCE,
      replicas: REPLICAS,
      kafkaPort: 9292,
      postgresPort: 54351,
      gatewayPort: 3301,
      env: { PAYMENTS_RISK_VELOCITY_PER_MINUTE: '1000', PARTNERS_LOAD_TEST_CARDS: String(Math.max(USERS * 2, 10_000)) },
    },
    say,
  );
  const kafka = createKafka('chaos', stack.file().brokers.split(','), stack.kafkaAuth('bench'));
  const client = new KafkaCommandClient({ kafka, clientName: 'bench', sender: 'gateway', defaultTimeoutMs: 60_000, maxPending: 200_000 });
  const tracker = new OutcomeTracker(kafka);
  try {
    await client.start();
    const users = await seedUsers({
      client,
      sms: stack.partners,
      count: USERS,
      file: path.join(localDir, INSTANCE, 'bench-users.json'),
      concurrency: 16,
      say,
    });
    await tracker.start();
    const databaseUrl = stack.file().databaseUrl;
    const before = await checkInvariants(databaseUrl);
    const pidsBefore = JSON.stringify(stack.file().instances);

    const durationMs = (PAYMENTS / RATE) * 1000;
    say(
      `${PAYMENTS} payments at ${RATE}/s (${Math.round(durationMs / 1000)} s) while services are killed every ~${KILL_EVERY_MS / 1000} s and the broker restarts once`,
    );
    const startedAt = performance.now();
    const chaos = injectFaults(stack, startedAt, durationMs / 2);
    // Faults while the payments are sent; the drain after it (resends included) runs without them.
    const faultsEnd = setTimeout(() => void chaos.stop().then(() => say('faults stopped')), durationMs);
    const run = await runLoad({
      client,
      tracker,
      users,
      mix: REALISTIC_MIX,
      rate: RATE,
      durationMs,
      paymentPassword: new EdgeSecrets().identity('paymentPassword', PAYMENT_PASSWORD),
      label: 'chaos',
      say,
      busyRetries: BUSY_RETRIES,
      drainMs: 300_000,
    });
    clearTimeout(faultsEnd);
    await chaos.stop();

    // A command may still wait in Kafka (its service was down when it came, or a resend came last):
    // only one that no service has taken after every service has had time to is lost.
    say('waiting for every accepted command to be taken');
    let lost = await lostCommands(databaseUrl, run.records);
    for (const deadline = Date.now() + 180_000; lost.length > 0 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      lost = await lostCommands(databaseUrl, run.records);
    }
    say('waiting for quiescence');
    const invariants = await waitForQuiescence(databaseUrl, 300_000, say);
    // The projector catches up on its own; give it a moment before comparing with a fresh rebuild.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const readModels = verifyReadModels(databaseUrl);
    const kills = chaos.faults.filter((fault) => fault.what.startsWith('SIGKILL')).length;
    const brokerRestarts = chaos.faults.length - kills;
    const sendFailures = run.records.filter((record) => record.code?.startsWith('SEND_FAILED')).length;
    const completed = run.records.filter((record) => record.outcome === 'completed').length;
    const violations = invariants.violations + lost.length + (readModels.ok ? 0 : 1);
    const pidsChanged = JSON.stringify(stack.file().instances) !== pidsBefore;

    say(readModels.output.trim());
    saveResults(
      NAME,
      commandOf('chaos', ['CHAOS_', 'LEDGER_REPLICAS']),
      {
        payments: PAYMENTS,
        rate: RATE,
        users: users.length,
        replicas: REPLICAS,
        faults: chaos.faults,
        kills,
        brokerRestarts,
        sendFailures,
        completed,
        lostCommands: lost,
        invariants,
        paymentsBefore: before.paymentsStarted,
        readModelsMatchReplay: readModels.ok,
        readModelReport: readModels.output,
        restartedServices: pidsChanged,
      },
      [
        {
          title: 'Chaos run',
          columns: [
            'payments sent',
            'refused by the broker (not accepted)',
            'completed',
            'SIGKILLs',
            'broker restarts',
            'lost commands',
            'several outcomes',
            'credits twice',
            'captures twice',
            'ledger sum (fen)',
            'read models = replay',
            'violations',
          ],
          rows: [
            [
              run.records.length,
              sendFailures,
              completed,
              kills,
              brokerRestarts,
              lost.length,
              invariants.paymentsWithSeveralOutcomes,
              invariants.duplicatedCredits,
              invariants.duplicatedCaptures,
              invariants.ledgerSumMinor,
              readModels.ok ? 'yes' : 'NO',
              violations,
            ],
          ],
        },
        {
          title: 'Outcomes (kind:code → payments; a payment refused PAYMENTS_BUSY was resent until it started or its resends ran out)',
          columns: ['outcome', 'payments'],
          rows: Object.entries(summarize(run.records, run.startedAt, run.endedAt).byCode),
        },
        { title: 'Faults', columns: ['second', 'fault'], rows: chaos.faults.map((fault) => [fault.atS, fault.what]) },
      ],
    );
    say(`${run.records.length} payments, ${kills} kills, ${brokerRestarts} broker restart(s), violations = ${violations}`);
    return violations === 0 ? 0 : 1;
  } finally {
    await tracker.stop().catch(() => undefined);
    await client.stop().catch(() => undefined);
    say('stopping the stack');
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[chaos] failed:', error);
    process.exit(1);
  },
);
