/** The contract's upcasters: every read path shows the newest version of an event type. */
import type { EventStore, RecordedEvent } from '../port';
import { eventually, metadata, newEvent, uniqueName, untilShown, type ContractFixture } from './contract-support';

export function upcasterContract(fixture: ContractFixture): void {
  let store: EventStore;
  beforeAll(() => {
    store = fixture.store;
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
        [
          newEvent(v1, { amount: 5 }),
          newEvent(v2, { amountMinor: '6' }),
          { ...newEvent(v3, { amountMinor: '7', currency: 'CNY' }), metadata: metadata({ schemaVersion: 3 }) },
        ],
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
      const subscription = store.subscribe({
        name: uniqueName('subscriber-'),
        category: prefix,
        pollIntervalMs: 20,
        handle: async (events) => void delivered.push(...events),
      });
      await eventually(() => delivered.length === 3);
      await subscription.stop();
      expect(delivered).toMatchObject(expected);
      // The chain covers what was stored, not what readers see.
      expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 3 });
    });
  });
}
