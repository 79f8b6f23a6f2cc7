import type { ExpectedRevision } from './port';

/** The stream's actual state did not match the append's expected revision (optimistic concurrency). */
export class WrongExpectedRevision extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';

  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The revision of the stream's last event, or `'no_stream'` when the stream has none. */
    readonly actualRevision: bigint | 'no_stream',
  ) {
    super(`Wrong expected revision on stream ${stream}: expected ${String(expected)}, actual ${String(actualRevision)}`);
    this.name = 'WrongExpectedRevision';
  }
}

/**
 * An event id that is already stored somewhere else (another stream or another revision). A retried
 * append with the same ids at the same place is a no-op instead; this error means the ids were
 * reused for different history, which is a bug in the caller.
 */
export class EventIdConflict extends Error {
  readonly code = 'EVENT_ID_CONFLICT';

  constructor(
    readonly stream: string,
    readonly eventIds: readonly string[],
    detail: string,
  ) {
    super(`Event ids already stored elsewhere when appending to ${stream}: ${detail}`);
    this.name = 'EventIdConflict';
  }
}

/** The caller handed the store something it must not store (a malformed id, metadata without an actor, …). */
export class InvalidEvent extends Error {
  readonly code = 'INVALID_EVENT';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidEvent';
  }
}

/** A cursor that this adapter did not produce (or that was corrupted in a checkpoint). */
export class InvalidCursor extends Error {
  readonly code = 'INVALID_CURSOR';

  constructor(cursor: string, expectedForm: string) {
    super(`Invalid event store cursor "${cursor}": expected ${expectedForm}`);
    this.name = 'InvalidCursor';
  }
}
