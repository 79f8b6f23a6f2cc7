import { InvalidEvent } from './errors';
import { DEFAULT_READ_BATCH, MAX_EVENTS_PER_APPEND, MAX_READ_BATCH, type ExpectedRevision, type NewEvent } from './port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Long enough for `<category>-<uuid>` or an HMAC-derived reservation name, short enough to index well. */
export const MAX_STREAM_NAME_LENGTH = 400;
const MAX_TYPE_LENGTH = 200;

export function assertStreamName(stream: string): void {
  if (typeof stream !== 'string' || stream.length === 0 || stream.length > MAX_STREAM_NAME_LENGTH) {
    throw new InvalidEvent(`Stream name must be 1…${MAX_STREAM_NAME_LENGTH} characters`);
  }
  if (stream.startsWith('$')) throw new InvalidEvent(`Stream names starting with "$" are reserved: ${stream}`);
}

export function assertExpectedRevision(expected: ExpectedRevision): void {
  if (typeof expected === 'bigint') {
    if (expected < 0n) throw new InvalidEvent(`Expected revision must be ≥ 0n, got ${expected}`);
    return;
  }
  if (expected !== 'any' && expected !== 'no_stream' && expected !== 'stream_exists') {
    throw new InvalidEvent(`Unknown expected revision: ${String(expected)}`);
  }
}

/**
 * Checks a batch before it reaches storage: every event needs a UUID id (unique within the batch),
 * a type, a JSON object payload and the metadata docs/design.md §2 requires.
 */
export function assertNewEvents(events: readonly NewEvent[]): void {
  if (!Array.isArray(events) || events.length === 0) throw new InvalidEvent('Append needs at least one event');
  if (events.length > MAX_EVENTS_PER_APPEND)
    throw new InvalidEvent(`Append takes at most ${MAX_EVENTS_PER_APPEND} events, got ${events.length}`);
  const seen = new Set<string>();
  for (const event of events) {
    if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new InvalidEvent(`Event id must be a UUID, got ${String(event.id)}`);
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new InvalidEvent(`Event id ${event.id} appears twice in one append`);
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > MAX_TYPE_LENGTH) {
      throw new InvalidEvent(`Event ${event.id}: type must be 1…${MAX_TYPE_LENGTH} characters`);
    }
    if (!isPlainObject(event.data)) throw new InvalidEvent(`Event ${event.id}: data must be a JSON object`);
    const metadata: unknown = event.metadata;
    if (!isPlainObject(metadata)) throw new InvalidEvent(`Event ${event.id}: metadata must be an object`);
    for (const key of ['correlationId', 'causationId', 'actor', 'occurredAt'] as const) {
      const value = metadata[key];
      if (typeof value !== 'string' || value.length === 0)
        throw new InvalidEvent(`Event ${event.id}: metadata.${key} must be a non-empty string`);
    }
    if (!Number.isInteger(metadata.schemaVersion)) throw new InvalidEvent(`Event ${event.id}: metadata.schemaVersion must be an integer`);
  }
}

/** Clamps a page size to 1…MAX_READ_BATCH so no caller can ask for an unbounded read. */
export function pageSize(limit: number | undefined, fallback = DEFAULT_READ_BATCH): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidEvent(`Read limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_READ_BATCH);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
