import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { identityContract as identity } from '@ledger/contracts';
import {
  GOOD_LOGIN_PASSWORD,
  expectAccepted,
  expectRejected,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '../../testing/identity-harness';

const MINUTE = 60_000;

/** identity.VerifyStepUpCode.v1 over Kafka: a payment's SMS step-up from a new device. */
describe('identity step-up code verification for payments', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await startIdentityHarness('identity_step_up');
  });

  afterAll(async () => {
    await h.stop();
  });

  const requestCode = async (phone: string): Promise<string> => {
    expectAccepted(
      await h.send(identity.requestVerificationCode, { phone: h.enc('phone', phone), purpose: 'login_step_up' }, 'anonymous', {
        key: h.phoneKey(phone),
      }),
    );
    return h.latestCode(phone);
  };
  const verifyStepUp = (userId: string, code: string, deviceId = 'phone-B', actor = 'system:payments') =>
    h.send(identity.verifyStepUpCode, { userId, deviceId, stepUpCode: h.enc('stepUpCode', code) }, actor, { key: userId });
  const loginFrom = (phone: string, deviceId: string) =>
    h.send(
      identity.login,
      { phone: h.enc('phone', phone), loginPassword: h.enc('loginPassword', GOOD_LOGIN_PASSWORD), deviceId },
      'anonymous',
      { key: h.phoneKey(phone) },
    );
  const otherThan = (code: string): string => (code === '000000' ? '111111' : '000000');

  it('a valid code is accepted once and makes the device known; the same code again is CODE_ALREADY_USED', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone, GOOD_LOGIN_PASSWORD, { deviceId: 'phone-A' });
    expectRejected(await loginFrom(phone, 'phone-B'), 'STEP_UP_REQUIRED');
    const code = await requestCode(phone);

    expect(expectAccepted(await verifyStepUp(userId, code))).toEqual({ verified: true, userId, deviceId: 'phone-B' });
    // Known now: a login from the device needs no step-up.
    expect(expectAccepted(await loginFrom(phone, 'phone-B'))).toMatchObject({ newDevice: false });
    // One use: the code cannot make another device known.
    expectRejected(await verifyStepUp(userId, code, 'phone-C'), 'CODE_ALREADY_USED');
    expectRejected(await loginFrom(phone, 'phone-C'), 'STEP_UP_REQUIRED');
  });

  it('a re-delivered command (same command id) gets the same answer without a second code', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone);
    const code = await requestCode(phone);
    const commandId = randomUUID();
    const send = () =>
      h.send(identity.verifyStepUpCode, { userId, deviceId: 'phone-D', stepUpCode: h.enc('stepUpCode', code) }, 'system:payments', {
        key: userId,
        commandId,
      });
    expectAccepted(await send());
    expect(expectAccepted(await send())).toEqual({ verified: true, userId, deviceId: 'phone-D' });
  });

  it('a wrong code is INVALID_CODE and counts an attempt; after the attempts are used up even the right code is refused', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone);
    const code = await requestCode(phone);
    for (let attemptsLeft = 4; attemptsLeft >= 0; attemptsLeft--) {
      expect(expectRejected(await verifyStepUp(userId, otherThan(code)), 'INVALID_CODE').details).toEqual({ attemptsLeft });
    }
    expectRejected(await verifyStepUp(userId, code), 'CODE_ATTEMPTS_EXHAUSTED');
    // Nothing was recorded as known.
    expectRejected(await loginFrom(phone, 'phone-B'), 'STEP_UP_REQUIRED');
  });

  it('an expired code is CODE_EXPIRED; no code asked for is CODE_NOT_REQUESTED', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone);
    expectRejected(await verifyStepUp(userId, '123456'), 'CODE_NOT_REQUESTED');
    const code = await requestCode(phone);
    h.clock.advance(6 * MINUTE);
    expectRejected(await verifyStepUp(userId, code), 'CODE_EXPIRED');
    expectRejected(await loginFrom(phone, 'phone-B'), 'STEP_UP_REQUIRED');
  });

  it('refuses another user (FORBIDDEN), an unknown user (USER_NOT_FOUND) and a code that does not decrypt (INVALID_INPUT)', async () => {
    const phone = randomPhone();
    const userId = await h.register(phone);
    const code = await requestCode(phone);
    expectRejected(await verifyStepUp(userId, code, 'phone-B', 'user:somebody-else'), 'FORBIDDEN');
    expectRejected(await verifyStepUp(randomUUID(), code), 'USER_NOT_FOUND');
    expectRejected(
      await h.send(identity.verifyStepUpCode, { userId, deviceId: 'phone-B', stepUpCode: h.enc('code', code) }, 'system:payments', {
        key: userId,
      }),
      'INVALID_INPUT',
    );
    // The code was not used by any of these: the user can still use it.
    expectAccepted(await verifyStepUp(userId, code, 'phone-B', 'system:payments'));
  });
});
