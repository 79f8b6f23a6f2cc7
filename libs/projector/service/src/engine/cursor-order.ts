/**
 * The order of one event store's cursors: the only place in the projector that looks inside a
 * cursor. Everything else keeps cursors opaque and asks these helpers.
 *
 * The shared store reader (`store-reader.ts`) needs an order to start from the lowest checkpoint of
 * its projections and to hand each projection only the events after its own checkpoint. PostgreSQL
 * cursors are the pair (writer's transaction id, position), totally ordered by that pair, which is
 * also the order in which the store returns them (`libs/event-store/src/postgres/cursor.ts`).
 */
import { adapterFor, comparePostgresCursors, type Cursor } from '@ledger/event-store';

/** Negative when `left` comes first in the store's read order, 0 when equal, positive after. */
export type CursorOrder = (left: Cursor, right: Cursor) => number;

/**
 * The cursor order of the store at `url`, or undefined when the projector does not compare that
 * adapter's cursors. KurrentDB's log positions are ordered too, but that adapter has never run
 * against a server here, so its projections keep the per-projection subscription (the path its
 * contract suite covers) instead of a comparison nobody has checked against real positions.
 */
export function cursorOrderFor(url: string): CursorOrder | undefined {
  switch (adapterFor(url)) {
    case 'postgres':
      return comparePostgresCursors;
    case 'kurrentdb':
      return undefined;
  }
}

/** True when `cursor` lies strictly after `than` in the store's read order. */
export function isAfter(order: CursorOrder, cursor: Cursor, than: Cursor): boolean {
  return order(cursor, than) > 0;
}

/** The first of the given cursors in the store's read order (`cursors` must not be empty). */
export function earliest(order: CursorOrder, cursors: readonly Cursor[]): Cursor {
  if (cursors.length === 0) throw new Error('earliest: no cursors');
  return cursors.reduce((first, cursor) => (order(cursor, first) < 0 ? cursor : first));
}
