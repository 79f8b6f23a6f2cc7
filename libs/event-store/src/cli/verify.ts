/**
 * Checks the hash chain of one stream, or of every stream, and (PostgreSQL) the store against its
 * signed checkpoints; exits non-zero on any sign of tampering.
 *
 *   DATABASE_URL=postgres://… node -r @swc-node/register libs/event-store/src/cli/verify.ts wallet-42
 *   DATABASE_URL=postgres://… node -r @swc-node/register libs/event-store/src/cli/verify.ts --all
 *   DATABASE_URL=postgres://… node -r @swc-node/register libs/event-store/src/cli/verify.ts --all --kafka[=<topic>]
 *
 * With PostgreSQL it also verifies the checkpoint chain (every signature, every link) and compares the
 * store with the newest checkpoint that verifies: a stream deleted, truncated below the signed
 * revision, or rewritten with a recomputed chain is reported with its stream and revision, beside the
 * chains' own breaks (an edited event). One stream: its chain and its signed head. `--kafka` also
 * reads the checkpoints published on Kafka (topic `EVENT_CHECKPOINT_TOPIC`, else
 * `<KAFKA_TOPIC_PREFIX>ops.checkpoints`) and reports one the table no longer holds.
 *
 * `EVENT_STORE_URL` (any supported scheme) wins over `DATABASE_URL`; `EVENT_STORE_SCHEMA` names the
 * PostgreSQL schema; `EVENT_CHECKPOINT_PUBLIC_KEYS` the public keys checkpoints are verified with (the
 * development key in development mode). Exit codes: 0 intact, 1 tampering found (a broken chain, a
 * store that does not match its newest checkpoint, a checkpoint that does not verify or is gone),
 * 2 usage, configuration or connection error.
 */
import { topics } from '@ledger/contracts';
import { createKafka } from '@ledger/messaging';
import { auditStore, type AuditReport, type Finding } from '../checkpoints/audit';
import { verificationKeysFromEnv, type CheckpointVerificationKeys } from '../checkpoints/checkpoint-keys';
import { CHECKPOINT_TOPIC_VARIABLE } from '../checkpoints/checkpoint-config';
import { readCheckpointCopies } from '../checkpoints/kafka-copy';
import type { CheckpointRecord } from '../checkpoints/signed-checkpoint';
import { createEventStore } from '../factory';
import type { EventStore, VerifyAllResult, VerifyResult } from '../port';
import { PostgresEventStore } from '../postgres/postgres-event-store';

const USAGE = 'usage: verify <stream|--all> [--kafka[=<topic>]]   (with DATABASE_URL or EVENT_STORE_URL set)';

interface Arguments {
  target: string;
  /** The topic of the checkpoints' Kafka copy, when asked for. */
  kafkaTopic?: string;
}

export async function runVerify(args: readonly string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<number> {
  const parsed = parseArguments(args, env);
  const url = env.EVENT_STORE_URL ?? env.DATABASE_URL;
  if (!parsed || !url) {
    print(USAGE);
    return 2;
  }
  const store = createEventStore(url, { schema: env.EVENT_STORE_SCHEMA });
  try {
    if (!(store instanceof PostgresEventStore)) return await verifyChainsOnly(store, parsed, print);
    return await verifyWithCheckpoints(store, parsed, env, print);
  } finally {
    await store.close();
  }
}

/** A store without signed checkpoints (KurrentDB): its chains, as before. */
async function verifyChainsOnly(store: EventStore, { target, kafkaTopic }: Arguments, print: (line: string) => void): Promise<number> {
  const result: VerifyResult | VerifyAllResult = target === '--all' ? await store.verifyAll() : await store.verifyStream(target);
  if (result.ok) {
    print(
      'stream' in result
        ? `OK ${result.stream}: ${result.events} events, head ${result.headHash ?? '(empty stream)'}`
        : `OK ${result.streams} streams, ${result.events} events`,
    );
  } else {
    print(`BROKEN ${result.stream} at revision ${result.revision}: ${result.reason}`);
  }
  print(`checkpoints not checked: signed checkpoints are PostgreSQL-only${kafkaTopic === undefined ? '' : ' (--kafka ignored)'}`);
  return result.ok ? 0 : 1;
}

async function verifyWithCheckpoints(
  store: PostgresEventStore,
  { target, kafkaTopic }: Arguments,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  let keys: CheckpointVerificationKeys = new Map();
  let keyProblem: string | undefined;
  try {
    keys = verificationKeysFromEnv(env);
  } catch (error) {
    // Fatal only if there are checkpoints to verify: a store without any still gets its chains checked.
    keyProblem = error instanceof Error ? error.message : String(error);
  }
  let copies: CheckpointRecord[] | undefined;
  if (kafkaTopic !== undefined) {
    copies = await readCheckpointCopies({ kafka: createKafka('verify-checkpoints'), topic: kafkaTopic, store: store.schema });
    print(`read ${copies.length} published checkpoints of ${store.schema} from ${kafkaTopic}`);
  }
  const stream = target === '--all' ? undefined : target;
  await store.init();
  const report = await store.withClient((client) => auditStore(client, store.schema, { keys, stream, copies }));
  if (keyProblem !== undefined && (report.checkpoints > 0 || (copies?.length ?? 0) > 0)) {
    print(`cannot verify ${report.checkpoints} checkpoints: ${keyProblem}`);
    return 2;
  }
  for (const finding of report.findings) print(describe(finding));
  if (report.incomplete) print(`stopped after ${report.findings.length} findings`);
  printSummary(report, stream, print);
  return report.ok ? 0 : 1;
}

function printSummary(report: AuditReport, stream: string | undefined, print: (line: string) => void): void {
  const chainsIntact = !report.findings.some((finding) => finding.kind === 'edited-event');
  if (chainsIntact) {
    print(
      stream === undefined
        ? `OK ${report.streams} streams, ${report.events} events`
        : `OK ${stream}: ${report.events} events, head ${report.headHash ?? '(empty stream)'}`,
    );
  }
  const newest = report.newest;
  if (report.checkpoints === 0) {
    print('no signed checkpoint yet: only the hash chains were checked');
  } else if (newest === undefined) {
    print(`none of the ${report.checkpoints} checkpoints verifies: the store was not compared with one`);
  } else if (report.ok) {
    const { sequence, createdAt, keyId, streams, events, logHead } = newest.body;
    print(
      `OK ${report.checkpoints} checkpoints; ${stream === undefined ? 'the store matches' : `${stream} matches`} checkpoint #${sequence} ` +
        `(${createdAt}, key ${keyId}): ${streams} streams, ${events} events, log head at position ${logHead.position}`,
    );
  }
}

function describe(finding: Finding): string {
  const where = finding.stream === undefined ? `checkpoint #${finding.sequence}` : `${finding.stream} at revision ${finding.revision}`;
  return `BROKEN ${where}: ${finding.kind}: ${finding.detail}`;
}

function parseArguments(args: readonly string[], env: NodeJS.ProcessEnv): Arguments | undefined {
  let target: string | undefined;
  let kafkaTopic: string | undefined;
  for (const arg of args) {
    if (arg === '--kafka') kafkaTopic = env[CHECKPOINT_TOPIC_VARIABLE]?.trim() || `${env.KAFKA_TOPIC_PREFIX ?? ''}${topics.checkpoints}`;
    else if (arg.startsWith('--kafka=') && arg.length > '--kafka='.length) kafkaTopic = arg.slice('--kafka='.length);
    else if (target === undefined && (arg === '--all' || !arg.startsWith('--'))) target = arg;
    else return undefined;
  }
  return target === undefined ? undefined : { target, kafkaTopic };
}

if (require.main === module) {
  runVerify(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
