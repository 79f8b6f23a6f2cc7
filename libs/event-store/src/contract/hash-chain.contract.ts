/** The contract's hash chain: each event linked to its predecessor, and streams verified. */
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../port';
import { newEvent, newEvents, uniqueName, type ContractFixture } from './contract-support';

export function hashChainContract(fixture: ContractFixture): void {
  let store: EventStore;
  beforeAll(() => {
    store = fixture.store;
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
}
