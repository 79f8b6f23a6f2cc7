import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { identityContract as identity } from '@ledger/contracts';
import { DEFAULT_PARTNER_RETRY } from '@ledger/partners-http';
import {
  GOOD_LOGIN_PASSWORD,
  expectAccepted,
  expectRejected,
  randomIdNumber,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '../../testing/identity-harness';

const MINUTE = 60_000;

describe('identity registration over Kafka: uniqueness, codes, maintenance', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await startIdentityHarness('identity_registration');
  });

  afterAll(async () => {
    await h.stop();
  });

  const requestCode = (phone: string) =>
    h.send(identity.requestVerificationCode, { phone: h.enc('phone', phone), purpose: 'registration' });
  const register = (phone: string, code: string, loginPassword = GOOD_LOGIN_PASSWORD, options: { key?: string } = {}) =>
    h.send(
      identity.registerUser,
      {
        phone: h.enc('phone', phone),
        code: h.enc('code', code),
        loginPassword: h.enc('loginPassword', loginPassword),
        name: h.enc('name', '王五'),
      },
      'anonymous',
      options,
    );
  /** A code that is certainly not the one sent. */
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('lets exactly one of 20 concurrent registrations of one phone succeed; the others get PHONE_ALREADY_REGISTERED', async () => {
    const phone = randomPhone();
    expectAccepted(await requestCode(phone));
    const code = h.latestCode(phone);
    // Different keys spread the commands over partitions, so the service really handles them concurrently.
    const results = await Promise.all(Array.from({ length: 20 }, () => register(phone, code, GOOD_LOGIN_PASSWORD, { key: randomUUID() })));
    const winners = results.filter((result) => result.status === 'accepted');
    const losers = results.filter((result) => result.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const loser of losers) expect(loser).toMatchObject({ code: 'PHONE_ALREADY_REGISTERED' });
    // And no new code is sent for a registered number.
    expectRejected(await requestCode(phone), 'PHONE_ALREADY_REGISTERED');
  });

  it('sends the code through the SMS gateway over HTTP, signed; when the gateway does not take it, answers SMS_UNAVAILABLE with when to ask again', async () => {
    const phone = randomPhone();
    expectAccepted(await requestCode(phone));
    expect(h.partners.sms.messagesTo(phone)).toEqual([expect.objectContaining({ to: phone, text: expect.stringMatching(/\d{6}/) })]);
    expect(h.partners.refusedSignatures.size).toBe(0);

    const unlucky = randomPhone();
    // Every attempt of the adapter's bounded retries is refused.
    h.partners.faults.arm('sms', { mode: 'unavailable' }, { count: DEFAULT_PARTNER_RETRY.attempts });
    const refused = expectRejected(await requestCode(unlucky), 'SMS_UNAVAILABLE');
    expect(refused.details).toEqual({ retryAt: expect.any(String) });
    expect(refused.message).not.toMatch(/127\.0\.0\.1|ECONN/);
    expect(h.partners.sms.messagesTo(unlucky)).toEqual([]);
    // Once the cooldown has passed, asking again sends a code.
    h.clock.advance(MINUTE + 1);
    expectAccepted(await requestCode(unlucky));
    expect(h.latestCode(unlucky)).toMatch(/^\d{6}$/);
  });

  it('answers a re-delivered registration (same command id) with the original user', async () => {
    const phone = randomPhone();
    expectAccepted(await requestCode(phone));
    const code = h.latestCode(phone);
    const commandId = randomUUID();
    const payload = {
      phone: h.enc('phone', phone),
      code: h.enc('code', code),
      loginPassword: h.enc('loginPassword', GOOD_LOGIN_PASSWORD),
      name: h.enc('name', '赵六'),
    };
    const first = expectAccepted(await h.send(identity.registerUser, payload, 'anonymous', { commandId }));
    const again = expectAccepted(await h.send(identity.registerUser, payload, 'anonymous', { commandId }));
    expect(again).toEqual(first);
  });

  it('stops a code brute force after the limit: the right code no longer works, a new code does', async () => {
    const phone = randomPhone();
    expectAccepted(await requestCode(phone));
    const code = h.latestCode(phone);
    for (let attemptsLeft = 4; attemptsLeft >= 0; attemptsLeft--) {
      expect(expectRejected(await register(phone, wrong(code)), 'INVALID_CODE').details).toEqual({ attemptsLeft });
    }
    expectRejected(await register(phone, code), 'CODE_ATTEMPTS_EXHAUSTED');
    expectRejected(await requestCode(phone), 'RESEND_TOO_SOON');
    h.clock.advance(MINUTE + 1);
    expectAccepted(await requestCode(phone));
    expectAccepted(await register(phone, h.latestCode(phone)));
  });

  it('enforces the resend cooldown and the hourly cap, and a resend replaces the old code', async () => {
    const phone = randomPhone();
    expectAccepted(await requestCode(phone));
    const first = h.latestCode(phone);
    const tooSoon = expectRejected(await requestCode(phone), 'RESEND_TOO_SOON');
    expect(tooSoon.details).toMatchObject({ retryAfterMs: MINUTE });
    for (let sent = 2; sent <= 5; sent++) {
      h.clock.advance(MINUTE + 1);
      expectAccepted(await requestCode(phone));
    }
    h.clock.advance(MINUTE + 1);
    expect(expectRejected(await requestCode(phone), 'TOO_MANY_CODES').details).toMatchObject({ maxCodesPerWindow: 5 });
    const latest = h.latestCode(phone);
    if (latest !== first) expectRejected(await register(phone, first), 'INVALID_CODE');
    expectAccepted(await register(phone, latest));
  });

  it('refuses an expired code and a code never requested', async () => {
    const phone = randomPhone();
    expectRejected(await register(phone, '123456'), 'CODE_NOT_REQUESTED');
    expectAccepted(await requestCode(phone));
    h.clock.advance(5 * MINUTE + 1);
    expectRejected(await register(phone, h.latestCode(phone)), 'CODE_EXPIRED');
  });

  it('refuses a weak login password before using the code, and an invalid phone or ID number', async () => {
    const phone = randomPhone();
    expectAccepted(await requestCode(phone));
    const code = h.latestCode(phone);
    expect(expectRejected(await register(phone, code, 'password1'), 'WEAK_PASSWORD').details).toMatchObject({
      rule: 'common_password',
      field: 'loginPassword',
    });
    expect(expectRejected(await register(phone, code, `a${phone}`), 'WEAK_PASSWORD').details).toMatchObject({ rule: 'contains_phone' });
    expect(expectRejected(await register(phone, code, 'onlyletters'), 'WEAK_PASSWORD').details).toMatchObject({
      rule: 'letters_and_digits',
    });
    expect(expectRejected(await register('10012345678', code), 'INVALID_INPUT').details).toEqual({ field: 'phone' });
    const badId = await h.send(identity.registerUser, {
      phone: h.enc('phone', phone),
      code: h.enc('code', code),
      loginPassword: h.enc('loginPassword', GOOD_LOGIN_PASSWORD),
      name: h.enc('name', 'x'),
      idNumber: h.enc('idNumber', '110105199001011230'),
    });
    expect(expectRejected(badId, 'INVALID_INPUT').details).toEqual({ field: 'idNumber' });
    // The code is still good: nothing above used it.
    expectAccepted(await register(phone, code));
    expectRejected(await register(phone, code), 'PHONE_ALREADY_REGISTERED');
  });

  it('verifies the identity of a user who registered without an ID number once, only for themself, and only with a valid number', async () => {
    const userId = await h.register(randomPhone());
    const other = await h.register(randomPhone());
    const verify = (idNumber: string, actor = `user:${userId}`) =>
      h.send(identity.verifyIdentity, { userId, idNumber: h.enc('idNumber', idNumber) }, actor, { key: userId });
    expect(expectRejected(await verify('110105199001011230'), 'INVALID_INPUT').details).toEqual({ field: 'idNumber' });
    expectRejected(await verify(randomIdNumber(), `user:${other}`), 'FORBIDDEN');
    expect(expectAccepted(await verify(randomIdNumber()))).toEqual({ userId, identityLevel: 'verified' });
    expectRejected(await verify(randomIdNumber()), 'IDENTITY_ALREADY_VERIFIED');
    // A user registered with a number is verified from the start.
    const verifiedAtOnce = await h.register(randomPhone(), undefined, { idNumber: randomIdNumber() });
    expectRejected(
      await h.send(
        identity.verifyIdentity,
        { userId: verifiedAtOnce, idNumber: h.enc('idNumber', randomIdNumber()) },
        `user:${verifiedAtOnce}`,
        {
          key: verifiedAtOnce,
        },
      ),
      'IDENTITY_ALREADY_VERIFIED',
    );
  });

  it('refuses registration with SYSTEM_MAINTENANCE and the end time during a maintenance window', async () => {
    const until = new Date(h.clock.now().getTime() + 30 * MINUTE).toISOString();
    const window = { on: true as const, until, message: '系统维护中 (maintenance)' };
    expectRejected(await h.send(identity.setMaintenanceMode, window, 'user:someone'), 'FORBIDDEN');
    expect(expectAccepted(await h.send(identity.setMaintenanceMode, window, 'support:agent-7'))).toEqual({
      on: true,
      until,
      message: window.message,
    });
    const phone = randomPhone();
    expectAccepted(await requestCode(phone));
    const code = h.latestCode(phone);
    const refused = expectRejected(await register(phone, code), 'SYSTEM_MAINTENANCE');
    expect(refused.details).toEqual({ until, retryAfterMs: 30 * MINUTE, message: window.message });
    expectRejected(
      await h.send(
        identity.setMaintenanceMode,
        { on: true, until: new Date(h.clock.now().getTime() - 1).toISOString(), message: 'x' },
        'support:agent-7',
      ),
      'INVALID_INPUT',
    );
    expect(expectAccepted(await h.send(identity.setMaintenanceMode, { on: false }, 'support:agent-7'))).toEqual({ on: false });
    expectAccepted(await register(phone, code));
  });
});
