/**
 * The behaviour every event store adapter must have. An adapter's `*.int-spec.ts` calls
 * `eventStoreContract` with a way to get a store on reachable storage; every test uses streams and
 * categories of its own (random suffix), so a shared server is fine.
 */
import type { EventStore } from '../port';
import { appendContract } from './append.contract';
import type { ContractCapabilities, ContractFixture, ContractSubject } from './contract-support';
import { hashChainContract } from './hash-chain.contract';
import { readContract } from './read.contract';
import { subscriptionContract } from './subscription.contract';
import { upcasterContract } from './upcaster.contract';

export function eventStoreContract(adapter: string, setup: () => Promise<ContractSubject>, capabilities: ContractCapabilities): void {
  describe(`${adapter} event store contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    const others: EventStore[] = [];
    const fixture: ContractFixture = {
      get subject() {
        return subject;
      },
      get store() {
        return store;
      },
      others,
    };

    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
      await store.init();
    });

    afterAll(async () => {
      await Promise.all([...others, store].map((opened) => opened?.close()));
      await subject?.dispose();
    });

    appendContract(fixture, capabilities);
    readContract(fixture);
    subscriptionContract(fixture);
    upcasterContract(fixture);
    hashChainContract(fixture);
  });
}
