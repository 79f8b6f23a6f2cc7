import { at, givenWhenThen, MINUTE } from '../test/given-when-then';
import { IDENTITY_EVENT, type PaymentPasswordPurpose, type UserEvent } from './events';
import { DEFAULT_IDENTITY_POLICY } from './policy';
import { createUserDecider, userDecider, type SecondFactorCheck, type UserCommand, type UserState } from './user';

/**
 * Once the second factor is on it protects money and cards: a payment-password check asks for a
 * dynamic code above the threshold (¥500 by default), for binding and unbinding a card, and from a
 * device the user has never paid from. The frozen check and the password come first, so a wrong
 * password never costs a dynamic-code attempt; with the factor off nothing changes.
 */
const USER = 'u-1';
const SECRET = 'enc:v1:k1:totp';
const HASHES = ['hs256:p1:code-a', 'hs256:p1:code-b'];
const given = givenWhenThen(userDecider);

const registered: UserEvent = {
  type: IDENTITY_EVENT.UserRegistered,
  data: {
    userId: USER,
    phoneHash: 'k1.phone',
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
const passwordSet: UserEvent = {
  type: IDENTITY_EVENT.PaymentPasswordSet,
  data: { userId: USER, paymentPasswordHash: 'hs256:p1:pw', at: at(0) },
};
const enrollmentStarted: UserEvent = {
  type: IDENTITY_EVENT.SecondFactorEnrollmentStarted,
  data: { userId: USER, secretCiphertext: SECRET, at: at(0) },
};
const factorEnabled: UserEvent = {
  type: IDENTITY_EVENT.SecondFactorEnabled,
  data: { userId: USER, secretCiphertext: SECRET, recoveryCodeHashes: HASHES, at: at(0) },
};
const factorOff = [registered, passwordSet];
const factorOn = [registered, passwordSet, enrollmentStarted, factorEnabled];
const frozen: UserEvent = {
  type: IDENTITY_EVENT.AccountFrozen,
  data: { userId: USER, reason: 'lost_phone', actor: { kind: 'user' }, at: at(0) },
};

type Verify = Extract<UserCommand, { type: 'VerifyPaymentPassword' }>;
/** A payment of ¥600 (above the default threshold) from a known device with the right password and no code, unless overridden. */
const verify = (overrides: Partial<Omit<Verify, 'type'>> = {}): UserCommand => ({
  type: 'VerifyPaymentPassword',
  userId: USER,
  purpose: 'payment',
  matches: true,
  amountMinor: 60_000n,
  now: at(MINUTE),
  ...overrides,
});
const valid: SecondFactorCheck = { valid: true };
const wrong: SecondFactorCheck = { valid: false };

/** The wrong dynamic codes counted toward the lock. */
const failuresOf = (state: UserState): string[] =>
  state.status === 'registered' && state.secondFactor.kind === 'enabled' ? state.secondFactor.failures : [];

describe('User: VerifyPaymentPassword with the second factor on', () => {
  it('given the factor on, when a payment above the threshold comes without a code, then SECOND_FACTOR_REQUIRED and nothing recorded', () => {
    const result = given(factorOn).when(verify());
    expect(result.code).toBe('SECOND_FACTOR_REQUIRED');
    expect(result.details).toEqual({ operation: 'payment' });
    expect(result.events).toEqual([]);
  });

  it('given the factor on, when a payment above the threshold comes with a valid code, then it is verified without recording anything', () => {
    const result = given(factorOn).when(verify({ secondFactor: valid }));
    expect(result.rejection).toBeUndefined();
    expect(result.events).toEqual([]);
  });

  it('given the factor on, when a recovery code stands in for the dynamic code, then it is verified and the code retired', () => {
    const result = given(factorOn).when(verify({ secondFactor: { valid: true, recoveryCodeHash: 'hs256:p1:code-b' } }));
    expect(result.rejection).toBeUndefined();
    expect(result.events).toEqual([
      { type: IDENTITY_EVENT.RecoveryCodeUsed, data: { userId: USER, codeHash: 'hs256:p1:code-b', codesLeft: 1, at: at(MINUTE) } },
    ]);
    // Used once, it is a wrong code the next time.
    expect(given(result.history).when(verify({ secondFactor: { valid: true, recoveryCodeHash: 'hs256:p1:code-b' } })).code).toBe(
      'INVALID_SECOND_FACTOR',
    );
  });

  it.each([
    ['at the threshold', DEFAULT_IDENTITY_POLICY.secondFactorAboveMinor],
    ['below the threshold', 1_250n],
  ])(
    'given the factor on, when a payment %s comes from a known device without a code, then the password alone verifies it',
    (_, amountMinor) => {
      for (const purpose of ['payment', 'transfer', 'withdrawal'] as const) {
        const result = given(factorOn).when(verify({ purpose, amountMinor }));
        expect(result.rejection).toBeUndefined();
        expect(result.events).toEqual([]);
      }
    },
  );

  it.each(['bind_card', 'unbind_card'] as const)(
    'given the factor on, when %s is checked, then it needs the code whatever the amount',
    (purpose: PaymentPasswordPurpose) => {
      const result = given(factorOn).when(verify({ purpose, amountMinor: undefined }));
      expect(result.code).toBe('SECOND_FACTOR_REQUIRED');
      expect(result.details).toEqual({ operation: purpose });
      expect(given(factorOn).when(verify({ purpose, secondFactor: valid })).rejection).toBeUndefined();
    },
  );

  it('given the factor on, when a small payment comes from a new device, then it needs the code; with one it is verified', () => {
    expect(given(factorOn).when(verify({ amountMinor: 100n, newDevice: true })).code).toBe('SECOND_FACTOR_REQUIRED');
    expect(given(factorOn).when(verify({ amountMinor: 100n, newDevice: true, secondFactor: valid })).rejection).toBeUndefined();
    expect(given(factorOn).when(verify({ amountMinor: 100n, newDevice: false })).rejection).toBeUndefined();
  });

  it('given the factor on, when a money-moving check does not say its amount, then it counts as above the threshold', () => {
    expect(given(factorOn).when(verify({ amountMinor: undefined })).code).toBe('SECOND_FACTOR_REQUIRED');
    // Purposes that move no money and name no card keep to the password.
    expect(given(factorOn).when(verify({ purpose: 'change_payment_password', amountMinor: undefined })).rejection).toBeUndefined();
  });

  it('given the factor on, when the password is wrong, then WRONG_PAYMENT_PASSWORD and no second-factor failure is recorded', () => {
    for (const secondFactor of [undefined, wrong, valid]) {
      const result = given(factorOn).when(verify({ matches: false, ...(secondFactor === undefined ? {} : { secondFactor }) }));
      expect(result.code).toBe('WRONG_PAYMENT_PASSWORD');
      expect(result.details).toEqual({ attemptsLeft: 4 });
      expect(result.events.map((event) => event.type)).toEqual([IDENTITY_EVENT.PaymentPasswordVerificationFailed]);
      expect(failuresOf(result.state)).toEqual([]);
    }
  });

  it('given the factor on, when the code is wrong, then INVALID_SECOND_FACTOR is recorded and five lock the factor', () => {
    const first = given(factorOn).when(verify({ secondFactor: wrong }));
    expect(first.code).toBe('INVALID_SECOND_FACTOR');
    expect(first.details).toEqual({ attemptsLeft: 4 });
    expect(first.events).toEqual([
      {
        type: IDENTITY_EVENT.SecondFactorFailed,
        data: { userId: USER, operation: 'payment', failuresInWindow: 1, attemptsLeft: 4, at: at(MINUTE) },
      },
    ]);
    let history = first.history;
    for (let attempt = 2; attempt <= 5; attempt++)
      history = given(history).when(verify({ secondFactor: wrong, now: at(MINUTE + attempt * 1_000) })).history;
    const locked = given(history).when(verify({ secondFactor: valid, now: at(2 * MINUTE) }));
    expect(locked.code).toBe('SECOND_FACTOR_LOCKED');
    // The lock stops only what asks for the factor: a small payment from a known device still goes through.
    expect(given(history).when(verify({ amountMinor: 100n, now: at(2 * MINUTE) })).rejection).toBeUndefined();
  });

  it('given a frozen account with the factor on, when a payment is checked, then ACCOUNT_FROZEN comes first', () => {
    expect(given([...factorOn, frozen]).when(verify()).code).toBe('ACCOUNT_FROZEN');
  });

  it('given earlier wrong passwords, when the password and the code pass, then the failures are cleared as before', () => {
    const failed = given(factorOn).when(verify({ matches: false })).history;
    const result = given(failed).when(verify({ secondFactor: valid }));
    expect(result.events).toEqual([
      { type: IDENTITY_EVENT.PaymentPasswordVerified, data: { userId: USER, purpose: 'payment', clearedFailures: 1, at: at(MINUTE) } },
    ]);
  });

  it('follows the configured threshold', () => {
    const strict = givenWhenThen(createUserDecider({ ...DEFAULT_IDENTITY_POLICY, secondFactorAboveMinor: 1_000n }));
    expect(strict(factorOn).when(verify({ amountMinor: 1_001n })).code).toBe('SECOND_FACTOR_REQUIRED');
    expect(strict(factorOn).when(verify({ amountMinor: 1_000n })).rejection).toBeUndefined();
  });
});

describe('User: VerifyPaymentPassword with the second factor off or pending', () => {
  it.each([
    ['off', factorOff],
    ['pending', [...factorOff, enrollmentStarted]],
  ])('given the factor %s, then large payments, cards and new devices keep to the password alone', (_, history) => {
    for (const command of [
      verify({ amountMinor: 10_000_000n }),
      verify({ purpose: 'bind_card', amountMinor: undefined }),
      verify({ purpose: 'unbind_card', amountMinor: undefined }),
      verify({ amountMinor: 100n, newDevice: true }),
    ]) {
      const result = given(history).when(command);
      expect(result.rejection).toBeUndefined();
      expect(result.events).toEqual([]);
    }
    expect(given(history).when(verify({ matches: false })).code).toBe('WRONG_PAYMENT_PASSWORD');
  });
});

describe('User: VerifySecondFactor (binding a card)', () => {
  const check = (secondFactor?: SecondFactorCheck): UserCommand => ({
    type: 'VerifySecondFactor',
    userId: USER,
    purpose: 'bind_card',
    now: at(MINUTE),
    ...(secondFactor === undefined ? {} : { secondFactor }),
  });

  it('given the factor off or pending, then it is accepted without a code and records nothing', () => {
    expect(given([registered]).when(check())).toMatchObject({ rejection: undefined, events: [] });
    expect(given([registered, enrollmentStarted]).when(check())).toMatchObject({ rejection: undefined, events: [] });
  });

  it('given the factor on, then a missing code is SECOND_FACTOR_REQUIRED, a wrong one recorded, a valid one accepted', () => {
    const missing = given(factorOn).when(check());
    expect(missing.code).toBe('SECOND_FACTOR_REQUIRED');
    expect(missing.details).toEqual({ operation: 'bind_card' });
    const bad = given(factorOn).when(check(wrong));
    expect(bad.code).toBe('INVALID_SECOND_FACTOR');
    expect(bad.events).toMatchObject([{ type: IDENTITY_EVENT.SecondFactorFailed, data: { operation: 'bind_card', attemptsLeft: 4 } }]);
    expect(given(factorOn).when(check(valid))).toMatchObject({ rejection: undefined, events: [] });
    expect(
      given(factorOn)
        .when(check({ valid: true, recoveryCodeHash: 'hs256:p1:code-a' }))
        .events.map((event) => event.type),
    ).toEqual([IDENTITY_EVENT.RecoveryCodeUsed]);
  });

  it('given an unknown user, then USER_NOT_FOUND', () => {
    expect(given([]).when(check()).code).toBe('USER_NOT_FOUND');
  });
});
