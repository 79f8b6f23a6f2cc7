/**
 * The PostgreSQL adapter's place in the global read order: the pair (writer's transaction id,
 * position), serialized as `<transactionId>:<position>`.
 *
 * Why not the position alone: positions come from a sequence, handed out when a row is inserted,
 * but rows become visible when their transaction commits. A writer can take position 10, stay
 * uncommitted while another writer takes 11 and commits, and a reader paging by position would
 * read 11, move its cursor past 10, and never see 10 once it commits (the late-commit problem).
 *
 * So every row stores `pg_current_xact_id()` of its writer, readers only read rows whose transaction
 * id is below `pg_snapshot_xmin(pg_current_snapshot())` (every transaction below it has finished, and
 * every transaction that has not started writing yet will get a higher id), and they page by the
 * pair. Nothing can later appear behind a cursor taken this way. The cost: a long-running
 * transaction anywhere on the server holds readers back until it ends (they lag, they never skip).
 */
import { InvalidCursor } from '../errors';
import { START, type Cursor } from '../port';

export interface PostgresCursor {
  /** The writer's `xid8` (64-bit, epoch-extended, so it never wraps). */
  transactionId: bigint;
  position: bigint;
}

export const POSTGRES_START: PostgresCursor = { transactionId: 0n, position: 0n };

const FORM = /^(\d{1,20}):(\d{1,20})$/;

export function encodePostgresCursor(cursor: PostgresCursor): Cursor {
  return `${cursor.transactionId}:${cursor.position}`;
}

export function decodePostgresCursor(cursor: Cursor): PostgresCursor {
  if (cursor === START) return POSTGRES_START;
  const match = FORM.exec(cursor);
  if (!match) throw new InvalidCursor(cursor, `"${START}" or "<transactionId>:<position>"`);
  return { transactionId: BigInt(match[1]!), position: BigInt(match[2]!) };
}

/** Total order of cursors (START first), e.g. to keep a checkpoint from moving backwards. */
export function comparePostgresCursors(left: Cursor, right: Cursor): number {
  const a = decodePostgresCursor(left);
  const b = decodePostgresCursor(right);
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}
