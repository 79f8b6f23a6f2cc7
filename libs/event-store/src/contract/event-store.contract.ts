/**
 * The behaviour every event store adapter must have. An adapter's `*.int-spec.ts` calls
 * `eventStoreContract` with a way to get a store on reachable storage; every test uses streams and
 * categories of its own (random suffix), so a shared server is fine.
 */
import { randomUUID } from 'node:crypto';
import { EventIdConflict, WrongExpectedRevision } from '../errors';
import { START, type EventMetadata, type EventStore, type NewEvent, type ReadPage, type RecordedEvent } from '../port';

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

export function uniqueName(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export function metadata(extra: Partial<EventMetadata> = {}): EventMetadata {
  return { correlationId: randomUUID(), causationId: randomUUID(), actor: 'user:contract', occurredAt: '2026-11-22T08:00:00.000Z', schemaVersion: 1, ...extra };
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
async function untilShown(eventId: string, read: () => Promise<ReadPage>): Promise<void> {
  await eventually(async () => (await read()).events.some((event) => event.id === eventId));
}

async function expectWrongRevision(promise: Promise<unknown>, stream: string, expected: unknown, actual: bigint | 'no_stream'): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevision);
  expect(error).toMatchObject({ stream, expected, actualRevision: actual, code: 'WRONG_EXPECTED_REVISION' });
}

export function eventStoreContract(adapter: string, setup: () => Promise<ContractSubject>, capabilities: ContractCapabilities): void {
  describe(`${adapter} event store contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    const others: EventStore[] = [];

    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
      await store.init();
    });

    afterAll(async () => {
      await Promise.all([...others, store].map((opened) => opened?.close()));
      await subject?.dispose();
    });

    describe('expected revision', () => {
      it("'no_stream' creates a stream and is refused once the stream exists", async () => {
        const stream = uniqueName('contract-');
        const result = await store.append(stream, newEvents(2), { expectedRevision: 'no_stream' });
        expect(result).toMatchObject({ stream, firstRevision: 0n, lastRevision: 1n, duplicate: false });
        await expectWrongRevision(store.append(stream, newEvents(1), { expectedRevision: 'no_stream' }), stream, 'no_stream', 1n);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it("'stream_exists' is refused on a new stream and accepted on an existing one", async () => {
        const stream = uniqueName('contract-');
        await expectWrongRevision(store.append(stream, newEvents(1), { expectedRevision: 'stream_exists' }), stream, 'stream_exists', 'no_stream');
        expect(await store.readStream(stream)).toHaveLength(0);
        await store.append(stream, newEvents(1), { expectedRevision: 'any' });
        const result = await store.append(stream, newEvents(1), { expectedRevision: 'stream_exists' });
        expect(result).toMatchObject({ firstRevision: 1n, lastRevision: 1n });
      });

      it('an exact revision must be the revision of the last event', async () => {
        const stream = uniqueName('contract-');
        await expectWrongRevision(store.append(stream, newEvents(1), { expectedRevision: 0n }), stream, 0n, 'no_stream');
        await store.append(stream, newEvents(3), { expectedRevision: 'no_stream' });
        await expectWrongRevision(store.append(stream, newEvents(1), { expectedRevision: 1n }), stream, 1n, 2n);
        await expectWrongRevision(store.append(stream, newEvents(1), { expectedRevision: 3n }), stream, 3n, 2n);
        const result = await store.append(stream, newEvents(2), { expectedRevision: 2n });
        expect(result).toMatchObject({ firstRevision: 3n, lastRevision: 4n, duplicate: false });
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      });

      it("'any' appends to new and existing streams alike", async () => {
        const stream = uniqueName('contract-');
        expect(await store.append(stream, newEvents(1), { expectedRevision: 'any' })).toMatchObject({ firstRevision: 0n, lastRevision: 0n });
        expect(await store.append(stream, newEvents(2), { expectedRevision: 'any' })).toMatchObject({ firstRevision: 1n, lastRevision: 2n });
      });

      it('positions grow with every append', async () => {
        const stream = uniqueName('contract-');
        const first = await store.append(stream, newEvents(2), { expectedRevision: 'no_stream' });
        const second = await store.append(stream, newEvents(1), { expectedRevision: 1n });
        expect(second.lastPosition).toBeGreaterThan(first.lastPosition);
      });
    });

    describe('idempotent append', () => {
      it('re-appending the same events at the same place returns the original result and writes nothing', async () => {
        const stream = uniqueName('contract-');
        const events = newEvents(3);
        const original = await store.append(stream, events, { expectedRevision: 'no_stream' });
        const retried = await store.append(stream, events, { expectedRevision: 'no_stream' });
        expect(retried).toEqual({ ...original, duplicate: true });
        await store.append(stream, newEvents(1), { expectedRevision: 2n });
        const exactBatch = newEvents(2);
        const exact = await store.append(stream, exactBatch, { expectedRevision: 3n });
        expect(await store.append(stream, exactBatch, { expectedRevision: 3n })).toEqual({ ...exact, duplicate: true });
        expect(await store.readStream(stream)).toHaveLength(6);
      });

      it("a retried 'any' append is recognised too", async () => {
        const stream = uniqueName('contract-');
        await store.append(stream, newEvents(1), { expectedRevision: 'any' });
        const events = newEvents(2);
        const original = await store.append(stream, events, { expectedRevision: 'any' });
        expect(await store.append(stream, events, { expectedRevision: 'any' })).toEqual({ ...original, duplicate: true });
        expect((await store.readStream(stream)).map((event) => event.id)).toHaveLength(3);
      });

      (capabilities.detectsReusedEventIds ? it : it.skip)('refuses event ids reused in another stream or at another revision', async () => {
        const stream = uniqueName('contract-');
        const events = newEvents(2);
        await store.append(stream, events, { expectedRevision: 'no_stream' });
        await expect(store.append(uniqueName('contract-'), events, { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventIdConflict);
        await expect(store.append(stream, events, { expectedRevision: 1n })).rejects.toBeInstanceOf(EventIdConflict);
        await expect(store.append(stream, [events[0]!, newEvent('test.Other.v1')], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(EventIdConflict);
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('readStream', () => {
      let stream: string;
      let appended: NewEvent[];
      beforeAll(async () => {
        stream = uniqueName('contract-');
        appended = newEvents(6);
        await store.append(stream, appended.slice(0, 4), { expectedRevision: 'no_stream' });
        await store.append(stream, appended.slice(4), { expectedRevision: 3n });
      });

      it('reads every event forwards with its record fields', async () => {
        const events = await store.readStream(stream);
        expect(events.map((event) => event.id)).toEqual(appended.map((event) => event.id));
        expect(events.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
        const first = events[0]!;
        expect(first).toMatchObject({ stream, type: 'test.Happened.v1', data: { index: 0 }, metadata: appended[0]!.metadata });
        expect(first.recordedAt).toBeInstanceOf(Date);
        expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(typeof first.cursor).toBe('string');
        const positions = events.map((event) => event.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
      });

      it('reads from a revision with a limit, forwards and backwards', async () => {
        const revisions = async (options: Parameters<EventStore['readStream']>[1]) => (await store.readStream(stream, options)).map((event) => event.revision);
        expect(await revisions({ from: 2n })).toEqual([2n, 3n, 4n, 5n]);
        expect(await revisions({ from: 1n, limit: 2 })).toEqual([1n, 2n]);
        expect(await revisions({ direction: 'backwards' })).toEqual([5n, 4n, 3n, 2n, 1n, 0n]);
        expect(await revisions({ direction: 'backwards', limit: 2 })).toEqual([5n, 4n]);
        expect(await revisions({ direction: 'backwards', from: 3n, limit: 10 })).toEqual([3n, 2n, 1n, 0n]);
        expect(await revisions({ from: 6n })).toEqual([]);
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream(uniqueName('contract-'))).toEqual([]);
        expect(await store.readStream(uniqueName('contract-'), { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('readAll and readCategory', () => {
      it('pages through everything after a cursor, each event exactly once, in order', async () => {
        const marker = uniqueName('contract-');
        await store.append(marker, newEvents(1), { expectedRevision: 'no_stream' });
        const [markerEvent] = await store.readStream(marker);
        const a = uniqueName('contract-');
        const b = uniqueName('contract-');
        const expected: string[] = [];
        for (let round = 0; round < 3; round++) {
          for (const stream of [a, b]) {
            const events = newEvents(2);
            await store.append(stream, events, { expectedRevision: round === 0 ? 'no_stream' : BigInt(round * 2 - 1) });
            expected.push(...events.map((event) => event.id));
          }
        }
        await untilShown(expected[expected.length - 1]!, () => store.readAll({ from: markerEvent!.cursor, limit: 1_000 }));
        const seen: RecordedEvent[] = [];
        let cursor = markerEvent!.cursor;
        let pages = 0;
        for (;;) {
          const page = await store.readAll({ from: cursor, limit: 5 });
          expect(page.events.length).toBeLessThanOrEqual(5);
          seen.push(...page.events);
          cursor = page.next;
          pages += 1;
          if (page.isEnd || pages > 100) break;
        }
        const ours = seen.filter((event) => event.stream === a || event.stream === b);
        expect(ours.map((event) => event.id)).toEqual(expected);
        expect(seen.some((event) => event.stream === marker)).toBe(false);
        expect(pages).toBeGreaterThanOrEqual(3);
        // Reading again after the last cursor yields nothing new from these streams.
        const after = await store.readAll({ from: cursor, limit: 100 });
        expect(after.events.filter((event) => event.stream === a || event.stream === b)).toEqual([]);
      });

      it('readAll from START begins at the first event of the store', async () => {
        const page = await store.readAll({ limit: 3 });
        expect(page.events.length).toBeGreaterThan(0);
        expect(page.events.length).toBeLessThanOrEqual(3);
        const again = await store.readAll({ from: START, limit: 3 });
        expect(again.events.map((event) => event.id)).toEqual(page.events.map((event) => event.id));
      });

      it('readCategory returns only the streams whose name starts with "<category>-" (or is the category)', async () => {
        const category = uniqueName('cat');
        const expected: string[] = [];
        for (const stream of [`${category}-1`, `${category}x-1`, `${category}-2`, category, `other-${category}`, `${category}-1`]) {
          const events = newEvents(2);
          await store.append(stream, events, { expectedRevision: 'any' });
          if (stream === category || stream.startsWith(`${category}-`)) expected.push(...events.map((event) => event.id));
        }
        await untilShown(expected[expected.length - 1]!, () => store.readCategory(category, { limit: 100 }));
        const seen: RecordedEvent[] = [];
        let cursor = START;
        for (let pages = 0; pages < 100; pages++) {
          const page = await store.readCategory(category, { from: cursor, limit: 3 });
          seen.push(...page.events);
          cursor = page.next;
          if (page.isEnd) break;
        }
        expect(seen.map((event) => event.id)).toEqual(expected);
        expect(new Set(seen.map((event) => event.stream))).toEqual(new Set([`${category}-1`, `${category}-2`, category]));
      });
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
        const resumed = restartedStore.subscribe({ name, category, batchSize: 3, pollIntervalMs: 20, handle: async (events) => void afterRestart.push(...events) });
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
        const subscription = store.subscribe({ name, category, checkpoint: 'manual', pollIntervalMs: 20, handle: async (events) => void seen.push(...events) });
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
        const subscription = store.subscribe({ name: uniqueName('subscriber-'), category, from: stored[1]!.cursor, pollIntervalMs: 20, handle: async (events) => void seen.push(...events) });
        await eventually(() => seen.length >= 2);
        await subscription.stop();
        expect(seen.map((event) => event.revision)).toEqual([2n, 3n]);
      });
    });

    describe('upcasters', () => {
      it('every read path returns the newest version through a chain v1 → v2 → v3', async () => {
        const prefix = uniqueName('up');
        const [v1, v2, v3] = [`${prefix}.AmountSet.v1`, `${prefix}.AmountSet.v2`, `${prefix}.AmountSet.v3`];
        store.upcasters
          .register({ fromType: v1, toType: v2, upcast: ({ data }) => ({ data: { amountMinor: String(data.amount) } }) })
          .register({
            fromType: v2,
            toType: v3,
            upcast: ({ data, metadata: meta }) => ({ data: { ...data, currency: 'CNY' }, metadata: { ...meta, schemaVersion: 3 } }),
          });
        const stream = `${prefix}-1`;
        await store.append(
          stream,
          [newEvent(v1, { amount: 5 }), newEvent(v2, { amountMinor: '6' }), { ...newEvent(v3, { amountMinor: '7', currency: 'CNY' }), metadata: metadata({ schemaVersion: 3 }) }],
          { expectedRevision: 'no_stream' },
        );
        const expected = [
          { type: v3, data: { amountMinor: '5', currency: 'CNY' } },
          { type: v3, data: { amountMinor: '6', currency: 'CNY' } },
          { type: v3, data: { amountMinor: '7', currency: 'CNY' } },
        ];
        const fromStream = await store.readStream(stream);
        expect(fromStream).toMatchObject(expected);
        expect(fromStream.map((event) => event.metadata.schemaVersion)).toEqual([3, 3, 3]);
        expect(await store.readStream(stream, { direction: 'backwards' })).toMatchObject([...expected].reverse());
        // The global-order reads show the append once every older transaction on the server has ended.
        await untilShown(fromStream[2]!.id, () => store.readCategory(prefix));
        expect((await store.readCategory(prefix)).events).toMatchObject(expected);
        const all = await store.readAll({ from: fromStream[0]!.cursor, limit: 1000 });
        expect(all.events.filter((event) => event.stream === stream)).toMatchObject(expected.slice(1));
        const delivered: RecordedEvent[] = [];
        const subscription = store.subscribe({ name: uniqueName('subscriber-'), category: prefix, pollIntervalMs: 20, handle: async (events) => void delivered.push(...events) });
        await eventually(() => delivered.length === 3);
        await subscription.stop();
        expect(delivered).toMatchObject(expected);
        // The chain covers what was stored, not what readers see.
        expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 3 });
      });
    });

    describe('hash chain', () => {
      it('links every event to its predecessor and verifies the stream', async () => {
        const stream = uniqueName('contract-');
        await store.append(stream, newEvents(3), { expectedRevision: 'no_stream' });
        await store.append(stream, newEvents(2), { expectedRevision: 2n });
        const events = await store.readStream(stream);
        expect(new Set(events.map((event) => event.hash)).size).toBe(5);
        const result = await store.verifyStream(stream);
        expect(result).toEqual({ ok: true, stream, events: 5, headHash: events[4]!.hash });
      });

      it('the same content in another stream gets other hashes', async () => {
        const event = newEvent('test.Same.v1', { same: true });
        const a = uniqueName('contract-');
        const b = uniqueName('contract-');
        await store.append(a, [event], { expectedRevision: 'no_stream' });
        await store.append(b, [{ ...event, id: randomUUID() }], { expectedRevision: 'no_stream' });
        const [[first], [second]] = await Promise.all([store.readStream(a), store.readStream(b)]);
        expect(first!.hash).not.toBe(second!.hash);
      });

      it('an unknown stream verifies as empty', async () => {
        const stream = uniqueName('contract-');
        expect(await store.verifyStream(stream)).toEqual({ ok: true, stream, events: 0, headHash: undefined });
      });
    });
  });
}
