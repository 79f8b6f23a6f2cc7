import { isRejection } from '@ledger/util';
import { givenWhenThen } from '@ledger/util/testing';
import { recordedRejection } from './outcome';
import { DEFAULT_IDENTITY_POLICY } from './policy';
import { createStaffLoginDecider, type StaffLogIn } from './staff-login';
import type { StaffEvent } from './events';

const decider = createStaffLoginDecider(DEFAULT_IDENTITY_POLICY);
const t0 = Date.parse('2026-12-07T09:00:00.000Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
const attempt = (minutes: number, fields: Partial<StaffLogIn> = {}): StaffLogIn => ({
  type: 'StaffLogIn',
  agentId: 'teller-3',
  role: 'teller',
  passwordValid: true,
  codeTimeStep: 1000 + minutes * 2,
  now: at(minutes),
  ...fields,
});

const spec = givenWhenThen(decider, { recordedRejection });
/** Given the attempts so far (each decided on the state the earlier ones left), the events they recorded. */
const given = (...attempts: StaffLogIn[]): StaffEvent[] => spec.givenCommands(...attempts);
const when = (events: StaffEvent[], command: StaffLogIn) => spec.given(events).when(command).result;

describe('staff login (one stream per agent, shared by every instance)', () => {
  it('a right password and a fresh code log in, recording the code’s time step and the role', () => {
    expect(when([], attempt(0))).toEqual([
      { type: 'identity.StaffLoggedIn.v1', data: { agentId: 'teller-3', role: 'teller', codeTimeStep: 1000, at: at(0) } },
    ]);
  });

  it('a code that already opened a session (or an older one) is refused and counted, and says no more than a wrong password', () => {
    const loggedIn = given(attempt(0));
    const reused = when(loggedIn, attempt(1, { codeTimeStep: 1000 }));
    expect(reused).toMatchObject([{ type: 'identity.StaffLoginFailed.v1', data: { reason: 'code_reused', failuresInWindow: 1 } }]);
    const wrongPassword = when(loggedIn, attempt(1, { passwordValid: false }));
    expect(wrongPassword).toMatchObject([{ data: { reason: 'password' } }]);
    for (const decided of [reused, wrongPassword]) {
      expect(isRejection(decided) ? undefined : recordedRejection(decided)).toEqual({
        kind: 'rejection',
        code: 'INVALID_CREDENTIALS',
        message: 'wrong agent id, password or authenticator code',
      });
    }
  });

  it('five failures within the window lock the login for the lock time; a right password and code are refused LOGIN_LOCKED meanwhile', () => {
    const failures = given(...[0, 1, 2, 3].map((minute) => attempt(minute, { codeTimeStep: null })));
    const fifth = when(failures, attempt(4, { passwordValid: false }));
    expect(fifth).toMatchObject([
      { data: { failuresInWindow: 5 } },
      { type: 'identity.StaffLoginLocked.v1', data: { lockedUntil: at(34) } },
    ]);
    expect(isRejection(fifth) ? undefined : recordedRejection(fifth)).toMatchObject({ code: 'LOGIN_LOCKED', details: { until: at(34) } });
    const locked = [...failures, ...(fifth as StaffEvent[])];
    expect(when(locked, attempt(20))).toMatchObject({ code: 'LOGIN_LOCKED' });
    expect(when(locked, attempt(34))).toMatchObject([{ type: 'identity.StaffLoggedIn.v1' }]);
  });

  it('failures older than the window no longer count, and a login clears them', () => {
    const old = given(...[0, 1, 2, 3].map((minute) => attempt(minute, { passwordValid: false })));
    // At minute 16 the window (15 min) holds the failures of minutes 2 and 3 only.
    expect(when(old, attempt(16, { passwordValid: false }))).toMatchObject([{ data: { failuresInWindow: 3 } }]);
    expect(when(given(attempt(0, { passwordValid: false }), attempt(1)), attempt(2, { passwordValid: false }))).toMatchObject([
      { data: { failuresInWindow: 1 } },
    ]);
  });
});
