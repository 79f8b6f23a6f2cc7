/** The contract's appends: expected revisions, and retried appends recognised as duplicates. */
import { EventIdConflict } from '../errors';
import type { EventStore } from '../port';
import { expectWrongRevision, newEvent, newEvents, uniqueName, type ContractCapabilities, type ContractFixture } from './contract-support';

export function appendContract(fixture: ContractFixture, capabilities: ContractCapabilities): void {
  let store: EventStore;
  beforeAll(() => {
    store = fixture.store;
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
      await expectWrongRevision(
        store.append(stream, newEvents(1), { expectedRevision: 'stream_exists' }),
        stream,
        'stream_exists',
        'no_stream',
      );
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
      await expect(store.append(stream, [events[0]!, newEvent('test.Other.v1')], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
        EventIdConflict,
      );
      expect(await store.readStream(stream)).toHaveLength(2);
    });
  });
}
