/**
 * How the KurrentDB adapter's data sits on the server: the chain hash in each event's metadata,
 * checkpoint and category stream names, and an event read back as the adapter stores it.
 */
import type { AllStreamResolvedEvent, RecordedEvent as KurrentRecordedEvent, ResolvedEvent } from '@kurrent/kurrentdb-client';
import type { StoredLink } from '../hash-chain';
import type { Cursor, EventMetadata } from '../port';
import { isPlainObject } from '../validation';
import { encodeKurrentCursor } from './kurrent-cursor';

/** Metadata key holding the event's chain hash (hex). Stripped from `metadata` on read. */
export const HASH_METADATA_KEY = '$ledgerChainHash';
/** Checkpoint streams: `ledger_checkpoint-<name>` (a category of their own, hidden from `readAll`). */
export const CHECKPOINT_STREAM_PREFIX = 'ledger_checkpoint-';

/** A category as a server-side stream-name regex: `wallet` matches `wallet` and `wallet-…`. */
export function categoryRegex(category: string): string {
  return `^${category.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-|$)`;
}

/** Everything the application wrote: no system streams, no checkpoint streams. */
export const APPLICATION_STREAMS_REGEX = `^(?!\\$|${CHECKPOINT_STREAM_PREFIX})`;

export interface StoredEvent extends StoredLink {
  position: bigint;
  cursor: Cursor;
  recordedAt: Date;
}

export function toStored(resolved: AllStreamResolvedEvent | ResolvedEvent): StoredEvent | undefined {
  const event = resolved.event as KurrentRecordedEvent | undefined;
  if (!event || !event.isJson || !isPlainObject(event.data)) return undefined;
  const rawMetadata = isPlainObject(event.metadata) ? event.metadata : {};
  const { [HASH_METADATA_KEY]: hash, ...metadata } = rawMetadata;
  const position = event.position ?? { commit: resolved.commitPosition ?? -1n, prepare: resolved.commitPosition ?? -1n };
  return {
    id: event.id,
    stream: event.streamId,
    revision: event.revision,
    position: position.commit,
    cursor: encodeKurrentCursor(position),
    type: event.type,
    data: event.data,
    metadata: metadata as EventMetadata,
    recordedAt: event.created,
    hash: typeof hash === 'string' ? hash : '',
  };
}
