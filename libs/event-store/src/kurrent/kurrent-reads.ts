/**
 * The KurrentDB adapter's raw reads: a stream's events and a page of `$all`, as the adapter stores
 * them (chain hash split out of the metadata, not yet upcast). The store upcasts them for its
 * callers, and checks chains and heads on them as they are.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  START as KURRENT_START,
  StreamNotFoundError,
  streamNameFilter,
  type KurrentDBClient,
} from '@kurrent/kurrentdb-client';
import type { Cursor } from '../port';
import { decodeKurrentCursor } from './kurrent-cursor';
import { APPLICATION_STREAMS_REGEX, categoryRegex, toStored, type StoredEvent } from './kurrent-mapping';

export interface RawStreamRead {
  fromRevision: bigint | typeof KURRENT_START | typeof END;
  direction: typeof FORWARDS | typeof BACKWARDS;
  maxCount: number;
}

/** The events of `stream` that `options` select; none when the stream does not exist. */
export async function readRawStream(client: KurrentDBClient, stream: string, options: RawStreamRead): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  try {
    for await (const resolved of client.readStream(stream, options)) {
      const event = toStored(resolved);
      if (event) events.push(event);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return events;
}

/**
 * One page of `$all` after `from`. The server's `fromPosition` is inclusive, so the page asks for
 * one event more and drops the one sitting exactly at the cursor.
 */
export async function readRawGlobalPage(
  client: KurrentDBClient,
  from: Cursor,
  limit: number,
  category: string | undefined,
): Promise<{ events: StoredEvent[]; next: Cursor; isEnd: boolean }> {
  const fromPosition = decodeKurrentCursor(from);
  const filter = streamNameFilter({ regex: category === undefined ? APPLICATION_STREAMS_REGEX : categoryRegex(category) });
  const events: StoredEvent[] = [];
  const iterator = client.readAll({ fromPosition: fromPosition ?? KURRENT_START, direction: FORWARDS, maxCount: limit + 1, filter });
  for await (const resolved of iterator) {
    const event = toStored(resolved);
    if (!event || event.cursor === from) continue;
    if (events.length < limit) events.push(event);
    else return { events, next: events[events.length - 1]!.cursor, isEnd: false };
  }
  return { events, next: events.length === 0 ? from : events[events.length - 1]!.cursor, isEnd: events.length < limit };
}
