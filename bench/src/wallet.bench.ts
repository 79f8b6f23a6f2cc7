/**
 * `npm run bench:wallet`: the wallet ledger's throughput next to the raw event-store append rate,
 * measured in one run on the same PostgreSQL server (durable, fsync on).
 *
 * It drives the wallet domain (`createWalletDecider`) through `DeciderHandler` and the PostgreSQL
 * event store directly, without Kafka, so it measures the ledger (load → fold → decide → append
 * with the expected revision) and not the broker. Like the wallet service, it runs one command at
 * a time per wallet inside the process (a per-wallet queue), leaving optimistic concurrency to
 * settle races between instances.
 *
 * Phases (BENCH_PHASE_MS each, BENCH_WRITERS concurrent loops):
 * 1. raw: single-event appends to fresh streams (`store.append`, "no stream");
 * 2. spread: reserve + capture on a random one of BENCH_WALLETS (10,000) funded wallets;
 * 3. hot: reserve + capture, every loop on the same wallet.
 * An operation is one command (a reservation or a capture). Figures go to bench/results/wallet-<date>.{json,md}.
 */
import { randomUUID } from 'node:crypto';
import { createEventStore, DeciderHandler, type EventCodec, type NewEvent } from '@ledger/event-store';
import {
  createWalletDecider,
  isWalletEventType,
  type WalletCommand,
  type WalletEvent,
  type WalletPolicy,
  type WalletState,
} from '@ledger/wallet-domain';
import { latencySummary, saveResults, type BenchTable } from './report';
import { benchDatabase, runConcurrently, stopBenchServer } from './bench-infra';

const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 10_000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 16);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 10_000);
const NOW = () => new Date().toISOString();

/** Limits high enough that only funds and contention decide; the bench measures the ledger. */
const big = 10n ** 15n;
const policy: WalletPolicy = {
  tiers: {
    basic: { perPaymentLimitMinor: big, dailyDebitLimitMinor: big, balanceCapMinor: big },
    verified: { perPaymentLimitMinor: big, dailyDebitLimitMinor: big, balanceCapMinor: big },
    premium: { perPaymentLimitMinor: big, dailyDebitLimitMinor: big, balanceCapMinor: big },
  },
  creditsWhileFrozen: 'accept',
};

const codec: EventCodec<WalletEvent> = {
  encode: (event) => ({ type: event.type, data: { ...event.data } }),
  decode: (record) => {
    if (!isWalletEventType(record.type)) throw new Error(`not a wallet event: ${record.type}`);
    return { type: record.type, data: record.data } as unknown as WalletEvent;
  },
};

/** One command at a time per wallet, as the service's KeyedMutex does (bounded by the loop count). */
const tails = new Map<string, Promise<unknown>>();
function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const next = previous.then(task, task);
  const settled = next.catch(() => undefined);
  tails.set(key, settled);
  void settled.then(() => tails.get(key) === settled && tails.delete(key));
  return next;
}

const meta = () => {
  const commandId = randomUUID();
  return { commandId, correlationId: commandId, actor: 'system:bench', occurredAt: NOW() };
};

async function main(): Promise<void> {
  const db = await benchDatabase('wallet');
  console.log(
    `PostgreSQL ${db.serverVersion}; ${PHASE_MS} ms per phase, ${WRITERS} concurrent loops, ${WALLETS.toLocaleString()} wallets. No Kafka: domain + DeciderHandler + event store.`,
  );
  const store = createEventStore(db.url, { schema: 'wallet', poolSize: WRITERS + 8 });
  await store.init();
  const decider = createWalletDecider(policy);
  const handler = new DeciderHandler<WalletCommand, WalletEvent, WalletState>({
    store,
    decider,
    codec,
    maxAttempts: 10,
    cacheSize: WALLETS * 2,
  });

  // 1. Raw appends: the ceiling, one FundsReserved-sized event per append.
  const sample = (stream: string): NewEvent => ({
    id: randomUUID(),
    type: 'wallet.FundsReserved.v1',
    data: {
      walletId: stream,
      holdId: randomUUID(),
      amountMinor: '100',
      expiresAt: '2026-11-22T10:00:00.000Z',
      reference: 'bench',
      counterparty: 'merchant:m-1',
      reservedAt: NOW(),
      debitDay: '2026-11-22',
      idempotencyKey: 'k',
      payloadFingerprint: '[]',
    },
    metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor: 'system:bench', occurredAt: NOW(), schemaVersion: 1 },
  });
  const raw = await runConcurrently(WRITERS, PHASE_MS, () => {
    const stream = `raw-${randomUUID()}`;
    return store.append(stream, [sample(stream)], { expectedRevision: 'no_stream' });
  });
  const rawRate = raw.operations / (raw.elapsedMs / 1000);
  console.log(`raw appends: ${rawRate.toFixed(0)}/s`);

  // Setup: WALLETS open, funded wallets (one append each: WalletOpened + WalletCredited) and a hot one.
  const setupStarted = performance.now();
  const walletIds = Array.from({ length: WALLETS }, () => `bw-${randomUUID()}`);
  const hotWalletId = `hot-${randomUUID()}`;
  const allIds = [...walletIds, hotWalletId];
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = next++; i < allIds.length; i = next++) {
        const walletId = allIds[i]!;
        const now = NOW();
        const opened = decider.decide(
          {
            type: 'OpenWallet',
            walletId,
            userId: `user-${walletId}`,
            tier: 'premium',
            prerequisites: { registered: true, paymentPasswordSet: true, cardBound: true },
            now,
          },
          decider.initialState(),
        );
        if (!Array.isArray(opened)) throw new Error('open rejected');
        const state = decider.evolve(decider.initialState(), opened[0]!);
        const credited = decider.decide(
          {
            type: 'CreditWallet',
            walletId,
            creditId: 'seed',
            amountMinor: 10n ** 12n,
            reference: 'bench seed',
            counterparty: 'clearing:card:ICBC',
            now,
          },
          state,
        );
        if (!Array.isArray(credited)) throw new Error('credit rejected');
        await store.append(
          `wallet-${walletId}`,
          [...opened, ...credited].map((event, n) => ({
            id: randomUUID(),
            ...codec.encode(event),
            metadata: { correlationId: `seed-${n}`, causationId: `seed-${n}`, actor: 'system:bench', occurredAt: now, schemaVersion: 1 },
          })),
          { expectedRevision: 'no_stream' },
        );
      }
    }),
  );
  console.log(`set up ${allIds.length.toLocaleString()} wallets in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

  /** Runs reserve + capture pairs; returns command rate, latencies and failures. */
  async function pairs(pickWallet: () => string) {
    const commandLatencies: number[] = [];
    let failures = 0;
    const failureCodes = new Map<string, number>();
    const fail = (code: string) => {
      failures += 1;
      failureCodes.set(code, (failureCodes.get(code) ?? 0) + 1);
    };
    const command = async (walletId: string, build: (now: string) => WalletCommand) => {
      const t0 = performance.now();
      try {
        const outcome = await serialized(walletId, () => handler.handle(`wallet-${walletId}`, build(NOW()), meta()));
        if (outcome.kind === 'rejected') fail(outcome.rejection.code);
        return outcome.kind === 'accepted';
      } catch (error) {
        fail(error instanceof Error ? error.name : 'error');
        return false;
      } finally {
        commandLatencies.push(performance.now() - t0);
      }
    };
    const run = await runConcurrently(WRITERS, PHASE_MS, async () => {
      const walletId = pickWallet();
      const holdId = randomUUID();
      const reserved = await command(walletId, (now) => ({
        type: 'ReserveFunds',
        walletId,
        holdId,
        amountMinor: 100n,
        expiresAt: new Date(Date.parse(now) + 600_000).toISOString(),
        reference: 'bench',
        counterparty: 'merchant:m-1',
        now,
      }));
      if (reserved) await command(walletId, (now) => ({ type: 'CaptureHold', walletId, holdId, amountMinor: 100n, now }));
    });
    const rate = commandLatencies.length / (run.elapsedMs / 1000);
    return {
      commandsPerSec: rate,
      commands: commandLatencies.length,
      pairs: run.operations,
      failures,
      failureCodes: Object.fromEntries(failureCodes),
      latency: latencySummary(commandLatencies),
    };
  }

  const spread = await pairs(() => walletIds[Math.floor(Math.random() * walletIds.length)]!);
  console.log(
    `spread: ${spread.commandsPerSec.toFixed(0)} commands/s (${pct(spread.commandsPerSec / rawRate)} of raw), failures ${spread.failures}`,
  );
  const hot = await pairs(() => hotWalletId);
  console.log(`hot: ${hot.commandsPerSec.toFixed(0)} commands/s, failures ${hot.failures}`);
  const hotState = await handler.load(`wallet-${hotWalletId}`);

  const rawLatency = latencySummary(raw.latenciesMs);
  const tables: BenchTable[] = [
    {
      title: `Wallet commands (reserve + capture, 1 command = 1 op) vs. raw event-store appends — ${WRITERS} concurrent loops, no Kafka`,
      columns: ['phase', 'ops/s', 'ratio to raw appends', 'p50 / p99 ms', 'failures', 'target'],
      rows: [
        ['raw single-event appends', rawRate.toFixed(0), '100%', `${rawLatency.p50Ms} / ${rawLatency.p99Ms}`, 0, '—'],
        [
          `spread over ${WALLETS.toLocaleString()} wallets`,
          spread.commandsPerSec.toFixed(0),
          pct(spread.commandsPerSec / rawRate),
          `${spread.latency.p50Ms} / ${spread.latency.p99Ms}`,
          spread.failures,
          '≥ 50% of raw',
        ],
        [
          'one hot wallet',
          hot.commandsPerSec.toFixed(0),
          pct(hot.commandsPerSec / rawRate),
          `${hot.latency.p50Ms} / ${hot.latency.p99Ms}`,
          hot.failures,
          '≥ 300 ops/s, 0 failures',
        ],
      ],
    },
  ];
  saveResults(
    'wallet',
    'npm run bench:wallet',
    {
      postgres: db.serverVersion,
      phaseMs: PHASE_MS,
      writers: WRITERS,
      wallets: WALLETS,
      note: 'Domain + DeciderHandler + PostgreSQL event store, no Kafka; commands serialized per wallet in-process as in the service.',
      raw: { appendsPerSec: rawRate, latency: rawLatency },
      spread: {
        ...spread,
        ratioToRaw: spread.commandsPerSec / rawRate,
        meetsTarget: spread.commandsPerSec / rawRate >= 0.5 && spread.failures === 0,
      },
      hot: {
        ...hot,
        ratioToRaw: hot.commandsPerSec / rawRate,
        meetsTarget: hot.commandsPerSec >= 300 && hot.failures === 0,
        finalRevision: hotState.revision?.toString(),
      },
    },
    tables,
  );

  await store.close();
  await db.drop();
  await stopBenchServer();
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
