import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { identityContract as identity } from '@ledger/contracts';
import { base32Decode, totp } from '@ledger/crypto';
import { testKafka, TopicRecorder } from '@ledger/testing';
import {
  GOOD_LOGIN_PASSWORD,
  GOOD_PAYMENT_PASSWORD,
  expectAccepted,
  expectRejected,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '../../testing/identity-harness';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('identity passwords and second factor over Kafka', () => {
  let h: IdentityHarness;
  let events: TopicRecorder;

  beforeAll(async () => {
    h = await startIdentityHarness('identity_passwords');
    events = await new TopicRecorder(testKafka('identity-passwords-events'), [h.eventsTopic]).start();
  });

  afterAll(async () => {
    await events.stop();
    await h.stop();
  });

  const verify = (userId: string, password: string, purpose: 'payment' | 'bind_card' = 'payment') =>
    h.send(identity.verifyPaymentPassword, { userId, paymentPassword: h.enc('paymentPassword', password), purpose }, 'system:payments');
  const setPaymentPassword = (userId: string, password: string, actor = `user:${userId}`) =>
    h.send(identity.setPaymentPassword, { userId, paymentPassword: h.enc('paymentPassword', password) }, actor);
  const login = (phone: string, password: string, extra: { secondFactorCode?: string; deviceId?: string } = {}) =>
    h.send(identity.login, {
      phone: h.enc('phone', phone),
      loginPassword: h.enc('loginPassword', password),
      deviceId: extra.deviceId ?? 'phone-A',
      ...(extra.secondFactorCode === undefined ? {} : { secondFactorCode: h.enc('secondFactorCode', extra.secondFactorCode) }),
    });
  /** Starts a TOTP enrollment; the authenticator's secret, read from the provisioning URI, and its current code. */
  const enrol = async (userId: string) => {
    const enabled = expectAccepted(await h.send(identity.enableSecondFactor, { userId }, `user:${userId}`));
    const uri = h.dec('provisioningUri', String(enabled['provisioningUri']));
    const secret = base32Decode(/secret=([A-Z2-7]+)/.exec(uri)![1]!);
    return { uri, code: () => totp(secret, h.clock.now().getTime()) };
  };
  const confirm = (userId: string, code: string, commandId?: string) =>
    h.send(
      identity.confirmSecondFactor,
      { userId, secondFactorCode: h.enc('secondFactorCode', code) },
      `user:${userId}`,
      commandId === undefined ? {} : { commandId },
    );
  const recoveryCodesOf = (confirmed: Record<string, unknown>): string[] =>
    JSON.parse(h.dec('recoveryCodes', String(confirmed['recoveryCodes']))) as string[];

  it('locks the payment password after 5 wrong tries with the unlock time, and opens again after it', async () => {
    const userId = await h.register(randomPhone());
    expectRejected(await verify(userId, GOOD_PAYMENT_PASSWORD), 'PAYMENT_PASSWORD_NOT_SET');
    expect(expectRejected(await setPaymentPassword(userId, '123456'), 'WEAK_PASSWORD').details).toMatchObject({
      rule: 'sequential_digits',
      field: 'paymentPassword',
    });
    expectRejected(await setPaymentPassword(userId, GOOD_PAYMENT_PASSWORD, 'user:somebody-else'), 'FORBIDDEN');
    expectAccepted(await setPaymentPassword(userId, GOOD_PAYMENT_PASSWORD));
    expectRejected(await setPaymentPassword(userId, '351864'), 'PAYMENT_PASSWORD_ALREADY_SET');

    for (let attemptsLeft = 4; attemptsLeft >= 1; attemptsLeft--) {
      expect(expectRejected(await verify(userId, '111222'), 'WRONG_PAYMENT_PASSWORD').details).toEqual({ attemptsLeft });
    }
    const lockedUntil = new Date(h.clock.now().getTime() + 3 * HOUR).toISOString();
    expect(expectRejected(await verify(userId, '111222'), 'PAYMENT_PASSWORD_LOCKED').details).toEqual({ lockedUntil, attemptsLeft: 0 });
    // Even the right password is refused while locked.
    expect(expectRejected(await verify(userId, GOOD_PAYMENT_PASSWORD), 'PAYMENT_PASSWORD_LOCKED').details).toEqual({ lockedUntil });
    await events.waitFor(
      (m) =>
        m.message.headers?.['message-type']?.toString() === identity.EVENT_TYPES.PaymentPasswordLocked &&
        m.message.key?.toString() === `user-${userId}`,
    );
    await events.waitFor(
      (m) =>
        m.message.headers?.['message-type']?.toString() === identity.EVENT_TYPES.RiskAlertRaised &&
        m.message.key?.toString() === `user-${userId}`,
    );

    h.clock.advance(3 * HOUR);
    expectAccepted(await verify(userId, GOOD_PAYMENT_PASSWORD));
    expectRejected(await verify(randomUUID(), GOOD_PAYMENT_PASSWORD), 'USER_NOT_FOUND');
  });

  it('resets a forgotten payment password with an SMS code, lifting the lock; a used code is refused', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone);
    expectAccepted(await setPaymentPassword(userId, GOOD_PAYMENT_PASSWORD));
    for (let i = 0; i < 5; i++) await verify(userId, '111222');
    expectRejected(await verify(userId, GOOD_PAYMENT_PASSWORD), 'PAYMENT_PASSWORD_LOCKED');

    expectAccepted(await h.send(identity.requestVerificationCode, { phone: h.enc('phone', phone), purpose: 'payment_password_reset' }));
    const code = h.latestCode(phone);
    const reset = (newPassword: string) =>
      h.send(identity.resetPaymentPassword, {
        phone: h.enc('phone', phone),
        code: h.enc('code', code),
        newPaymentPassword: h.enc('newPaymentPassword', newPassword),
      });
    expectRejected(await reset('000000'), 'WEAK_PASSWORD');
    expectAccepted(await reset('570318'));
    expectAccepted(await verify(userId, '570318'));
    expectRejected(await reset('640271'), 'CODE_ALREADY_USED');
  });

  it('changes the payment password only with the old one', async () => {
    const userId = await h.register(randomPhone());
    const change = (old: string, next: string) =>
      h.send(
        identity.changePaymentPassword,
        { userId, paymentPassword: h.enc('paymentPassword', old), newPaymentPassword: h.enc('newPaymentPassword', next) },
        `user:${userId}`,
      );
    expectRejected(await change(GOOD_PAYMENT_PASSWORD, '570318'), 'PAYMENT_PASSWORD_NOT_SET');
    expectAccepted(await setPaymentPassword(userId, GOOD_PAYMENT_PASSWORD));
    expect(expectRejected(await change('111222', '570318'), 'WRONG_PAYMENT_PASSWORD').details).toEqual({ attemptsLeft: 4 });
    expectAccepted(await change(GOOD_PAYMENT_PASSWORD, '570318'));
    expectAccepted(await verify(userId, '570318'));
  });

  it('locks login after 5 wrong passwords, raises a risk alert, and changes the login password', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone, GOOD_LOGIN_PASSWORD, { deviceId: 'phone-A' });
    expectAccepted(await login(phone, GOOD_LOGIN_PASSWORD));
    for (let attemptsLeft = 4; attemptsLeft >= 1; attemptsLeft--) {
      expect(expectRejected(await login(phone, 'Wrong2026pass'), 'INVALID_CREDENTIALS').details).toEqual({ attemptsLeft });
    }
    const until = new Date(h.clock.now().getTime() + 30 * MINUTE).toISOString();
    expect(expectRejected(await login(phone, 'Wrong2026pass'), 'LOGIN_LOCKED').details).toEqual({ until, attemptsLeft: 0 });
    expectRejected(await login(phone, GOOD_LOGIN_PASSWORD), 'LOGIN_LOCKED');
    const alert = await events.waitFor(
      (m) =>
        m.message.headers?.['message-type']?.toString() === identity.EVENT_TYPES.RiskAlertRaised &&
        m.message.key?.toString() === `user-${userId}`,
    );
    expect(JSON.parse(alert.message.value!.toString())).toMatchObject({ signal: 'repeated_login_failures', userId });

    h.clock.advance(30 * MINUTE);
    const change = (current: string, next: string, actor = `user:${userId}`) =>
      h.send(
        identity.changeLoginPassword,
        { userId, loginPassword: h.enc('loginPassword', current), newLoginPassword: h.enc('newLoginPassword', next) },
        actor,
      );
    expectRejected(await change(GOOD_LOGIN_PASSWORD, 'NewPass2027', 'support:agent-1'), 'FORBIDDEN');
    expectRejected(await change(GOOD_LOGIN_PASSWORD, 'short1'), 'WEAK_PASSWORD');
    expect(expectRejected(await change('Wrong2026pass', 'NewPass2027'), 'INVALID_CREDENTIALS').details).toEqual({ attemptsLeft: 4 });
    expectAccepted(await change(GOOD_LOGIN_PASSWORD, 'NewPass2027'));
    expectRejected(await login(phone, GOOD_LOGIN_PASSWORD), 'INVALID_CREDENTIALS');
    expectAccepted(await login(phone, 'NewPass2027'));
  });

  it('enables TOTP once confirmed, requires it on login and sensitive operations, locks after 5 wrong codes, and support can reset it', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone, GOOD_LOGIN_PASSWORD, { deviceId: 'phone-A' });
    const me = `user:${userId}`;
    const { uri, code: now } = await enrol(userId);
    expect(uri).toMatch(/^otpauth:\/\/totp\/ICBC%20e-Wallet:13\d\*{4}\d{4}\?secret=[A-Z2-7]+&/);
    const wrong = () => String((Number(now()) + 500_000) % 1_000_000).padStart(6, '0');
    expectAccepted(await confirm(userId, now()));
    expectRejected(await h.send(identity.enableSecondFactor, { userId }, me), 'SECOND_FACTOR_ALREADY_ENABLED');

    expect(expectRejected(await login(phone, GOOD_LOGIN_PASSWORD), 'SECOND_FACTOR_REQUIRED').details).toEqual({ operation: 'login' });
    expect(expectRejected(await login(phone, GOOD_LOGIN_PASSWORD, { secondFactorCode: wrong() }), 'INVALID_SECOND_FACTOR').details).toEqual(
      { attemptsLeft: 4 },
    );
    expectAccepted(await login(phone, GOOD_LOGIN_PASSWORD, { secondFactorCode: now() }));
    expectRejected(await setPaymentPassword(userId, GOOD_PAYMENT_PASSWORD), 'SECOND_FACTOR_REQUIRED');

    const disable = (code?: string) =>
      h.send(
        identity.disableSecondFactor,
        { userId, ...(code === undefined ? {} : { secondFactorCode: h.enc('secondFactorCode', code) }) },
        me,
      );
    expectAccepted(await disable(now()));
    expectRejected(await disable(now()), 'SECOND_FACTOR_NOT_ENABLED');

    const again = await enrol(userId);
    expectAccepted(await confirm(userId, again.code()));
    h.clock.advance(16 * MINUTE); // past the failure window of the earlier wrong code
    for (let attemptsLeft = 4; attemptsLeft >= 1; attemptsLeft--)
      expect(expectRejected(await disable(wrong()), 'INVALID_SECOND_FACTOR').details).toEqual({ attemptsLeft });
    expectRejected(await disable(wrong()), 'SECOND_FACTOR_LOCKED');
    expectRejected(await disable(), 'SECOND_FACTOR_LOCKED');

    const resetByUser = await h.send(identity.resetSecondFactor, { userId, verificationReference: 'ticket-1' }, me);
    expectRejected(resetByUser, 'FORBIDDEN');
    expectAccepted(await h.send(identity.resetSecondFactor, { userId, verificationReference: 'call-95588-0001' }, 'support:agent-9'));
    expectAccepted(await login(phone, GOOD_LOGIN_PASSWORD));
  });
  it('turns TOTP on only at confirmation, with recovery codes that each pass a protected operation once', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone, GOOD_LOGIN_PASSWORD, { deviceId: 'phone-A' });
    const first = await enrol(userId);
    // The user mistyped the first secret into the app: enrolling again replaces it.
    const second = await enrol(userId);
    expect(second.uri).not.toBe(first.uri);
    expectRejected(await confirm(userId, first.code()), 'SECOND_FACTOR_CODE_INVALID');
    // Pending: nothing asks for a code yet, and the refused confirmation counted toward no lock.
    expectAccepted(await login(phone, GOOD_LOGIN_PASSWORD));

    const commandId = `confirm-${randomUUID()}`;
    const confirmed = expectAccepted(await confirm(userId, second.code(), commandId));
    expect(confirmed).toMatchObject({ userId, enabledAt: h.clock.now().toISOString(), recoveryCodesLeft: 10 });
    const codes = recoveryCodesOf(confirmed);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
    // A re-delivered confirmation answers the codes whose hashes its first delivery stored.
    expect(recoveryCodesOf(expectAccepted(await confirm(userId, second.code(), commandId)))).toEqual(codes);
    expectRejected(await confirm(userId, second.code()), 'SECOND_FACTOR_NOT_PENDING');
    expectRejected(await login(phone, GOOD_LOGIN_PASSWORD), 'SECOND_FACTOR_REQUIRED');

    // A recovery code stands in for the dynamic code once, then is a wrong code like any other.
    expectAccepted(await login(phone, GOOD_LOGIN_PASSWORD, { secondFactorCode: codes[0]! }));
    expect(
      expectRejected(await login(phone, GOOD_LOGIN_PASSWORD, { secondFactorCode: codes[0]! }), 'INVALID_SECOND_FACTOR').details,
    ).toEqual({
      attemptsLeft: 4,
    });
    const setPaymentPasswordWith = (secondFactorCode: string) =>
      h.send(
        identity.setPaymentPassword,
        {
          userId,
          paymentPassword: h.enc('paymentPassword', GOOD_PAYMENT_PASSWORD),
          secondFactorCode: h.enc('secondFactorCode', secondFactorCode),
        },
        `user:${userId}`,
      );
    expectRejected(await setPaymentPasswordWith(codes[0]!), 'INVALID_SECOND_FACTOR');
    // Another one works there, typed in capitals as people copy them.
    expectAccepted(await setPaymentPasswordWith(codes[1]!.toUpperCase()));

    const published = await events.waitFor(
      (m) =>
        m.message.headers?.['message-type']?.toString() === 'identity.RecoveryCodeUsed.v1' &&
        m.message.key?.toString() === `user-${userId}`,
    );
    // Published without the hashes: a hash on a shared topic is one more copy to protect.
    expect(JSON.parse(published.message.value!.toString())).toEqual({ userId, codesLeft: 9, at: expect.any(String) });
    const enabled = await events.waitFor(
      (m) =>
        m.message.headers?.['message-type']?.toString() === 'identity.SecondFactorEnabled.v1' &&
        m.message.key?.toString() === `user-${userId}`,
    );
    expect(JSON.parse(enabled.message.value!.toString())).toEqual({ userId, at: expect.any(String) });
  });
});
