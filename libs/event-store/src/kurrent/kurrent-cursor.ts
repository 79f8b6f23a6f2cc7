/**
 * The KurrentDB adapter's place in the global read order: the log position, serialized as
 * `kurrent:<commit>:<prepare>` (why the position alone is enough: see `kurrent-event-store.ts`).
 */
import type { Position } from '@kurrent/kurrentdb-client';
import { InvalidCursor } from '../errors';
import { START, type Cursor } from '../port';

const CURSOR_FORM = /^kurrent:(\d{1,20}):(\d{1,20})$/;

export function encodeKurrentCursor(position: Position): Cursor {
  return `kurrent:${position.commit}:${position.prepare}`;
}

/** The log position a cursor names; undefined for `START`. */
export function decodeKurrentCursor(cursor: Cursor): Position | undefined {
  if (cursor === START) return undefined;
  const match = CURSOR_FORM.exec(cursor);
  if (!match) throw new InvalidCursor(cursor, `"${START}" or "kurrent:<commit>:<prepare>"`);
  return { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
}
