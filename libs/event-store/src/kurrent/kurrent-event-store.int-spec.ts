/**
 * The contract suite against KurrentDB/EventStoreDB, when one is reachable: set EVENTSTORE_URL,
 * e.g. `EVENTSTORE_URL=kurrentdb://localhost:2113?tls=false npx jest libs/event-store`.
 * Without it the suite reports itself as skipped, with the reason, instead of passing vacuously.
 */
import { eventStoreContract } from '../contract/event-store.contract';
import { KurrentEventStore } from './kurrent-event-store';

const url = process.env.EVENTSTORE_URL;

if (url) {
  eventStoreContract(
    'KurrentDB',
    async () => ({
      store: new KurrentEventStore({ connectionString: url }),
      openAnother: async () => new KurrentEventStore({ connectionString: url }),
      dispose: async () => undefined,
    }),
    // KurrentDB does not index event ids: ids reused elsewhere are only caught at the stream head.
    { detectsReusedEventIds: false },
  );
} else {
  describe('KurrentDB event store contract', () => {
    it.skip('KurrentDB contract suite skipped: EVENTSTORE_URL is not set (no KurrentDB server on this machine; the test setup starts none)', () =>
      undefined);
  });
}
