/**
 * Checks a PostgreSQL store against its signed checkpoints, in one read-only snapshot:
 *
 * 1. the checkpoint chain: each body, hash and signature, and each link to the previous checkpoint;
 * 2. the newest checkpoint that verifies, stream by stream: its heads (whose Merkle root must be the
 *    signed one) against the events now stored — a stream gone (`deleted-stream`), a stream that ends
 *    below the signed revision (`truncated`), an intact chain with another hash at the signed revision
 *    (`recomputed-chain`);
 * 3. every stream's own hash chain (`edited-event`: an edited, removed or reordered event);
 * 4. optionally, checkpoints published on Kafka that the table no longer holds (`checkpoint-missing`).
 *
 * Each finding names its stream and revision (or its checkpoint). Reading only: it can run against a
 * live store. A long store takes a while (every chain is walked); the snapshot holds no transaction id
 * and so does not hold back the store's readers.
 */
import { ChainVerifier } from '../hash-chain';
import { statements, storedLinkOf, type EventRow } from '../postgres/postgres-statements';
import type { CheckpointVerificationKeys } from './checkpoint-keys';
import { checkpointStatements, checkpointedHeads, toRecord, type CheckpointRow, type Queryable } from './checkpoint-statements';
import { MerkleAccumulator, MerkleOrderError } from './merkle';
import { GENESIS_CHECKPOINT_HASH, checkCheckpoint, type CheckpointRecord, type SignedCheckpoint } from './signed-checkpoint';

export type FindingKind =
  /** A broken link inside a stream's chain: an event edited, removed or moved (today's chain check). */
  | 'edited-event'
  /** The stream ends below the revision the newest checkpoint signed. */
  | 'truncated'
  /** A stream the newest checkpoint signed is gone. */
  | 'deleted-stream'
  /** The chain is intact but its hash at the signed revision is not the signed one: history rewritten and rehashed. */
  | 'recomputed-chain'
  /** The event the newest checkpoint names as the global log's head is gone or moved. */
  | 'log-head-missing'
  /** A checkpoint whose body, hash or signature does not verify. */
  | 'checkpoint-invalid'
  /** A checkpoint that does not follow its predecessor: one removed or replaced. */
  | 'checkpoint-link'
  /** The stored heads do not hash to the root the newest checkpoint signed. */
  | 'checkpoint-heads'
  /** A checkpoint published on Kafka that the table no longer holds, or holds differently. */
  | 'checkpoint-missing';

export interface Finding {
  kind: FindingKind;
  /** The stream, for the findings about one. */
  stream?: string;
  revision?: bigint;
  /** The checkpoint, for the findings about one. */
  sequence?: bigint;
  detail: string;
}

export interface AuditOptions {
  keys: CheckpointVerificationKeys;
  /** Check only this stream (its chain and its head); the checkpoint chain and the heads' root are still checked whole. */
  stream?: string;
  /** Checkpoints as published (read back from Kafka), to find the newest ones deleted from the table. */
  copies?: readonly CheckpointRecord[];
  /** Stop after this many findings (default 100). */
  maxFindings?: number;
}

export interface AuditReport {
  ok: boolean;
  /** Streams and events whose chains were walked. */
  streams: number;
  events: number;
  /** Checkpoints in the table (each one checked). */
  checkpoints: number;
  /** With `stream`: the stream's head hash (undefined for an empty or broken stream). */
  headHash?: string;
  /** The newest checkpoint that verified: the one the store was compared with. */
  newest?: SignedCheckpoint;
  findings: Finding[];
  /** True when the audit stopped at `maxFindings`. */
  incomplete: boolean;
}

export const DEFAULT_MAX_FINDINGS = 100;
const PAGE_SIZE = 1_000;

class Findings {
  readonly ofCheckpoints: Finding[] = [];
  readonly ofStreams: Finding[] = [];

  constructor(private readonly max: number) {}

  get full(): boolean {
    return this.ofCheckpoints.length + this.ofStreams.length >= this.max;
  }

  add(finding: Finding): void {
    if (this.full) return;
    (finding.stream === undefined ? this.ofCheckpoints : this.ofStreams).push(finding);
  }

  hasStream(stream: string): boolean {
    return this.ofStreams.some((finding) => finding.stream === stream);
  }

  all(): Finding[] {
    const byStream = [...this.ofStreams].sort((left, right) =>
      left.stream === right.stream ? Number((left.revision ?? 0n) - (right.revision ?? 0n)) : left.stream! < right.stream! ? -1 : 1,
    );
    return [...this.ofCheckpoints, ...byStream];
  }
}

export async function auditStore(session: Queryable, schema: string, options: AuditOptions): Promise<AuditReport> {
  const findings = new Findings(options.maxFindings ?? DEFAULT_MAX_FINDINGS);
  await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const chain = await checkCheckpointChain(session, schema, options.keys, findings);
    if (options.copies !== undefined) await compareCopies(session, schema, options.keys, options.copies, findings);
    const suspects = new Map<string, bigint>();
    if (chain.newest !== undefined) await compareHeads(session, schema, chain.newest, options.stream, findings, suspects);
    const walk = await walkChains(session, schema, options.stream, findings);
    for (const [stream, revision] of suspects) {
      // A break at or before the signed revision already explains the other hash there.
      const broken = walk.brokenAt.get(stream);
      if (broken === undefined || broken > revision) {
        findings.add({
          kind: 'recomputed-chain',
          stream,
          revision,
          detail: `the chain links up to revision ${revision}, but its hash there is not the one checkpoint #${chain.newest!.body.sequence} signed: rewritten and rehashed`,
        });
      }
    }
    if (chain.newest !== undefined) await checkLogHead(session, schema, chain.newest, options.stream, findings);
    await session.query('COMMIT');
    const all = findings.all();
    return {
      ok: all.length === 0,
      streams: walk.streams,
      events: walk.events,
      checkpoints: chain.count,
      headHash: walk.headHash,
      newest: chain.newest,
      findings: all,
      incomplete: findings.full,
    };
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function checkCheckpointChain(
  session: Queryable,
  schema: string,
  keys: CheckpointVerificationKeys,
  findings: Findings,
): Promise<{ count: number; newest?: SignedCheckpoint }> {
  const sql = checkpointStatements(schema);
  let previousHash = GENESIS_CHECKPOINT_HASH;
  let expected = 0n;
  let after = -1n;
  let count = 0;
  let newest: SignedCheckpoint | undefined;
  // Bounded by the number of checkpoints, a page at a time.
  for (;;) {
    const { rows } = await session.query<CheckpointRow>(sql.after, [after.toString(), PAGE_SIZE]);
    for (const row of rows) {
      const record = toRecord(row);
      count += 1;
      if (record.sequence !== expected) {
        const missing = record.sequence - 1n === expected ? `#${expected}` : `#${expected}…#${record.sequence - 1n}`;
        findings.add({ kind: 'checkpoint-link', sequence: record.sequence, detail: `checkpoint ${missing} before it is missing` });
      } else if (record.previous !== previousHash) {
        findings.add({
          kind: 'checkpoint-link',
          sequence: record.sequence,
          detail: `it names ${record.previous.slice(0, 16)}… as its predecessor, but checkpoint #${expected - 1n} has hash ${previousHash.slice(0, 16)}…`,
        });
      }
      const check = checkCheckpoint(record, keys, schema);
      if (check.ok) newest = check.checkpoint;
      else findings.add({ kind: 'checkpoint-invalid', sequence: record.sequence, detail: check.reason });
      previousHash = record.hash;
      expected = record.sequence + 1n;
    }
    if (rows.length < PAGE_SIZE) return { count, newest };
    after = BigInt(rows[rows.length - 1]!.sequence);
  }
}

async function compareCopies(
  session: Queryable,
  schema: string,
  keys: CheckpointVerificationKeys,
  copies: readonly CheckpointRecord[],
  findings: Findings,
): Promise<void> {
  const { rows } = await session.query<{ sequence: string; hash: string }>(
    `SELECT sequence, encode(checkpoint_hash, 'hex') AS hash FROM ${schema}.event_checkpoints WHERE sequence = ANY ($1::bigint[])`,
    [copies.map((copy) => copy.sequence.toString())],
  );
  const stored = new Map(rows.map((row) => [BigInt(row.sequence), row.hash]));
  for (const copy of [...copies].sort((left, right) => (left.sequence < right.sequence ? -1 : left.sequence > right.sequence ? 1 : 0))) {
    const check = checkCheckpoint(copy, keys, schema);
    if (!check.ok) {
      findings.add({ kind: 'checkpoint-invalid', sequence: copy.sequence, detail: `its published copy does not verify: ${check.reason}` });
      continue;
    }
    const hash = stored.get(copy.sequence);
    if (hash === undefined) {
      findings.add({
        kind: 'checkpoint-missing',
        sequence: copy.sequence,
        detail: `published on Kafka (signed ${check.checkpoint.body.createdAt}) but not in the table: it was deleted`,
      });
    } else if (hash !== check.checkpoint.hash) {
      findings.add({
        kind: 'checkpoint-missing',
        sequence: copy.sequence,
        detail: 'the table holds another checkpoint under this sequence than the one published',
      });
    }
  }
}

async function compareHeads(
  session: Queryable,
  schema: string,
  newest: SignedCheckpoint,
  onlyStream: string | undefined,
  findings: Findings,
  suspects: Map<string, bigint>,
): Promise<void> {
  const sql = checkpointStatements(schema);
  const sequence = newest.body.sequence;
  const accumulator = new MerkleAccumulator();
  let ordered = true;
  for await (const page of checkpointedHeads(session, schema, PAGE_SIZE)) {
    for (const head of page) {
      try {
        if (ordered) accumulator.add(head);
      } catch (error) {
        if (!(error instanceof MerkleOrderError)) throw error;
        ordered = false;
      }
    }
    const heads = onlyStream === undefined ? page : page.filter((head) => head.stream === onlyStream);
    if (heads.length === 0 || findings.full) continue;
    const { rows } = await session.query<{ stream: string; revision: string; hash: string | null; head: string | null }>(sql.storedAt, [
      heads.map((head) => head.stream),
      heads.map((head) => head.revision.toString()),
    ]);
    const state = new Map(rows.map((row) => [row.stream, row]));
    for (const signed of heads) {
      const stored = state.get(signed.stream);
      if (stored?.head === null || stored?.head === undefined) {
        findings.add({
          kind: 'deleted-stream',
          stream: signed.stream,
          revision: signed.revision,
          detail: `the stream is gone; checkpoint #${sequence} signed it up to revision ${signed.revision}`,
        });
      } else if (BigInt(stored.head) < signed.revision) {
        findings.add({
          kind: 'truncated',
          stream: signed.stream,
          revision: signed.revision,
          detail: `the stream ends at revision ${stored.head}; checkpoint #${sequence} signed it up to revision ${signed.revision}`,
        });
      } else if (stored.hash !== signed.hash) {
        suspects.set(signed.stream, signed.revision);
      }
    }
  }
  if (!ordered || accumulator.root().toString('hex') !== newest.body.root) {
    findings.add({
      kind: 'checkpoint-heads',
      sequence: BigInt(sequence),
      detail: `the stored heads (${accumulator.count} streams) do not hash to the root checkpoint #${sequence} signed (${newest.body.streams} streams): they were edited, so findings per stream may be missing`,
    });
  }
}

async function walkChains(
  session: Queryable,
  schema: string,
  onlyStream: string | undefined,
  findings: Findings,
): Promise<{ streams: number; events: number; brokenAt: Map<string, bigint>; headHash?: string }> {
  const sql = statements(schema);
  const brokenAt = new Map<string, bigint>();
  let headHash: string | undefined;
  let streams = 0;
  let events = 0;
  let after = '';
  // Bounded by the number of streams, a page of names at a time.
  for (;;) {
    const names =
      onlyStream === undefined
        ? (await session.query<{ stream: string }>(sql.listStreams.text, [after, PAGE_SIZE])).rows.map((row) => row.stream)
        : [onlyStream];
    for (const stream of names) {
      if (findings.full) return { streams, events, brokenAt };
      const verifier = new ChainVerifier(stream);
      let from = 0n;
      // Bounded by the stream's length: each page advances `from` by a full page or ends the loop.
      for (;;) {
        const { rows } = await session.query<EventRow>(sql.readStreamForwards.text, [stream, from.toString(), PAGE_SIZE]);
        let broken: { revision: bigint; reason: string } | undefined;
        for (const row of rows) {
          broken = verifier.check(storedLinkOf(row));
          if (broken !== undefined) break;
        }
        if (broken !== undefined) {
          brokenAt.set(stream, broken.revision);
          findings.add({ kind: 'edited-event', stream, revision: broken.revision, detail: broken.reason });
          break;
        }
        if (rows.length < PAGE_SIZE) break;
        from = BigInt(rows[rows.length - 1]!.revision) + 1n;
      }
      streams += 1;
      events += verifier.events;
      if (!brokenAt.has(stream)) headHash = verifier.headHash;
    }
    if (onlyStream !== undefined) return { streams, events, brokenAt, headHash };
    if (names.length < PAGE_SIZE) return { streams, events, brokenAt };
    after = names[names.length - 1]!;
  }
}

async function checkLogHead(
  session: Queryable,
  schema: string,
  newest: SignedCheckpoint,
  onlyStream: string | undefined,
  findings: Findings,
): Promise<void> {
  const head = newest.body.logHead;
  if ((onlyStream !== undefined && head.stream !== onlyStream) || findings.hasStream(head.stream)) return;
  const { rows } = await session.query<{ stream: string; revision: string }>(checkpointStatements(schema).eventAt, [
    head.transactionId,
    head.position,
  ]);
  const event = rows[0];
  if (event === undefined || event.stream !== head.stream || event.revision !== head.revision) {
    findings.add({
      kind: 'log-head-missing',
      stream: head.stream,
      revision: BigInt(head.revision),
      detail: `checkpoint #${newest.body.sequence} signed this event as the log's head (position ${head.position}); it is not there any more`,
    });
  }
}
