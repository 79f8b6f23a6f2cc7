/** The contract's subscriptions: delivery in order, checkpoints, resuming after a crash, stopping. */
import type { EventStore, NewEvent, RecordedEvent } from '../port';
import { eventually, newEvents, uniqueName, type ContractFixture, type ContractSubject } from './contract-support';

export function subscriptionContract(fixture: ContractFixture): void {
  let subject: ContractSubject;
  let store: EventStore;
  let others: EventStore[];
  beforeAll(() => {
    subject = fixture.subject;
    store = fixture.store;
    others = fixture.others;
  });

  describe('subscriptions', () => {
    it('delivers a category in order in batches, resumes from its checkpoint after a crash, at least once and nothing missing', async () => {
      const category = uniqueName('sub');
      const streams = [`${category}-a`, `${category}-b`];
      const appended: NewEvent[] = [];
      for (let round = 0; round < 5; round++) {
        for (const stream of streams) {
          const events = newEvents(1);
          await store.append(stream, events, { expectedRevision: 'any' });
          appended.push(...events);
        }
      }
      const name = uniqueName('subscriber-');
      const beforeCrash: RecordedEvent[] = [];
      const batchSizes: number[] = [];
      let batches = 0;
      const crashed = store.subscribe({
        name,
        category,
        batchSize: 3,
        pollIntervalMs: 20,
        handle: async (events) => {
          batches += 1;
          // The third batch dies half-way: its events were seen but the batch never completed.
          beforeCrash.push(...events);
          batchSizes.push(events.length);
          if (batches === 3) throw new Error('simulated crash');
        },
      });
      await expect(crashed.done).rejects.toThrow('simulated crash');
      expect(batchSizes).toEqual([3, 3, 3]);
      const checkpoint = await store.readCheckpoint(name);
      expect(checkpoint).toBe(beforeCrash[5]!.cursor);

      // A restarted process (another store instance) picks up from the checkpoint.
      const restartedStore = await subject.openAnother();
      others.push(restartedStore);
      const afterRestart: RecordedEvent[] = [];
      const resumed = restartedStore.subscribe({
        name,
        category,
        batchSize: 3,
        pollIntervalMs: 20,
        handle: async (events) => void afterRestart.push(...events),
      });
      await eventually(() => afterRestart.length >= 4);
      // The crashed batch comes again (at-least-once), nothing before the checkpoint does.
      expect(afterRestart.map((event) => event.id)).toEqual(appended.slice(6).map((event) => event.id));

      // Live: new events arrive without a restart.
      const live = newEvents(2);
      await store.append(streams[0]!, live, { expectedRevision: 'any' });
      await eventually(() => afterRestart.length >= 6);
      await resumed.stop();
      await expect(resumed.done).resolves.toBeUndefined();

      const delivered = [...beforeCrash.slice(0, 6), ...afterRestart];
      expect(delivered.map((event) => event.id)).toEqual([...appended, ...live].map((event) => event.id));
      for (const stream of streams) {
        const revisions = delivered.filter((event) => event.stream === stream).map((event) => event.revision);
        expect(revisions).toEqual(revisions.map((_, index) => BigInt(index)));
      }
      expect(await store.readCheckpoint(name)).toBe(afterRestart[afterRestart.length - 1]!.cursor);
    });

    it('stop() waits for the batch in flight and its checkpoint', async () => {
      const category = uniqueName('stop');
      await store.append(`${category}-1`, newEvents(2), { expectedRevision: 'no_stream' });
      const name = uniqueName('subscriber-');
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
      let lastCursor = '';
      const subscription = store.subscribe({
        name,
        category,
        pollIntervalMs: 20,
        handle: async (events, context) => {
          entered();
          await released;
          lastCursor = context.cursor;
          expect(context.cursor).toBe(events[events.length - 1]!.cursor);
        },
      });
      await handlerEntered;
      let stopped = false;
      const stopping = subscription.stop().then(() => (stopped = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(await store.readCheckpoint(name)).toBe(lastCursor);
      expect(subscription.cursor).toBe(lastCursor);
    });

    it("with checkpoint 'manual' the store never writes the checkpoint itself", async () => {
      const category = uniqueName('manual');
      await store.append(`${category}-1`, newEvents(3), { expectedRevision: 'no_stream' });
      const name = uniqueName('subscriber-');
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe({
        name,
        category,
        checkpoint: 'manual',
        pollIntervalMs: 20,
        handle: async (events) => void seen.push(...events),
      });
      await eventually(() => seen.length === 3);
      await subscription.stop();
      expect(await store.readCheckpoint(name)).toBeUndefined();
      await store.writeCheckpoint(name, seen[1]!.cursor);
      expect(await store.readCheckpoint(name)).toBe(seen[1]!.cursor);
    });

    it('starts from `from` when it has no checkpoint yet', async () => {
      const category = uniqueName('from');
      await store.append(`${category}-1`, newEvents(4), { expectedRevision: 'no_stream' });
      const stored = await store.readStream(`${category}-1`);
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe({
        name: uniqueName('subscriber-'),
        category,
        from: stored[1]!.cursor,
        pollIntervalMs: 20,
        handle: async (events) => void seen.push(...events),
      });
      await eventually(() => seen.length >= 2);
      await subscription.stop();
      expect(seen.map((event) => event.revision)).toEqual([2n, 3n]);
    });
  });
}
