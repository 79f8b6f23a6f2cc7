/**
 * One component's connection to the event store: the `EventStore` port over the shared in-memory
 * store, where every operation takes effect in an event of its own, owned by the component. So other
 * components' operations interleave with it, a crashed component's operation in flight never
 * happens, and a `store` fault fails an operation before it took effect, or (an append) after it
 * did: the acknowledgement was lost, as with a connection that drops during the commit.
 */
import type {
  AppendOptions,
  AppendResult,
  Cursor,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadPage,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  UpcasterRegistry,
  VerifyAllResult,
  VerifyResult,
} from '@ledger/event-store';
import type { SimContext } from './context';
import type { Owner } from './scheduler';

export class StoreConnectionLost extends Error {
  constructor(operation: string) {
    super(`Connection terminated unexpectedly (${operation})`);
    this.name = 'StoreConnectionLost';
  }
}

export class ScheduledStore implements EventStore {
  constructor(
    private readonly ctx: SimContext,
    readonly owner: Owner,
    /** Told of every append that took effect (the followers of the store wake up). */
    private readonly appended: (stream: string) => void,
  ) {}

  get upcasters(): UpcasterRegistry {
    return this.ctx.store.upcasters;
  }

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  append(stream: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    return this.operation(
      'append',
      () => {
        const result = this.ctx.store.appendNow(stream, events, options);
        if (!result.duplicate) this.appended(stream);
        return result;
      },
      () => `${stream} ${events.map((event) => event.type.replace(/^\w+\.|\.v1$/g, '')).join(',')} @${String(options.expectedRevision)}`,
      true,
    );
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.operation(
      'read',
      () => this.ctx.store.readStreamNow(stream, options),
      () => `${stream} from ${String(options?.from ?? 0)}`,
      false,
    );
  }

  readAll(options?: ReadAllOptions): Promise<ReadPage> {
    return this.operation(
      'read all',
      () => this.ctx.store.readAllNow(options),
      () => '',
      false,
    );
  }

  readCategory(category: string, options?: ReadAllOptions): Promise<ReadPage> {
    return this.operation(
      'read category',
      () => this.ctx.store.readCategoryNow(category, options),
      () => category,
      false,
    );
  }

  readCheckpoint(name: string): Promise<Cursor | undefined> {
    return this.operation(
      'read checkpoint',
      () => this.ctx.store.readCheckpointNow(name),
      () => name,
      false,
    );
  }

  writeCheckpoint(name: string, cursor: Cursor): Promise<void> {
    return this.operation(
      'write checkpoint',
      () => this.ctx.store.writeCheckpointNow(name, cursor),
      () => name,
      true,
    );
  }

  subscribe(_options: SubscribeOptions): Subscription {
    throw new Error('subscriptions are simulated by the followers of the simulation, not through the store');
  }

  verifyStream(stream: string): Promise<VerifyResult> {
    return this.ctx.store.verifyStream(stream);
  }

  verifyAll(): Promise<VerifyAllResult> {
    return this.ctx.store.verifyAll();
  }

  private operation<T>(kind: string, work: () => T, detail: () => string, mayFailAfter: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.ctx.scheduler.after(
        this.ctx.ioLatency(),
        `store ${kind}`,
        () => {
          const { profile } = this.ctx;
          if (this.ctx.fault('store', profile.storeErrorChance, () => `${kind} failed before taking effect: ${detail()}`))
            return reject(new StoreConnectionLost(kind));
          let result: T;
          try {
            result = work();
          } catch (error) {
            return reject(error);
          }
          if (
            mayFailAfter &&
            this.ctx.fault('store', profile.storeErrorChance, () => `${kind} took effect, its acknowledgement was lost: ${detail()}`)
          )
            return reject(new StoreConnectionLost(kind));
          resolve(result);
        },
        { owner: this.owner, detail },
      );
    });
  }
}
