/** The contract's reads: one stream by revision, and everything or a category in global order. */
import { START, type EventStore, type NewEvent, type RecordedEvent } from '../port';
import { newEvents, uniqueName, untilShown, type ContractFixture } from './contract-support';

export function readContract(fixture: ContractFixture): void {
  let store: EventStore;
  beforeAll(() => {
    store = fixture.store;
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
      const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
        (await store.readStream(stream, options)).map((event) => event.revision);
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
}
