import { MAX_EVENTS_PER_APPEND, type EventCodec, type EventStore, type NewEvent } from '@ledger/event-store';
import { isRejection, type Decider, type DomainRejection } from '@ledger/util';

/** The four services' event stores the generator appends to. */
export type Schema = 'identity' | 'cards' | 'wallet' | 'payments';

interface StreamEntry<State> {
  state: State;
  /** Events already appended to the store (the next append's expected revision is this − 1). */
  appended: number;
  pending: NewEvent[];
}

/** The context of a command, recorded in the metadata of every event it decides. */
export interface Meta {
  correlationId: string;
  actor: string;
  now: string;
}

/** Streams of one decider, folded in memory; decided events wait in `pending` until the group is appended. */
export class MemoryStreams<Command, Event, State> {
  private readonly streams = new Map<string, StreamEntry<State>>();

  constructor(
    readonly schema: Schema,
    private readonly decider: Decider<Command, Event, State>,
    private readonly codec: EventCodec<Event>,
    private readonly ids: () => string,
  ) {}

  state(stream: string): State {
    return this.streams.get(stream)?.state ?? this.decider.initialState();
  }

  decide(stream: string, command: Command, meta: Meta): Event[] | DomainRejection {
    let entry = this.streams.get(stream);
    if (!entry) {
      entry = { state: this.decider.initialState(), appended: 0, pending: [] };
      this.streams.set(stream, entry);
    }
    const decision = this.decider.decide(command, entry.state);
    if (isRejection(decision)) return decision;
    const commandId = this.ids();
    for (const event of decision) {
      entry.state = this.decider.evolve(entry.state, event);
      entry.pending.push({
        id: this.ids(),
        ...this.codec.encode(event),
        metadata: {
          correlationId: meta.correlationId,
          causationId: commandId,
          commandId,
          actor: meta.actor,
          occurredAt: meta.now,
          schemaVersion: 1,
        },
      });
    }
    return decision;
  }

  /** Appends every stream's pending events (in chunks the store accepts), `writers` streams at once. */
  async flush(store: EventStore, writers: number): Promise<number> {
    const work: Array<{ stream: string; events: NewEvent[]; after: number }> = [];
    for (const [stream, entry] of this.streams) {
      for (let i = 0; i < entry.pending.length; i += MAX_EVENTS_PER_APPEND)
        work.push({ stream, events: entry.pending.slice(i, i + MAX_EVENTS_PER_APPEND), after: entry.appended + i });
      entry.appended += entry.pending.length;
      entry.pending = [];
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < work.length) {
          const item = work[next++]!;
          await store.append(item.stream, item.events, { expectedRevision: item.after === 0 ? 'no_stream' : BigInt(item.after - 1) });
        }
      }),
    );
    return work.reduce((sum, item) => sum + item.events.length, 0);
  }

  /** Forgets every stream (a group is done: its users act no more). */
  clear(): void {
    this.streams.clear();
  }
}

/** The events of a decision the generator's flows never expect refused: a rejection is a bug of the generator. */
export function must<Event>(decision: Event[] | DomainRejection, what: string): Event[] {
  if (isRejection(decision)) throw new Error(`${what} rejected: ${decision.code} ${decision.message}`);
  return decision;
}
