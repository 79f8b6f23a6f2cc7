import { cardsContract } from '@ledger/contracts';
import { CARDS_ERROR_CODES, CARDS_EVENT_TYPES } from '@ledger/cards-domain';
import { CARDS_SERVICE_ERROR } from './cards-core';

/** The cards contract (libs/contracts/src/cards.ts) is the one list other services and the gateway read: it must say what cards does. */
describe('cards contract', () => {
  it("lists exactly the codes cards can answer: the decider's and the service's", () => {
    expect([...cardsContract.ERROR_CODES].sort()).toEqual(
      [...new Set<string>([...CARDS_ERROR_CODES, ...Object.values(CARDS_SERVICE_ERROR)])].sort(),
    );
  });

  it("publishes every event type the domain records on a user's cards; the fingerprint reservations stay private", () => {
    const privateTypes = ['cards.CardFingerprintReserved.v1', 'cards.CardFingerprintReleased.v1'];
    expect([...Object.values(cardsContract.EVENT_TYPES), ...privateTypes].sort()).toEqual([...CARDS_EVENT_TYPES].sort());
  });
});
