import { randomUUID } from 'node:crypto';
import { EventIdConflict, START, WrongExpectedRevision, type NewEvent } from '@ledger/event-store';
import { ManualClock } from '@ledger/util';
import { MemoryEventStore } from './memory-event-store';

const event = (type = 'test.Happened.v1', data: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: 'c', causationId: 'c', actor: 'system:test', occurredAt: '2026-03-01T08:00:00.000Z', schemaVersion: 1 },
});
const events = (n: number): NewEvent[] => Array.from({ length: n }, (_, index) => event('test.Happened.v1', { index }));

describe('MemoryEventStore', () => {
  let store: MemoryEventStore;
  beforeEach(() => {
    store = new MemoryEventStore({ clock: new ManualClock() });
  });

  it('checks the expected revision and reports the head it found', async () => {
    await expect(store.append('s-1', events(1), { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
      actualRevision: 'no_stream',
    });
    expect(await store.append('s-1', events(2), { expectedRevision: 'no_stream' })).toMatchObject({
      firstRevision: 0n,
      lastRevision: 1n,
      duplicate: false,
    });
    const conflict = store.append('s-1', events(1), { expectedRevision: 0n });
    await expect(conflict).rejects.toBeInstanceOf(WrongExpectedRevision);
    await expect(conflict).rejects.toMatchObject({ expected: 0n, actualRevision: 1n });
    expect(await store.append('s-1', events(1), { expectedRevision: 1n })).toMatchObject({ firstRevision: 2n, firstPosition: 3n });
    expect(await store.append('s-1', events(1), { expectedRevision: 'any' })).toMatchObject({ firstRevision: 3n });
  });

  it('answers a retried append with the original result, and refuses ids reused elsewhere', async () => {
    const batch = events(2);
    const original = await store.append('s-1', batch, { expectedRevision: 'no_stream' });
    await store.append('s-1', events(1), { expectedRevision: 1n });
    expect(await store.append('s-1', batch, { expectedRevision: 'no_stream' })).toEqual({ ...original, duplicate: true });
    expect(await store.append('s-1', batch, { expectedRevision: 'any' })).toEqual({ ...original, duplicate: true });
    await expect(store.append('s-2', batch, { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventIdConflict);
    await expect(store.append('s-1', batch, { expectedRevision: 2n })).rejects.toBeInstanceOf(EventIdConflict);
    await expect(store.append('s-1', [batch[0]!, event()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(EventIdConflict);
    expect(await store.readStream('s-1')).toHaveLength(3);
  });

  it('reads a stream by revision both ways, and hands out copies', async () => {
    await store.append('s-1', events(5), { expectedRevision: 'no_stream' });
    const revisions = async (options: Parameters<MemoryEventStore['readStream']>[1]) =>
      (await store.readStream('s-1', options)).map((e) => e.revision);
    expect(await revisions({ from: 2n, limit: 2 })).toEqual([2n, 3n]);
    expect(await revisions({ direction: 'backwards', from: 3n })).toEqual([3n, 2n, 1n, 0n]);
    expect(await revisions({ direction: 'backwards', limit: 2 })).toEqual([4n, 3n]);
    expect(await store.readStream('unknown')).toEqual([]);
    const [first] = await store.readStream('s-1');
    (first!.data as { index: number }).index = 99;
    expect((await store.readStream('s-1'))[0]!.data).toEqual({ index: 0 });
  });

  it('pages through everything and through a category after a cursor', async () => {
    await store.append('pay-1', events(2), { expectedRevision: 'no_stream' });
    await store.append('other-1', events(1), { expectedRevision: 'no_stream' });
    await store.append('pay-2', events(2), { expectedRevision: 'no_stream' });
    const first = await store.readCategory('pay', { limit: 3 });
    expect(first.events.map((e) => e.stream)).toEqual(['pay-1', 'pay-1', 'pay-2']);
    expect(first.isEnd).toBe(false);
    const second = await store.readCategory('pay', { from: first.next, limit: 3 });
    expect(second.events.map((e) => e.stream)).toEqual(['pay-2']);
    expect(second.isEnd).toBe(true);
    expect((await store.readAll({ from: START })).events).toHaveLength(5);
    expect((await store.readAll({ from: second.next })).events).toEqual([]);
  });

  it('keeps a hash chain that verifies, and checkpoints', async () => {
    await store.append('s-1', events(3), { expectedRevision: 'no_stream' });
    const [, second] = await store.readStream('s-1');
    expect(second!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.verifyStream('s-1')).toMatchObject({ ok: true, events: 3 });
    expect(await store.verifyAll()).toEqual({ ok: true, streams: 1, events: 3 });
    await store.writeCheckpoint('follower', second!.cursor);
    expect(await store.readCheckpoint('follower')).toBe(second!.cursor);
  });
});
