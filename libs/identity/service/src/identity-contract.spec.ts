import { identityContract } from '@ledger/contracts';
import { IDENTITY_EVENT_TYPES, IDENTITY_ERROR, SESSION_ERROR } from '@ledger/identity-domain';
import { IDENTITY_SERVICE_ERROR } from './identity-core';
import { STAFF_LOGIN_RATE_LIMITED } from './use-cases/staff/staff-login';

/** The identity contract (libs/contracts/src/identity.ts) is the one list other services and the gateway read: it must say what identity does. */
describe('identity contract', () => {
  it("lists exactly the codes identity can answer: the deciders', the sessions', the service's and the staff login's", () => {
    const answered = new Set<string>([
      ...Object.values(IDENTITY_ERROR),
      ...Object.values(SESSION_ERROR),
      ...Object.values(IDENTITY_SERVICE_ERROR),
      STAFF_LOGIN_RATE_LIMITED,
    ]);
    expect([...identityContract.ERROR_CODES].sort()).toEqual([...answered].sort());
  });

  it('publishes only event types the domain records', () => {
    for (const type of Object.values(identityContract.EVENT_TYPES)) expect(IDENTITY_EVENT_TYPES).toContain(type);
    expect(Object.keys(identityContract.PUBLISHED_EVENTS).sort()).toEqual(Object.values(identityContract.EVENT_TYPES).sort());
  });
});
