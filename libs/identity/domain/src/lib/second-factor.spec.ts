import { at, givenWhenThen, MINUTE } from '../test/given-when-then';
import { IDENTITY_EVENT, type UserEvent } from './events';
import { userDecider, type RegisteredUser, type SecondFactorCheck, type UserCommand, type UserState } from './user';

/**
 * The second factor's life: an enrollment that waits for a code from the authenticator, the
 * confirmation that turns it on with recovery codes, and a recovery code standing in for a dynamic
 * code exactly once.
 */
const USER = 'u-1';
const PHONE = 'k1.phone';
const SECRET = 'enc:v1:k1:totp-first';
const HASHES = ['hs256:p1:code-a', 'hs256:p1:code-b', 'hs256:p1:code-c'];
const given = givenWhenThen(userDecider);

const registered: UserEvent = {
  type: IDENTITY_EVENT.UserRegistered,
  data: {
    userId: USER,
    phoneHash: PHONE,
    maskedPhone: '138****5678',
    name: '张三',
    idNumberCiphertext: null,
    identityLevel: 'basic',
    loginPasswordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    verificationCodeId: 'code-reg',
    deviceId: 'phone-A',
    registeredAt: at(0),
  },
};
const enrollmentStarted = (secretCiphertext = SECRET, ms = 0): UserEvent => ({
  type: IDENTITY_EVENT.SecondFactorEnrollmentStarted,
  data: { userId: USER, secretCiphertext, at: at(ms) },
});
const enabledWithCodes: UserEvent = {
  type: IDENTITY_EVENT.SecondFactorEnabled,
  data: { userId: USER, secretCiphertext: SECRET, recoveryCodeHashes: HASHES, at: at(MINUTE) },
};

const enable = (secretCiphertext: string, ms = 0): UserCommand => ({
  type: 'EnableSecondFactor',
  userId: USER,
  secretCiphertext,
  now: at(ms),
});
const confirm = (codeValid: boolean, ms = MINUTE, recoveryCodeHashes = HASHES): UserCommand => ({
  type: 'ConfirmSecondFactor',
  userId: USER,
  codeValid,
  recoveryCodeHashes,
  now: at(ms),
});
const login = (ms: number, secondFactor?: SecondFactorCheck, deviceId = 'phone-A'): UserCommand => ({
  type: 'Login',
  userId: USER,
  deviceId,
  passwordValid: true,
  now: at(ms),
  ...(secondFactor === undefined ? {} : { secondFactor }),
});
const changeLoginPassword = (ms: number, secondFactor?: SecondFactorCheck): UserCommand => ({
  type: 'ChangeLoginPassword',
  userId: USER,
  currentPasswordValid: true,
  newLoginPasswordHash: '$argon2id$new',
  passwordCheck: { ok: true },
  now: at(ms),
  ...(secondFactor === undefined ? {} : { secondFactor }),
});
const recovery = (recoveryCodeHash: string): SecondFactorCheck => ({ valid: true, recoveryCodeHash });

function registeredState(state: UserState): RegisteredUser {
  if (state.status !== 'registered') throw new Error('not registered');
  return state;
}

describe('User: second-factor enrollment and confirmation', () => {
  it('given a registered user, when the factor is enabled and then confirmed with a valid code, then it is pending first and on only after', () => {
    const started = given([registered]).when(enable(SECRET));
    expect(started.events).toEqual([enrollmentStarted()]);
    expect(registeredState(started.state).secondFactor).toEqual({ kind: 'pending', secretCiphertext: SECRET, startedAt: at(0) });

    const confirmed = given(started.history).when(confirm(true));
    expect(confirmed.events).toEqual([enabledWithCodes]);
    expect(registeredState(confirmed.state).secondFactor).toEqual({
      kind: 'enabled',
      secretCiphertext: SECRET,
      enabledAt: at(MINUTE),
      failures: [],
      lockedUntil: null,
      recoveryCodeHashes: HASHES,
    });
    expect(given(confirmed.history).when(login(2 * MINUTE)).code).toBe('SECOND_FACTOR_REQUIRED');
  });

  it('given a pending enrollment, when it is enabled again, then the new secret replaces the pending one and is the one turned on', () => {
    const restarted = given([registered, enrollmentStarted()]).when(enable('enc:v1:k1:totp-second', 30_000));
    expect(restarted.events).toEqual([enrollmentStarted('enc:v1:k1:totp-second', 30_000)]);
    const confirmed = given(restarted.history).when(confirm(true));
    expect(confirmed.events[0]).toMatchObject({ data: { secretCiphertext: 'enc:v1:k1:totp-second' } });
  });

  it('given an enabled factor, when it is enabled again, then SECOND_FACTOR_ALREADY_ENABLED and nothing recorded', () => {
    const again = given([registered, enrollmentStarted(), enabledWithCodes]).when(enable('enc:v1:k1:other', 2 * MINUTE));
    expect(again.code).toBe('SECOND_FACTOR_ALREADY_ENABLED');
    expect(again.events).toEqual([]);
  });

  it('given a pending enrollment, when the confirmation code is wrong, then SECOND_FACTOR_CODE_INVALID, nothing recorded, still pending', () => {
    const wrong = given([registered, enrollmentStarted()]).when(confirm(false));
    expect(wrong.code).toBe('SECOND_FACTOR_CODE_INVALID');
    expect(wrong.events).toEqual([]);
    expect(registeredState(wrong.state).secondFactor.kind).toBe('pending');
    // Nothing counts toward a lock, so the history is unchanged and the right code still confirms.
    expect(wrong.history).toEqual([registered, enrollmentStarted()]);
    expect(
      given(wrong.history)
        .when(confirm(true))
        .events.map((event) => event.type),
    ).toEqual([IDENTITY_EVENT.SecondFactorEnabled]);
  });

  it('given nothing pending (never enrolled, or already on), when confirming, then SECOND_FACTOR_NOT_PENDING', () => {
    const never = given([registered]).when(confirm(true));
    expect(never.code).toBe('SECOND_FACTOR_NOT_PENDING');
    expect(never.details).toEqual({ secondFactor: 'disabled' });
    const on = given([registered, enrollmentStarted(), enabledWithCodes]).when(confirm(true, 2 * MINUTE));
    expect(on.code).toBe('SECOND_FACTOR_NOT_PENDING');
    expect(on.details).toEqual({ secondFactor: 'enabled' });
  });

  it('given a pending enrollment, when logging in or changing a password without a code, then nothing is asked and nothing can be turned off', () => {
    const history = [registered, enrollmentStarted()];
    const loggedIn = given(history).when(login(MINUTE));
    expect(loggedIn.rejection).toBeUndefined();
    expect(loggedIn.events).toEqual([
      {
        type: IDENTITY_EVENT.LoggedIn,
        data: { userId: USER, deviceId: 'phone-A', newDevice: false, secondFactorUsed: false, at: at(MINUTE) },
      },
    ]);
    expect(
      given(history)
        .when(changeLoginPassword(MINUTE))
        .events.map((event) => event.type),
    ).toEqual([IDENTITY_EVENT.LoginPasswordChanged]);
    expect(given(history).when({ type: 'DisableSecondFactor', userId: USER, secondFactor: { valid: true }, now: at(MINUTE) }).code).toBe(
      'SECOND_FACTOR_NOT_ENABLED',
    );
  });
});

describe('User: recovery codes', () => {
  const enabled = [registered, enrollmentStarted(), enabledWithCodes];

  it('given an enabled factor with recovery codes, when one passes the login gate, then it is retired in the same decision', () => {
    const first = given(enabled).when(login(2 * MINUTE, recovery('hs256:p1:code-b')));
    expect(first.rejection).toBeUndefined();
    expect(first.events).toEqual([
      { type: IDENTITY_EVENT.RecoveryCodeUsed, data: { userId: USER, codeHash: 'hs256:p1:code-b', codesLeft: 2, at: at(2 * MINUTE) } },
      {
        type: IDENTITY_EVENT.LoggedIn,
        data: { userId: USER, deviceId: 'phone-A', newDevice: false, secondFactorUsed: true, at: at(2 * MINUTE) },
      },
    ]);
    const factor = registeredState(first.state).secondFactor;
    expect(factor.kind === 'enabled' ? factor.recoveryCodeHashes : undefined).toEqual(['hs256:p1:code-a', 'hs256:p1:code-c']);
  });

  it('given a recovery code already used, when it is offered again at another gate, then it is a wrong code, recorded', () => {
    const used = given(enabled).when(login(2 * MINUTE, recovery('hs256:p1:code-a'))).history;
    const again = given(used).when(changeLoginPassword(3 * MINUTE, recovery('hs256:p1:code-a')));
    expect(again.code).toBe('INVALID_SECOND_FACTOR');
    expect(again.details).toEqual({ attemptsLeft: 4 });
    expect(again.events).toEqual([
      {
        type: IDENTITY_EVENT.SecondFactorFailed,
        data: { userId: USER, operation: 'change_login_password', failuresInWindow: 1, attemptsLeft: 4, at: at(3 * MINUTE) },
      },
    ]);
    // Another, unused code still works there.
    expect(
      given(used)
        .when(changeLoginPassword(3 * MINUTE, recovery('hs256:p1:code-c')))
        .events.map((event) => event.type),
    ).toEqual([IDENTITY_EVENT.RecoveryCodeUsed, IDENTITY_EVENT.LoginPasswordChanged]);
  });

  it('given a recovery code that passes the gate, when the operation is refused after it, then the code stays unused', () => {
    const refused = given(enabled).when(login(2 * MINUTE, recovery('hs256:p1:code-a'), 'phone-NEW'));
    expect(refused.code).toBe('STEP_UP_REQUIRED');
    expect(refused.events).toEqual([]);
    const factor = registeredState(refused.state).secondFactor;
    expect(factor.kind === 'enabled' ? factor.recoveryCodeHashes : undefined).toEqual(HASHES);
  });

  it('given an enabled factor, when a dynamic code passes the gate, then no recovery code is touched', () => {
    const result = given(enabled).when(login(2 * MINUTE, { valid: true }));
    expect(result.events.map((event) => event.type)).toEqual([IDENTITY_EVENT.LoggedIn]);
  });

  it('given a SecondFactorEnabled stored before the confirmation step (no hashes), then it evolves to an enabled factor without recovery codes', () => {
    const legacy: UserEvent = {
      type: IDENTITY_EVENT.SecondFactorEnabled,
      data: { userId: USER, secretCiphertext: 'enc:v1:k1:legacy', at: at(0) },
    };
    const history = [registered, legacy];
    const result = given(history).when(login(MINUTE));
    expect(result.code).toBe('SECOND_FACTOR_REQUIRED');
    expect(registeredState(result.state).secondFactor).toEqual({
      kind: 'enabled',
      secretCiphertext: 'enc:v1:k1:legacy',
      enabledAt: at(0),
      failures: [],
      lockedUntil: null,
      recoveryCodeHashes: [],
    });
    expect(
      given(history)
        .when(login(MINUTE, { valid: true }))
        .events.map((event) => event.type),
    ).toEqual([IDENTITY_EVENT.LoggedIn]);
    expect(given(history).when(login(MINUTE, recovery('hs256:p1:code-a'))).code).toBe('INVALID_SECOND_FACTOR');
  });
});
