import { createHash } from 'node:crypto';
import { KeyedMutex, isRejection, type Decider, type DomainRejection } from '@ledger/util';
import { EventIdConflict, WrongExpectedRevision } from '../errors';
import type { EventData, EventStore, NewEvent, RecordedEvent } from '../port';

/** The metadata a command brings; every event it causes carries it (docs/design.md §2). */
export interface CommandMetadata {
  commandId: string;
  correlationId: string;
  actor: string;
  /** The command's instant (from the sender's clock); becomes each event's `occurredAt`. */
  occurredAt: string;
}

/**
 * The metadata of what a command causes, from the command's envelope; `occurredAt` is the command's
 * instant unless the service stamps its own clock's.
 */
export function commandMetadata(
  command: Omit<CommandMetadata, 'occurredAt'> & { occurredAt: string },
  occurredAt = command.occurredAt,
): CommandMetadata {
  return { commandId: command.commandId, correlationId: command.correlationId, actor: command.actor, occurredAt };
}

/** How a decider's events are stored: a versioned type name and a JSON object. */
export interface EventCodec<Event> {
  encode(event: Event): { type: string; data: EventData };
  decode(record: RecordedEvent): Event;
}

export type DecisionOutcome<Event> =
  | { kind: 'accepted'; events: Event[]; eventIds: string[]; lastRevision: bigint | undefined; duplicate: boolean }
  | { kind: 'rejected'; rejection: DomainRejection };

/** Raised when optimistic concurrency kept losing: an infrastructure fault the transport retries. */
export class ConcurrencyRetriesExhausted extends Error {
  constructor(
    readonly stream: string,
    readonly attempts: number,
  ) {
    super(`${stream}: still conflicting after ${attempts} attempts`);
    this.name = 'ConcurrencyRetriesExhausted';
  }
}

interface CachedStream<State> {
  state: State;
  /** Revision of the last event folded into `state`; undefined for a stream with no events. */
  revision: bigint | undefined;
  /**
   * Where the stream's most recent commands' events sit, to answer a re-delivered command without
   * deciding again: at most `commandMemory` of them, oldest forgotten first (insertion order).
   */
  commands: Map<string, { fromRevision: bigint; eventIds: string[] }>;
}

/** Commands remembered per cached stream unless the options say otherwise. */
export const DEFAULT_COMMAND_MEMORY = 1_000;

export interface DeciderHandlerOptions<Command, Event, State> {
  store: EventStore;
  decider: Decider<Command, Event, State>;
  codec: EventCodec<Event>;
  /** Attempts when another writer appended first (bounded, docs/design.md §2). */
  maxAttempts?: number;
  /** Streams whose folded state is kept in memory, so a command reads only the events it has not seen. */
  cacheSize?: number;
  /**
   * Command ids remembered per cached stream (default 1,000), so memory stays bounded however long a
   * stream grows. A repeat of an older command is decided again: if that appends, its event ids
   * (derived from the command id) are already stored and the original events are answered; if it
   * rejects or changes nothing, the answer is today's. Aggregates whose repeats must always get the
   * first answer keep their own idempotency keys in their state (the wallet's holds and credits).
   */
  commandMemory?: number;
}

/**
 * Turns a decider into a command handler: load → fold → decide → append with the expected revision
 * → on a revision conflict, re-read and decide again (bounded).
 *
 * Idempotency: event ids are derived from the command id, and every event records its command id,
 * so a command delivered twice (a retry, a re-delivery after a crash) returns the original events
 * instead of deciding again, and an append retried after a lost acknowledgement is a no-op.
 *
 * Concurrency: the commands of one stream are decided one at a time in this instance (a keyed
 * mutex), each on the state its predecessor left in the cache, so they never race each other for
 * the same revision. Only another instance's append can make one conflict; the conflict then reads
 * just the events appended since the cached revision (the cache is a prefix of the stream, never
 * wrong), not the whole stream again.
 *
 * Memory: at most `cacheSize` streams, each with at most `commandMemory` command ids
 * (docs/adr/0010-layers-of-idempotency.md says which layer guards which repeat).
 */
export class DeciderHandler<Command, Event, State> {
  private readonly cache = new Map<string, CachedStream<State>>();
  private readonly streams = new KeyedMutex();

  constructor(private readonly options: DeciderHandlerOptions<Command, Event, State>) {}

  handle(stream: string, command: Command, metadata: CommandMetadata): Promise<DecisionOutcome<Event>> {
    return this.streams.run(stream, () => this.decideAndAppend(stream, command, metadata));
  }

  private async decideAndAppend(stream: string, command: Command, metadata: CommandMetadata): Promise<DecisionOutcome<Event>> {
    const maxAttempts = this.options.maxAttempts ?? 10;
    let conflicted = false;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // The cached state is trusted without a read when the decision is appended: the append names the
      // revision it was decided on, so a stale cache (another writer appended) costs a conflict and a
      // reload, never a wrong decision. This saves one round trip on nearly every command, as each
      // stream's commands arrive on one partition and so at one instance. A rejection or a no-op is
      // not checked by an append, so it is only answered from a state just read.
      // After a conflict the cache is caught up with what the other writer appended.
      let verified = conflicted || !this.cache.has(stream);
      let current = conflicted ? await this.load(stream) : await this.loadCached(stream);
      let events: Event[];
      // At most two passes: the second decides on a state just read.
      for (;;) {
        const earlier = current.commands.get(metadata.commandId);
        if (earlier) {
          // The original events, so the caller derives the same outcome it derived the first time.
          const records = await this.options.store.readStream(stream, { from: earlier.fromRevision, limit: earlier.eventIds.length });
          const events = records
            .filter((record) => earlier.eventIds.includes(record.id))
            .map((record) => this.options.codec.decode(record));
          return { kind: 'accepted', events, eventIds: earlier.eventIds, lastRevision: current.revision, duplicate: true };
        }
        const decision = this.options.decider.decide(command, current.state);
        const appends = !isRejection(decision) && (decision as Event[]).length > 0;
        if (!appends && !verified) {
          current = await this.load(stream);
          verified = true;
          continue;
        }
        if (isRejection(decision)) return { kind: 'rejected', rejection: decision };
        events = decision as Event[];
        break;
      }
      if (events.length === 0) return { kind: 'accepted', events, eventIds: [], lastRevision: current.revision, duplicate: false };

      const newEvents: NewEvent[] = events.map((event, index) => ({
        id: eventIdFor(metadata.commandId, stream, index),
        ...this.options.codec.encode(event),
        metadata: {
          correlationId: metadata.correlationId,
          causationId: metadata.commandId,
          commandId: metadata.commandId,
          actor: metadata.actor,
          occurredAt: metadata.occurredAt,
          schemaVersion: 1,
        },
      }));
      try {
        const result = await this.options.store.append(stream, newEvents, {
          expectedRevision: current.revision === undefined ? 'no_stream' : current.revision,
        });
        // A duplicate append found this command's events already stored, possibly after events this
        // cache has not seen: folding ours onto the cached state could skip those, so the cache is left
        // behind (its next append conflicts and reloads).
        if (!result.duplicate) this.remember(stream, current, events, newEvents, result.lastRevision, metadata.commandId);
        return {
          kind: 'accepted',
          events,
          eventIds: newEvents.map((e) => e.id),
          lastRevision: result.lastRevision,
          duplicate: result.duplicate,
        };
      } catch (error) {
        // A command older than the ones remembered, decided again: its events are stored already.
        if (error instanceof EventIdConflict) {
          const original = await this.storedEventsOf(stream, metadata.commandId, newEvents[0]!.id);
          if (original) return { kind: 'accepted', ...original, lastRevision: current.revision, duplicate: true };
          throw error;
        }
        if (!(error instanceof WrongExpectedRevision)) throw error;
        conflicted = true; // someone else wrote: the cached state is behind, the next attempt catches it up
      }
    }
    throw new ConcurrencyRetriesExhausted(stream, maxAttempts);
  }

  /**
   * The events a command appended to this stream, found by reading the stream backwards (a rare
   * path: only a repeat of a command this handler no longer remembers comes here); undefined when
   * the conflicting ids are not this command's events in this stream.
   */
  private async storedEventsOf(
    stream: string,
    commandId: string,
    firstEventId: string,
  ): Promise<{ events: Event[]; eventIds: string[] } | undefined> {
    const records = await this.options.store.readStream(stream, { direction: 'backwards' });
    const mine = records.filter((record) => record.metadata.commandId === commandId).reverse();
    if (mine[0]?.id !== firstEventId) return undefined;
    return { events: mine.map((record) => this.options.codec.decode(record)), eventIds: mine.map((record) => record.id) };
  }

  /**
   * The stream's state as this instance last saw it (no read when it is cached), for a caller that
   * acts on it through `handle`: a stale state there ends in a revision conflict and a reload. A
   * query that answers from the state must use `load`.
   */
  async loadCached(stream: string): Promise<CachedStream<State>> {
    return this.cache.get(stream) ?? (await this.load(stream));
  }

  /** The stream's current state: from the cache plus the events appended since, or from scratch. */
  async load(stream: string): Promise<CachedStream<State>> {
    const cached = this.cache.get(stream);
    const from = cached?.revision === undefined ? undefined : cached.revision + 1n;
    const records = await this.options.store.readStream(stream, from === undefined ? {} : { from });
    let entry: CachedStream<State> = cached ?? { state: this.options.decider.initialState(), revision: undefined, commands: new Map() };
    // A stream with no events is cached too: the command that creates it then appends without a second read.
    if (!cached && records.length === 0) this.store(stream, entry);
    if (records.length > 0) {
      entry = { ...entry, commands: new Map(entry.commands) };
      for (const record of records) {
        entry.state = this.options.decider.evolve(entry.state, this.options.codec.decode(record));
        entry.revision = record.revision;
        const commandId = record.metadata.commandId;
        if (typeof commandId !== 'string') continue;
        const known = entry.commands.get(commandId);
        this.rememberCommand(entry.commands, commandId, {
          fromRevision: known?.fromRevision ?? record.revision,
          eventIds: [...(known?.eventIds ?? []), record.id],
        });
      }
      this.store(stream, entry);
    }
    return entry;
  }

  private remember(
    stream: string,
    before: CachedStream<State>,
    events: Event[],
    stored: NewEvent[],
    lastRevision: bigint,
    commandId: string,
  ): void {
    let state = before.state;
    for (const event of events) state = this.options.decider.evolve(state, event);
    const fromRevision = lastRevision - BigInt(stored.length - 1);
    // Added in place, not copied: a busy stream (a merchant's, a hot wallet's) handles thousands of
    // commands while cached, and copying the map each time made every command cost O(commands so far).
    // Sharing it with the superseded entry is safe: nothing reads that entry again, and the map only
    // gains commands that committed (and forgets the oldest beyond `commandMemory`).
    const commands = this.rememberCommand(before.commands, commandId, { fromRevision, eventIds: stored.map((e) => e.id) });
    this.store(stream, { state, revision: lastRevision, commands });
  }

  /** Adds a command to a stream's memory, forgetting the oldest beyond `commandMemory`. */
  private rememberCommand(
    commands: CachedStream<State>['commands'],
    commandId: string,
    where: { fromRevision: bigint; eventIds: string[] },
  ): CachedStream<State>['commands'] {
    commands.set(commandId, where);
    const capacity = this.options.commandMemory ?? DEFAULT_COMMAND_MEMORY;
    for (const oldest of commands.keys()) {
      if (commands.size <= capacity) break;
      commands.delete(oldest);
    }
    return commands;
  }

  private store(stream: string, entry: CachedStream<State>): void {
    const capacity = this.options.cacheSize ?? 10_000;
    if (capacity <= 0) return;
    this.cache.delete(stream); // re-insert: the Map's order is the recency order
    this.cache.set(stream, entry);
    if (this.cache.size > capacity) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/**
 * A UUID (version-8 layout, RFC 9562) derived from the command id, the stream and the event's
 * index: the same command always produces the same event ids, which is what makes its append
 * idempotent when retried.
 */
export function eventIdFor(commandId: string, stream: string, index: number): string {
  const bytes = createHash('sha256').update(`${commandId}\u0000${stream}\u0000${index}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8: custom
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
