/**
 * What the contract's suites share: the subject an adapter's spec hands in, the fixture the suites
 * reach it through, and helpers that build events and wait for them.
 */
import { randomUUID } from 'node:crypto';
import { WrongExpectedRevision } from '../errors';
import type { EventMetadata, EventStore, NewEvent, ReadPage } from '../port';

export interface ContractSubject {
  /** The store under test (closed by the suite). */
  store: EventStore;
  /** A second store on the same storage, as another process would have (closed by the suite). */
  openAnother(): Promise<EventStore>;
  /** Cleans the storage up, after the suite closed its stores. */
  dispose(): Promise<void>;
}

export interface ContractCapabilities {
  /** The adapter refuses event ids already stored in another stream or at another revision. */
  detectsReusedEventIds: boolean;
}

/**
 * The store under test and what goes with it, as the suites see them. `eventStoreContract` fills it
 * in its `beforeAll`, so read it in hooks and tests, not while the tests are being declared.
 */
export interface ContractFixture {
  readonly subject: ContractSubject;
  readonly store: EventStore;
  /** Further stores a test opens (closed by the suite with the main one). */
  readonly others: EventStore[];
}

export function uniqueName(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export function metadata(extra: Partial<EventMetadata> = {}): EventMetadata {
  return {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: 'user:contract',
    occurredAt: '2026-11-22T08:00:00.000Z',
    schemaVersion: 1,
    ...extra,
  };
}

export function newEvent(type: string, data: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: metadata() };
}

export function newEvents(count: number, type = 'test.Happened.v1'): NewEvent[] {
  return Array.from({ length: count }, (_, index) => newEvent(type, { index }));
}

/** Polls `check` until it returns true; bounded by `attempts` × `intervalMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, attempts = 500, intervalMs = 20): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met after ${attempts} attempts`);
}

/**
 * Waits (bounded) until `read` shows the event `eventId`. A store may show an append in global order
 * only once every older transaction has ended (the late-commit rule), and a transaction of another
 * test file on the same server can be open for a moment; events are shown in commit order, so once
 * the last one appended is shown, every earlier one is too.
 */
export async function untilShown(eventId: string, read: () => Promise<ReadPage>): Promise<void> {
  await eventually(async () => (await read()).events.some((event) => event.id === eventId));
}

export async function expectWrongRevision(
  promise: Promise<unknown>,
  stream: string,
  expected: unknown,
  actual: bigint | 'no_stream',
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevision);
  expect(error).toMatchObject({ stream, expected, actualRevision: actual, code: 'WRONG_EXPECTED_REVISION' });
}
