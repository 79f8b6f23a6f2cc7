import fc from 'fast-check';
import { fold } from '@ledger/util';
import { at, givenWhenThen, HOUR, MINUTE, SECOND } from '../test/given-when-then';
import { InvalidIdentityCommand } from './codes';
import { IDENTITY_EVENT, type FreezeActor, type UserEvent } from './events';
import { createUserDecider, userDecider, userStreamId, type RegisteredUser, type RegisterUser, type UserCommand } from './user';

const USER = 'u-1';
const PHONE = 'k1.phone';
const given = givenWhenThen(userDecider);

const registration: RegisterUser = {
  type: 'RegisterUser',
  userId: USER,
  phoneHash: PHONE,
  maskedPhone: '138****5678',
  name: '张三',
  loginPasswordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  passwordCheck: { ok: true },
  verification: { codeId: 'code-reg', purpose: 'registration', phoneHash: PHONE },
  maintenance: { active: false },
  deviceId: 'phone-A',
  now: at(0),
};

const registered: UserEvent = {
  type: IDENTITY_EVENT.UserRegistered,
  data: {
    userId: USER,
    phoneHash: PHONE,
    maskedPhone: '138****5678',
    name: '张三',
    idNumberCiphertext: null,
    identityLevel: 'basic',
    loginPasswordHash: registration.loginPasswordHash,
    verificationCodeId: 'code-reg',
    deviceId: 'phone-A',
    registeredAt: at(0),
  },
};
const paymentPasswordSet: UserEvent = {
  type: IDENTITY_EVENT.PaymentPasswordSet,
  data: { userId: USER, paymentPasswordHash: 'hs256:p1:old', at: at(0) },
};
const secondFactorEnabled: UserEvent = {
  type: IDENTITY_EVENT.SecondFactorEnabled,
  data: { userId: USER, secretCiphertext: 'enc:v1:k1:totp', at: at(0) },
};
const frozenBy = (actor: FreezeActor, ms = 0): UserEvent => ({
  type: IDENTITY_EVENT.AccountFrozen,
  data: { userId: USER, reason: 'lost_phone', actor, at: at(ms) },
});

/** Runs commands one after another, each on the state the previous ones produced. */
function run(history: readonly UserEvent[], commands: readonly UserCommand[]): ReturnType<ReturnType<typeof given>['when']> {
  let events = [...history];
  let last: ReturnType<ReturnType<typeof given>['when']> | undefined;
  for (const command of commands) {
    last = given(events).when(command);
    events = last.history;
  }
  if (last === undefined) throw new Error('no commands');
  return last;
}

const login = (ms: number, overrides: Partial<Extract<UserCommand, { type: 'Login' }>> = {}): UserCommand => ({
  type: 'Login',
  userId: USER,
  deviceId: 'phone-A',
  passwordValid: true,
  now: at(ms),
  ...overrides,
});
const verify = (
  ms: number,
  matches: boolean,
  purpose: Extract<UserCommand, { type: 'VerifyPaymentPassword' }>['purpose'] = 'payment',
): UserCommand => ({
  type: 'VerifyPaymentPassword',
  userId: USER,
  purpose,
  matches,
  now: at(ms),
});
const state = (history: readonly UserEvent[]): RegisteredUser => {
  const folded = fold(userDecider, history);
  if (folded.status !== 'registered') throw new Error('not registered');
  return folded;
};

describe('User: RegisterUser', () => {
  it('registers a basic user; the registration device becomes known', () => {
    const result = given([]).when(registration);
    expect(result.events).toEqual([registered]);
    expect(result.state).toMatchObject({
      status: 'registered',
      knownDevices: ['phone-A'],
      paymentPassword: { kind: 'not_set' },
      freeze: { kind: 'active' },
    });
    expect(userStreamId(USER)).toBe('user-u-1');
  });

  it('registers a real-name verified user when the encrypted ID number is given', () => {
    const result = given([]).when({ ...registration, idNumberCiphertext: 'enc:v1:k1:id', deviceId: undefined });
    expect(result.events[0]).toMatchObject({ data: { identityLevel: 'verified', idNumberCiphertext: 'enc:v1:k1:id', deviceId: null } });
  });

  it('refuses during maintenance with SYSTEM_MAINTENANCE and the end time', () => {
    const result = given([]).when({ ...registration, maintenance: { active: true, until: at(2 * HOUR), message: 'upgrade' } });
    expect(result.code).toBe('SYSTEM_MAINTENANCE');
    expect(result.details).toEqual({ until: at(2 * HOUR), retryAfterMs: 2 * HOUR, message: 'upgrade' });
  });

  it('refuses a weak password with WEAK_PASSWORD and the failing rule', () => {
    const result = given([]).when({
      ...registration,
      passwordCheck: { ok: false, rule: 'letters_and_digits', message: 'use both letters and digits' },
    });
    expect(result.code).toBe('WEAK_PASSWORD');
    expect(result.details).toEqual({ rule: 'letters_and_digits', field: 'loginPassword' });
  });

  it('refuses an existing user id with USER_ALREADY_EXISTS', () => {
    expect(given([registered]).when(registration).code).toBe('USER_ALREADY_EXISTS');
  });

  it('throws for a code proof of another purpose or phone, or a blank name', () => {
    expect(() => given([]).when({ ...registration, verification: { codeId: 'c', purpose: 'unfreeze', phoneHash: PHONE } })).toThrow(
      InvalidIdentityCommand,
    );
    expect(() =>
      given([]).when({ ...registration, verification: { codeId: 'c', purpose: 'registration', phoneHash: 'k1.other' } }),
    ).toThrow(InvalidIdentityCommand);
    expect(() => given([]).when({ ...registration, name: ' ' })).toThrow(InvalidIdentityCommand);
  });

  it('answers USER_NOT_FOUND to any other command before registration', () => {
    expect(given([]).when(login(0)).code).toBe('USER_NOT_FOUND');
    expect(given([]).when(verify(0, true)).code).toBe('USER_NOT_FOUND');
  });

  it('throws for a command addressed to another user, and for a stream that does not start with registration', () => {
    expect(() => given([registered]).when({ ...login(0), userId: 'u-2' })).toThrow(InvalidIdentityCommand);
    expect(() => fold(userDecider, [paymentPasswordSet])).toThrow(/before identity.UserRegistered.v1/);
  });
});

describe('User: Login', () => {
  it('logs in from a known device', () => {
    expect(given([registered]).when(login(MINUTE)).events).toEqual([
      {
        type: IDENTITY_EVENT.LoggedIn,
        data: { userId: USER, deviceId: 'phone-A', newDevice: false, secondFactorUsed: false, at: at(MINUTE) },
      },
    ]);
  });

  it('lets a frozen account log in', () => {
    expect(given([registered, frozenBy({ kind: 'support', agentId: 'agent-7' })]).when(login(MINUTE)).rejection).toBeUndefined();
  });

  it('asks a new device for an SMS step-up with STEP_UP_REQUIRED', () => {
    const result = given([registered]).when(login(MINUTE, { deviceId: 'phone-B' }));
    expect(result.code).toBe('STEP_UP_REQUIRED');
    expect(result.details).toEqual({ deviceId: 'phone-B', purpose: 'login_step_up' });
  });

  it('registers the new device after a valid step-up code', () => {
    const result = given([registered]).when(login(MINUTE, { deviceId: 'phone-B', stepUpCodeValid: true }));
    expect(result.events[0]).toMatchObject({ data: { deviceId: 'phone-B', newDevice: true } });
    expect(given(result.history).when(login(2 * MINUTE, { deviceId: 'phone-B' })).rejection).toBeUndefined();
  });

  it('refuses a refused step-up code with INVALID_CODE, recording nothing (the code aggregate counted it)', () => {
    const result = given([registered]).when(login(MINUTE, { deviceId: 'phone-B', stepUpCodeValid: false }));
    expect(result.code).toBe('INVALID_CODE');
    expect(result.events).toEqual([]);
  });

  it('records a wrong password and answers INVALID_CREDENTIALS with attempts left', () => {
    const result = given([registered]).when(login(MINUTE, { passwordValid: false }));
    expect(result.events).toEqual([
      {
        type: IDENTITY_EVENT.LoginFailed,
        data: { userId: USER, deviceId: 'phone-A', failuresInWindow: 1, attemptsLeft: 4, at: at(MINUTE) },
      },
    ]);
    expect(result.code).toBe('INVALID_CREDENTIALS');
    expect(result.details).toEqual({ attemptsLeft: 4 });
  });

  it('locks login for 30 min on the 5th failure within 15 min, and raises a risk alert', () => {
    const fails = [0, 1, 2, 3].map((m) => login(m * MINUTE, { passwordValid: false }));
    const result = run([registered], [...fails, login(15 * MINUTE - 1, { passwordValid: false })]);
    expect(result.code).toBe('LOGIN_LOCKED');
    expect(result.details).toEqual({ until: at(45 * MINUTE - 1), attemptsLeft: 0 });
    expect(result.events.map((e) => e.type)).toEqual([
      IDENTITY_EVENT.LoginFailed,
      IDENTITY_EVENT.LoginLocked,
      IDENTITY_EVENT.RiskAlertRaised,
    ]);
    expect(result.events[2]).toMatchObject({ data: { signal: 'repeated_login_failures', severity: 'medium', source: 'identity' } });
  });

  it('forgets failures older than the window (boundary: exactly 15 min old no longer counts)', () => {
    const fails = [0, 1, 2, 3].map((m) => login(m * MINUTE, { passwordValid: false }));
    const result = run([registered], [...fails, login(15 * MINUTE, { passwordValid: false })]);
    expect(result.code).toBe('INVALID_CREDENTIALS');
    expect(result.details).toEqual({ attemptsLeft: 1 });
  });

  it('refuses even the right password while locked, and accepts it when the lock ends', () => {
    const locked = run(
      [registered],
      [0, 1, 2, 3, 4].map((m) => login(m * MINUTE, { passwordValid: false })),
    ).history;
    const lockEnd = 4 * MINUTE + 30 * MINUTE;
    const during = given(locked).when(login(lockEnd - 1));
    expect(during.code).toBe('LOGIN_LOCKED');
    expect(during.details).toEqual({ until: at(lockEnd) });
    expect(during.events).toEqual([]);
    expect(given(locked).when(login(lockEnd)).rejection).toBeUndefined();
    // After the lock the count starts again.
    expect(given(locked).when(login(lockEnd, { passwordValid: false })).details).toEqual({ attemptsLeft: 4 });
  });

  it('resets the failure count on success', () => {
    const result = run(
      [registered],
      [login(0, { passwordValid: false }), login(1, { passwordValid: false }), login(2), login(3, { passwordValid: false })],
    );
    expect(result.details).toEqual({ attemptsLeft: 4 });
  });

  it('requires the second factor when enabled: SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR, then success', () => {
    expect(given([registered, secondFactorEnabled]).when(login(MINUTE)).code).toBe('SECOND_FACTOR_REQUIRED');
    const wrong = given([registered, secondFactorEnabled]).when(login(MINUTE, { secondFactor: { valid: false } }));
    expect(wrong.code).toBe('INVALID_SECOND_FACTOR');
    expect(wrong.details).toEqual({ attemptsLeft: 4 });
    expect(wrong.events[0]).toMatchObject({ type: IDENTITY_EVENT.SecondFactorFailed, data: { operation: 'login' } });
    expect(given([registered, secondFactorEnabled]).when(login(MINUTE, { secondFactor: { valid: true } })).events[0]).toMatchObject({
      data: { secondFactorUsed: true },
    });
  });

  it('locks the second factor after 5 wrong dynamic codes (SECOND_FACTOR_LOCKED) with a risk alert', () => {
    const wrongs = [0, 1, 2, 3, 4].map((m) => login(m * MINUTE, { secondFactor: { valid: false } }));
    const result = run([registered, secondFactorEnabled], wrongs);
    expect(result.code).toBe('SECOND_FACTOR_LOCKED');
    expect(result.details).toEqual({ until: at(34 * MINUTE), attemptsLeft: 0 });
    expect(result.events.map((e) => e.type)).toEqual([
      IDENTITY_EVENT.SecondFactorFailed,
      IDENTITY_EVENT.SecondFactorLocked,
      IDENTITY_EVENT.RiskAlertRaised,
    ]);
    const during = given(result.history).when(login(34 * MINUTE - 1, { secondFactor: { valid: true } }));
    expect(during.code).toBe('SECOND_FACTOR_LOCKED');
    expect(given(result.history).when(login(34 * MINUTE, { secondFactor: { valid: true } })).rejection).toBeUndefined();
  });

  it('remembers at most 20 devices, forgetting the least recently used', () => {
    const logins = Array.from({ length: 25 }, (_, i) => login(i * SECOND, { deviceId: `device-${i}`, stepUpCodeValid: true }));
    const devices = state(run([registered], logins).history).knownDevices;
    expect(devices).toHaveLength(20);
    expect(devices).not.toContain('phone-A');
    expect(devices.at(-1)).toBe('device-24');
  });

  it('throws for a blank device id', () => {
    expect(() => given([registered]).when(login(0, { deviceId: '' }))).toThrow(InvalidIdentityCommand);
  });
});

describe('User: ChangeLoginPassword', () => {
  const change = (ms: number, overrides: Partial<Extract<UserCommand, { type: 'ChangeLoginPassword' }>> = {}): UserCommand => ({
    type: 'ChangeLoginPassword',
    userId: USER,
    currentPasswordValid: true,
    newLoginPasswordHash: '$argon2id$new',
    passwordCheck: { ok: true },
    now: at(ms),
    ...overrides,
  });

  it('changes the login password', () => {
    const result = given([registered]).when(change(MINUTE));
    expect(result.events).toEqual([
      { type: IDENTITY_EVENT.LoginPasswordChanged, data: { userId: USER, loginPasswordHash: '$argon2id$new', at: at(MINUTE) } },
    ]);
    expect(state(result.history).loginPasswordHash).toBe('$argon2id$new');
  });

  it('refuses a weak new password with WEAK_PASSWORD', () => {
    expect(
      given([registered]).when(change(0, { passwordCheck: { ok: false, rule: 'common_password', message: 'too common' } })).details,
    ).toEqual({ rule: 'common_password', field: 'loginPassword' });
  });

  it('counts a wrong current password as a failed login (INVALID_CREDENTIALS)', () => {
    const result = given([registered]).when(change(0, { currentPasswordValid: false }));
    expect(result.code).toBe('INVALID_CREDENTIALS');
    expect(result.events[0]).toMatchObject({ type: IDENTITY_EVENT.LoginFailed, data: { deviceId: null } });
  });

  it('refuses while login is locked (LOGIN_LOCKED)', () => {
    const locked = run(
      [registered],
      [0, 1, 2, 3, 4].map((m) => login(m, { passwordValid: false })),
    ).history;
    expect(given(locked).when(change(MINUTE)).code).toBe('LOGIN_LOCKED');
  });

  it('requires the second factor when enabled', () => {
    expect(given([registered, secondFactorEnabled]).when(change(0)).code).toBe('SECOND_FACTOR_REQUIRED');
    expect(given([registered, secondFactorEnabled]).when(change(0, { secondFactor: { valid: false } })).code).toBe('INVALID_SECOND_FACTOR');
    expect(given([registered, secondFactorEnabled]).when(change(0, { secondFactor: { valid: true } })).rejection).toBeUndefined();
  });
});

describe('User: SetPaymentPassword', () => {
  const set = (overrides: Partial<Extract<UserCommand, { type: 'SetPaymentPassword' }>> = {}): UserCommand => ({
    type: 'SetPaymentPassword',
    userId: USER,
    paymentPasswordHash: 'hs256:p1:new',
    passwordCheck: { ok: true },
    now: at(MINUTE),
    ...overrides,
  });

  it('sets the payment password once', () => {
    expect(given([registered]).when(set()).events).toEqual([
      { type: IDENTITY_EVENT.PaymentPasswordSet, data: { userId: USER, paymentPasswordHash: 'hs256:p1:new', at: at(MINUTE) } },
    ]);
    expect(given([registered, paymentPasswordSet]).when(set()).code).toBe('PAYMENT_PASSWORD_ALREADY_SET');
  });

  it('refuses a weak payment password with WEAK_PASSWORD', () => {
    expect(given([registered]).when(set({ passwordCheck: { ok: false, rule: 'sequential_digits', message: 'run' } })).details).toEqual({
      rule: 'sequential_digits',
      field: 'paymentPassword',
    });
  });

  it('requires the second factor when enabled', () => {
    expect(given([registered, secondFactorEnabled]).when(set()).code).toBe('SECOND_FACTOR_REQUIRED');
    expect(given([registered, secondFactorEnabled]).when(set({ secondFactor: { valid: true } })).rejection).toBeUndefined();
  });
});

describe('User: VerifyPaymentPassword', () => {
  const withPassword = [registered, paymentPasswordSet];

  it('verifies a matching password without recording anything', () => {
    const result = given(withPassword).when(verify(MINUTE, true));
    expect(result.rejection).toBeUndefined();
    expect(result.events).toEqual([]);
  });

  it('refuses when no payment password is set (PAYMENT_PASSWORD_NOT_SET)', () => {
    expect(given([registered]).when(verify(0, true)).code).toBe('PAYMENT_PASSWORD_NOT_SET');
  });

  it('counts wrong passwords down with WRONG_PAYMENT_PASSWORD and attemptsLeft', () => {
    const first = given(withPassword).when(verify(0, false));
    expect(first.code).toBe('WRONG_PAYMENT_PASSWORD');
    expect(first.details).toEqual({ attemptsLeft: 4 });
    expect(first.events).toEqual([
      {
        type: IDENTITY_EVENT.PaymentPasswordVerificationFailed,
        data: { userId: USER, purpose: 'payment', consecutiveFailures: 1, attemptsLeft: 4, at: at(0) },
      },
    ]);
    expect(run(withPassword, [verify(0, false), verify(1, false), verify(2, false), verify(3, false)]).details).toEqual({
      attemptsLeft: 1,
    });
  });

  it('locks for 3 h on the 5th consecutive failure (PAYMENT_PASSWORD_LOCKED with lockedUntil) and raises a risk alert', () => {
    const result = run(
      withPassword,
      [0, 1, 2, 3, 4].map((m) => verify(m * MINUTE, false)),
    );
    expect(result.code).toBe('PAYMENT_PASSWORD_LOCKED');
    expect(result.details).toEqual({ lockedUntil: at(4 * MINUTE + 3 * HOUR), attemptsLeft: 0 });
    expect(result.events.map((e) => e.type)).toEqual([
      IDENTITY_EVENT.PaymentPasswordVerificationFailed,
      IDENTITY_EVENT.PaymentPasswordLocked,
      IDENTITY_EVENT.RiskAlertRaised,
    ]);
  });

  it('stays locked until the unlock instant, then starts counting afresh', () => {
    const locked = run(
      withPassword,
      [0, 1, 2, 3, 4].map((m) => verify(m, false)),
    ).history;
    const unlock = 4 + 3 * HOUR;
    const during = given(locked).when(verify(unlock - 1, true));
    expect(during.code).toBe('PAYMENT_PASSWORD_LOCKED');
    expect(during.details).toEqual({ lockedUntil: at(unlock) });
    expect(during.events).toEqual([]);
    expect(given(locked).when(verify(unlock, true)).rejection).toBeUndefined();
    expect(given(locked).when(verify(unlock, false)).details).toEqual({ attemptsLeft: 4 });
  });

  it('resets the counter on success, recording PaymentPasswordVerified', () => {
    const result = run(withPassword, [verify(0, false), verify(1, false), verify(2, true)]);
    expect(result.events).toEqual([
      { type: IDENTITY_EVENT.PaymentPasswordVerified, data: { userId: USER, purpose: 'payment', clearedFailures: 2, at: at(2) } },
    ]);
    expect(given(result.history).when(verify(3, false)).details).toEqual({ attemptsLeft: 4 });
  });

  it.each(['payment', 'transfer', 'bill_payment', 'top_up', 'withdrawal'] as const)(
    'refuses %s on a frozen account with ACCOUNT_FROZEN, without using an attempt',
    (purpose) => {
      const result = given([...withPassword, frozenBy({ kind: 'support', agentId: 'agent-7' }, MINUTE)]).when(
        verify(2 * MINUTE, false, purpose),
      );
      expect(result.code).toBe('ACCOUNT_FROZEN');
      expect(result.details).toEqual({ frozenAt: at(MINUTE), reason: 'lost_phone', purpose });
      expect(result.events).toEqual([]);
    },
  );

  it('still verifies for non-money purposes (unbind_card) on a frozen account', () => {
    expect(given([...withPassword, frozenBy({ kind: 'user' })]).when(verify(MINUTE, true, 'unbind_card')).rejection).toBeUndefined();
  });
});

describe('User: ChangePaymentPassword', () => {
  const change = (ms: number, overrides: Partial<Extract<UserCommand, { type: 'ChangePaymentPassword' }>> = {}): UserCommand => ({
    type: 'ChangePaymentPassword',
    userId: USER,
    oldPasswordMatches: true,
    newPaymentPasswordHash: 'hs256:p1:new',
    passwordCheck: { ok: true },
    now: at(ms),
    ...overrides,
  });

  it('changes it when the old one verifies', () => {
    expect(given([registered, paymentPasswordSet]).when(change(MINUTE)).events).toEqual([
      { type: IDENTITY_EVENT.PaymentPasswordChanged, data: { userId: USER, paymentPasswordHash: 'hs256:p1:new', at: at(MINUTE) } },
    ]);
  });

  it('refuses without a password (PAYMENT_PASSWORD_NOT_SET) or with a weak one (WEAK_PASSWORD)', () => {
    expect(given([registered]).when(change(0)).code).toBe('PAYMENT_PASSWORD_NOT_SET');
    expect(
      given([registered, paymentPasswordSet]).when(change(0, { passwordCheck: { ok: false, rule: 'repeated_digit', message: 'x' } })).code,
    ).toBe('WEAK_PASSWORD');
  });

  it('counts a wrong old password against the lockout (WRONG_PAYMENT_PASSWORD), and refuses while locked', () => {
    const wrong = given([registered, paymentPasswordSet]).when(change(0, { oldPasswordMatches: false }));
    expect(wrong.code).toBe('WRONG_PAYMENT_PASSWORD');
    expect(wrong.events[0]).toMatchObject({ data: { purpose: 'change_payment_password', attemptsLeft: 4 } });
    const locked = run(
      [registered, paymentPasswordSet],
      [0, 1, 2, 3, 4].map((m) => verify(m, false)),
    ).history;
    expect(given(locked).when(change(MINUTE)).code).toBe('PAYMENT_PASSWORD_LOCKED');
  });

  it('requires a valid second factor when enabled', () => {
    expect(given([registered, paymentPasswordSet, secondFactorEnabled]).when(change(0, { secondFactor: { valid: false } })).code).toBe(
      'INVALID_SECOND_FACTOR',
    );
  });
});

describe('User: VerifyDevice (a payment step-up from a new device)', () => {
  const verifyDevice = (ms: number, overrides: Partial<Extract<UserCommand, { type: 'VerifyDevice' }>> = {}): UserCommand => ({
    type: 'VerifyDevice',
    userId: USER,
    deviceId: 'phone-B',
    verification: { codeId: 'code-step-up', purpose: 'login_step_up', phoneHash: PHONE },
    now: at(ms),
    ...overrides,
  });

  it('records the device as known: a login from it needs no step-up any more', () => {
    const result = given([registered]).when(verifyDevice(MINUTE));
    expect(result.events).toEqual([
      {
        type: IDENTITY_EVENT.DeviceVerified,
        data: { userId: USER, deviceId: 'phone-B', verificationCodeId: 'code-step-up', at: at(MINUTE) },
      },
    ]);
    expect(result.state).toMatchObject({ knownDevices: ['phone-A', 'phone-B'] });
    expect(given(result.history).when(login(2 * MINUTE, { deviceId: 'phone-B' })).events).toMatchObject([
      { type: IDENTITY_EVENT.LoggedIn, data: { newDevice: false } },
    ]);
  });

  it('answers USER_NOT_FOUND before registration, and throws for a code of another purpose or phone', () => {
    expect(given([]).when(verifyDevice(0)).code).toBe('USER_NOT_FOUND');
    expect(() =>
      given([registered]).when(verifyDevice(0, { verification: { codeId: 'c', purpose: 'unfreeze', phoneHash: PHONE } })),
    ).toThrow(InvalidIdentityCommand);
    expect(() =>
      given([registered]).when(verifyDevice(0, { verification: { codeId: 'c', purpose: 'login_step_up', phoneHash: 'k1.other' } })),
    ).toThrow(InvalidIdentityCommand);
  });
});

describe('User: ResetPaymentPassword (forgot password)', () => {
  const reset = (ms: number, overrides: Partial<Extract<UserCommand, { type: 'ResetPaymentPassword' }>> = {}): UserCommand => ({
    type: 'ResetPaymentPassword',
    userId: USER,
    verification: { codeId: 'code-reset', purpose: 'payment_password_reset', phoneHash: PHONE },
    newPaymentPasswordHash: 'hs256:p1:reset',
    passwordCheck: { ok: true },
    now: at(ms),
    ...overrides,
  });

  it('replaces the password after an SMS code and lifts the lockout', () => {
    const locked = run(
      [registered, paymentPasswordSet],
      [0, 1, 2, 3, 4].map((m) => verify(m, false)),
    ).history;
    const result = given(locked).when(reset(MINUTE));
    expect(result.events).toEqual([
      {
        type: IDENTITY_EVENT.PaymentPasswordReset,
        data: { userId: USER, paymentPasswordHash: 'hs256:p1:reset', verificationCodeId: 'code-reset', at: at(MINUTE) },
      },
    ]);
    expect(given(result.history).when(verify(2 * MINUTE, true)).rejection).toBeUndefined();
  });

  it('refuses PAYMENT_PASSWORD_NOT_SET and WEAK_PASSWORD', () => {
    expect(given([registered]).when(reset(0)).code).toBe('PAYMENT_PASSWORD_NOT_SET');
    expect(
      given([registered, paymentPasswordSet]).when(reset(0, { passwordCheck: { ok: false, rule: 'six_digits', message: 'x' } })).code,
    ).toBe('WEAK_PASSWORD');
  });

  it('requires the second factor when enabled', () => {
    expect(given([registered, paymentPasswordSet, secondFactorEnabled]).when(reset(0)).code).toBe('SECOND_FACTOR_REQUIRED');
  });

  it('records a wrong dynamic code sent without the SMS code (kept for the next try), and never resets without one', () => {
    const wrong = given([registered, paymentPasswordSet, secondFactorEnabled]).when(
      reset(0, { verification: undefined, secondFactor: { valid: false } }),
    );
    expect(wrong.code).toBe('INVALID_SECOND_FACTOR');
    expect(wrong.events.map((event) => event.type)).toEqual([IDENTITY_EVENT.SecondFactorFailed]);
    expect(() => given([registered, paymentPasswordSet]).when(reset(0, { verification: undefined }))).toThrow(InvalidIdentityCommand);
  });

  it('throws for a code of another purpose', () => {
    expect(() =>
      given([registered, paymentPasswordSet]).when(reset(0, { verification: { codeId: 'c', purpose: 'registration', phoneHash: PHONE } })),
    ).toThrow(InvalidIdentityCommand);
  });
});

describe('User: second factor', () => {
  it('starts an enrollment with the encrypted secret; refused once enabled (SECOND_FACTOR_ALREADY_ENABLED)', () => {
    const result = given([registered]).when({ type: 'EnableSecondFactor', userId: USER, secretCiphertext: 'enc:v1:k1:totp', now: at(0) });
    expect(result.events).toEqual([
      { type: IDENTITY_EVENT.SecondFactorEnrollmentStarted, data: { userId: USER, secretCiphertext: 'enc:v1:k1:totp', at: at(0) } },
    ]);
    expect(
      given([registered, secondFactorEnabled]).when({
        type: 'EnableSecondFactor',
        userId: USER,
        secretCiphertext: 'enc:v1:k1:x',
        now: at(0),
      }).code,
    ).toBe('SECOND_FACTOR_ALREADY_ENABLED');
  });

  it('disables it with a valid dynamic code', () => {
    const result = given([registered, secondFactorEnabled]).when({
      type: 'DisableSecondFactor',
      userId: USER,
      secondFactor: { valid: true },
      now: at(MINUTE),
    });
    expect(result.events).toEqual([
      {
        type: IDENTITY_EVENT.SecondFactorDisabled,
        data: { userId: USER, by: 'user', supportAgentId: null, verificationReference: null, at: at(MINUTE) },
      },
    ]);
    expect(given(result.history).when(login(2 * MINUTE)).rejection).toBeUndefined();
  });

  it('refuses to disable without a code, with a wrong code, or when not enabled', () => {
    expect(given([registered, secondFactorEnabled]).when({ type: 'DisableSecondFactor', userId: USER, now: at(0) }).code).toBe(
      'SECOND_FACTOR_REQUIRED',
    );
    expect(
      given([registered, secondFactorEnabled]).when({
        type: 'DisableSecondFactor',
        userId: USER,
        secondFactor: { valid: false },
        now: at(0),
      }).code,
    ).toBe('INVALID_SECOND_FACTOR');
    expect(given([registered]).when({ type: 'DisableSecondFactor', userId: USER, secondFactor: { valid: true }, now: at(0) }).code).toBe(
      'SECOND_FACTOR_NOT_ENABLED',
    );
  });

  it('lets support reset it after verification, even while locked', () => {
    const locked = run(
      [registered, secondFactorEnabled],
      [0, 1, 2, 3, 4].map((m) => login(m, { secondFactor: { valid: false } })),
    ).history;
    const result = given(locked).when({
      type: 'ResetSecondFactor',
      userId: USER,
      supportAgentId: 'agent-7',
      verificationReference: 'ticket-42',
      now: at(MINUTE),
    });
    expect(result.events).toEqual([
      {
        type: IDENTITY_EVENT.SecondFactorDisabled,
        data: { userId: USER, by: 'support', supportAgentId: 'agent-7', verificationReference: 'ticket-42', at: at(MINUTE) },
      },
    ]);
    expect(
      given([registered]).when({
        type: 'ResetSecondFactor',
        userId: USER,
        supportAgentId: 'agent-7',
        verificationReference: 'ticket-42',
        now: at(0),
      }).code,
    ).toBe('SECOND_FACTOR_NOT_ENABLED');
    expect(() =>
      given(locked).when({ type: 'ResetSecondFactor', userId: USER, supportAgentId: 'agent-7', verificationReference: '', now: at(0) }),
    ).toThrow(InvalidIdentityCommand);
  });
});

describe('User: FreezeAccount / UnfreezeAccount', () => {
  const freeze = (actor: FreezeActor): UserCommand => ({
    type: 'FreezeAccount',
    userId: USER,
    reason: 'lost_phone',
    actor,
    now: at(MINUTE),
  });
  const unfreezeByUser = (ms: number, paymentPasswordMatches = true, secondFactorValid?: boolean): UserCommand => ({
    type: 'UnfreezeAccount',
    userId: USER,
    actor: {
      kind: 'user',
      verification: { codeId: 'code-unfreeze', purpose: 'unfreeze', phoneHash: PHONE },
      paymentPasswordMatches,
      ...(secondFactorValid === undefined ? {} : { secondFactor: { valid: secondFactorValid } }),
    },
    now: at(ms),
  });
  const unfreezeBySupport = (ms: number): UserCommand => ({
    type: 'UnfreezeAccount',
    userId: USER,
    actor: { kind: 'support', agentId: 'agent-7', verificationReference: 'call-95588-1' },
    now: at(ms),
  });

  it.each<FreezeActor>([{ kind: 'user' }, { kind: 'support', agentId: 'agent-7' }, { kind: 'risk', ruleId: 'velocity-1' }])(
    'freezes at once (%o)',
    (actor) => {
      expect(given([registered]).when(freeze(actor)).events).toEqual([frozenBy(actor, MINUTE)]);
    },
  );

  it('refuses to freeze twice (ALREADY_FROZEN)', () => {
    const result = given([registered, frozenBy({ kind: 'user' })]).when(freeze({ kind: 'support', agentId: 'agent-7' }));
    expect(result.code).toBe('ALREADY_FROZEN');
    expect(result.details).toEqual({ frozenAt: at(0) });
  });

  it('refuses to unfreeze an active account (NOT_FROZEN)', () => {
    expect(given([registered, paymentPasswordSet]).when(unfreezeBySupport(0)).code).toBe('NOT_FROZEN');
  });

  it('lets the owner unfreeze with an SMS code and the payment password; money moves again', () => {
    const frozen = [registered, paymentPasswordSet, frozenBy({ kind: 'support', agentId: 'agent-7' })];
    expect(given(frozen).when(verify(MINUTE, true)).code).toBe('ACCOUNT_FROZEN');
    const result = given(frozen).when(unfreezeByUser(2 * MINUTE));
    expect(result.events).toEqual([
      {
        type: IDENTITY_EVENT.AccountUnfrozen,
        data: { userId: USER, actor: { kind: 'user' }, verificationCodeId: 'code-unfreeze', at: at(2 * MINUTE) },
      },
    ]);
    expect(given(result.history).when(verify(3 * MINUTE, true)).rejection).toBeUndefined();
  });

  it('lets support unfreeze after verification', () => {
    const result = given([registered, frozenBy({ kind: 'risk', ruleId: 'r' })]).when(unfreezeBySupport(MINUTE));
    expect(result.events[0]).toMatchObject({
      data: { actor: { kind: 'support', agentId: 'agent-7', verificationReference: 'call-95588-1' }, verificationCodeId: null },
    });
  });

  it('keeps a risk-control freeze for support (UNFREEZE_REQUIRES_SUPPORT)', () => {
    expect(given([registered, paymentPasswordSet, frozenBy({ kind: 'risk', ruleId: 'r' })]).when(unfreezeByUser(MINUTE)).code).toBe(
      'UNFREEZE_REQUIRES_SUPPORT',
    );
  });

  it('counts a wrong payment password on the owner path, and honours the lock and a missing password', () => {
    const frozen = [registered, paymentPasswordSet, frozenBy({ kind: 'user' })];
    const wrong = given(frozen).when(unfreezeByUser(MINUTE, false));
    expect(wrong.code).toBe('WRONG_PAYMENT_PASSWORD');
    expect(wrong.events[0]).toMatchObject({ data: { purpose: 'unfreeze' } });
    const locked = run(
      frozen,
      [0, 1, 2, 3, 4].map((m) => unfreezeByUser(m, false)),
    ).history;
    expect(given(locked).when(unfreezeByUser(MINUTE)).code).toBe('PAYMENT_PASSWORD_LOCKED');
    expect(given([registered, frozenBy({ kind: 'user' })]).when(unfreezeByUser(MINUTE)).code).toBe('PAYMENT_PASSWORD_NOT_SET');
  });

  it('records a wrong password sent without the SMS code (kept for the next try), and never unfreezes without one', () => {
    const frozen = [registered, paymentPasswordSet, frozenBy({ kind: 'user' })];
    const withoutCode = (paymentPasswordMatches: boolean): UserCommand => {
      const command = unfreezeByUser(MINUTE, paymentPasswordMatches);
      return command.type === 'UnfreezeAccount' && command.actor.kind === 'user'
        ? { ...command, actor: { ...command.actor, verification: undefined } }
        : command;
    };
    const wrong = given(frozen).when(withoutCode(false));
    expect(wrong.code).toBe('WRONG_PAYMENT_PASSWORD');
    expect(wrong.events.map((event) => event.type)).toEqual([IDENTITY_EVENT.PaymentPasswordVerificationFailed]);
    expect(() => given(frozen).when(withoutCode(true))).toThrow(InvalidIdentityCommand);
  });

  it('requires the second factor on the owner path when enabled', () => {
    const frozen = [registered, paymentPasswordSet, secondFactorEnabled, frozenBy({ kind: 'user' })];
    expect(given(frozen).when(unfreezeByUser(MINUTE)).code).toBe('SECOND_FACTOR_REQUIRED');
    expect(given(frozen).when(unfreezeByUser(MINUTE, true, true)).rejection).toBeUndefined();
  });

  it('answers USER_NOT_FOUND for an unknown user', () => {
    expect(given([]).when(freeze({ kind: 'user' })).code).toBe('USER_NOT_FOUND');
  });
});

describe('User: RaiseRiskAlert', () => {
  const alert = (protect: boolean): UserCommand => ({
    type: 'RaiseRiskAlert',
    userId: USER,
    signal: 'suspicious_transactions',
    severity: 'high',
    description: '12 transfers to new payees in 5 minutes',
    source: 'payments.velocity',
    protect,
    now: at(MINUTE),
  });

  it('records the alert', () => {
    expect(given([registered]).when(alert(false)).events).toEqual([
      {
        type: IDENTITY_EVENT.RiskAlertRaised,
        data: {
          userId: USER,
          signal: 'suspicious_transactions',
          severity: 'high',
          description: '12 transfers to new payees in 5 minutes',
          source: 'payments.velocity',
          at: at(MINUTE),
        },
      },
    ]);
  });

  it('protects the account by freezing it when asked, unless already frozen', () => {
    expect(given([registered]).when(alert(true)).events[1]).toEqual({
      type: IDENTITY_EVENT.AccountFrozen,
      data: { userId: USER, reason: 'risk:suspicious_transactions', actor: { kind: 'risk', ruleId: 'payments.velocity' }, at: at(MINUTE) },
    });
    expect(given([registered, frozenBy({ kind: 'user' })]).when(alert(true)).events).toHaveLength(1);
  });
});

describe('User properties', () => {
  type Step =
    | { kind: 'verify'; matches: boolean; purpose: 'payment' | 'unbind_card'; gapMs: number }
    | { kind: 'login'; passwordValid: boolean; device: 'phone-A' | 'phone-B'; stepUp: boolean; gapMs: number }
    | { kind: 'freeze' | 'unfreeze'; gapMs: number };
  const gapMs = fc.integer({ min: 0, max: 2 * HOUR });
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('verify' as const),
        matches: fc.boolean(),
        purpose: fc.constantFrom('payment' as const, 'unbind_card' as const),
        gapMs,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('login' as const),
        passwordValid: fc.boolean(),
        device: fc.constantFrom('phone-A' as const, 'phone-B' as const),
        stepUp: fc.boolean(),
        gapMs,
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('freeze' as const, 'unfreeze' as const), gapMs }) },
  );

  it('keeps attempts left within [0, max], never passes 5 failures unlocked, and replay rebuilds the same state', () => {
    const decider = createUserDecider();
    fc.assert(
      fc.property(fc.array(step, { maxLength: 50 }), (steps) => {
        let now = 0;
        let history: UserEvent[] = [registered, paymentPasswordSet];
        let current = fold(decider, history);
        for (const s of steps) {
          now += s.gapMs;
          const command: UserCommand =
            s.kind === 'verify'
              ? verify(now, s.matches, s.purpose)
              : s.kind === 'login'
                ? login(now, { passwordValid: s.passwordValid, deviceId: s.device, ...(s.stepUp ? { stepUpCodeValid: true } : {}) })
                : s.kind === 'freeze'
                  ? { type: 'FreezeAccount', userId: USER, reason: 'test', actor: { kind: 'support', agentId: 'a' }, now: at(now) }
                  : {
                      type: 'UnfreezeAccount',
                      userId: USER,
                      actor: { kind: 'support', agentId: 'a', verificationReference: 'r' },
                      now: at(now),
                    };
          const result = given(history).when(command);
          const attemptsLeft = result.details?.['attemptsLeft'];
          if (attemptsLeft !== undefined) {
            expect(attemptsLeft).toBeGreaterThanOrEqual(0);
            expect(attemptsLeft).toBeLessThan(5);
          }
          history = result.history;
          current = result.state;
          const user = state(history);
          if (user.paymentPassword.kind === 'set') expect(user.paymentPassword.consecutiveFailures).toBeLessThan(5);
          expect(user.loginFailures.length).toBeLessThanOrEqual(5);
        }
        expect(fold(decider, history)).toEqual(current);
      }),
      { numRuns: 300 },
    );
  });
});
