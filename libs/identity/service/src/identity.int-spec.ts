import 'reflect-metadata';
import { identityContract as identity, pingCommand } from '@ledger/contracts';
import { testKafka, TopicRecorder } from '@ledger/testing';
import { IDENTITY_CONTEXT } from './identity.module';
import { TOKEN_ISSUERS, verificationKeysFromEnv, verifyAccessToken } from '@ledger/crypto';
import {
  GOOD_LOGIN_PASSWORD,
  GOOD_PAYMENT_PASSWORD,
  eventually,
  expectAccepted,
  expectRejected,
  randomIdNumber,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from './testing/identity-harness';

describe('identity service over the real broker: the registration story', () => {
  let h: IdentityHarness;
  let events: TopicRecorder;
  // The development issuer's public key: the harness leaves ACCESS_TOKEN_SIGNING_KEY unset, as on a developer's machine.
  const devTokenKeys = verificationKeysFromEnv({ LEDGER_DEV_MODE: '1' }, 'ACCESS_TOKEN_PUBLIC_KEYS', 'user');

  beforeAll(async () => {
    h = await startIdentityHarness('identity_story');
    events = await new TopicRecorder(testKafka('identity-story-events'), [h.eventsTopic]).start();
  });

  afterAll(async () => {
    await events.stop();
    await h.stop();
  });

  it('answers its health probe with its name and pid', async () => {
    const result = await h.client.send(pingCommand(IDENTITY_CONTEXT), {}, { key: 'health', actor: 'system:operator', sender: 'operator' });
    expect(result).toMatchObject({ status: 'accepted', data: { service: 'identity', pid: process.pid } });
  });

  it('registers with an SMS code, sets a payment password, logs in on a new device with step-up, and verifies the payment password', async () => {
    const phone = randomPhone();
    const sent = expectAccepted(
      await h.send(identity.requestVerificationCode, {
        phone: h.enc('phone', `+86 ${phone.slice(0, 3)}-${phone.slice(3)}`),
        purpose: 'registration',
      }),
    );
    expect(sent).toMatchObject({ maskedPhone: `${phone.slice(0, 3)}****${phone.slice(7)}` });
    const code = h.latestCode(phone);

    const registered = expectAccepted(
      await h.send(identity.registerUser, {
        phone: h.enc('phone', phone),
        code: h.enc('code', code),
        loginPassword: h.enc('loginPassword', GOOD_LOGIN_PASSWORD),
        name: h.enc('name', '李四'),
        idNumber: h.enc('idNumber', randomIdNumber()),
        deviceId: 'phone-A',
      }),
    );
    expect(registered).toMatchObject({ identityLevel: 'verified', maskedPhone: sent['maskedPhone'] });
    const userId = String(registered['userId']);
    const me = `user:${userId}`;

    expectAccepted(
      await h.send(identity.setPaymentPassword, { userId, paymentPassword: h.enc('paymentPassword', GOOD_PAYMENT_PASSWORD) }, me),
    );

    const onNewPhone = { phone: h.enc('phone', phone), loginPassword: h.enc('loginPassword', GOOD_LOGIN_PASSWORD), deviceId: 'phone-B' };
    expect(expectRejected(await h.send(identity.login, onNewPhone), 'STEP_UP_REQUIRED').details).toMatchObject({
      deviceId: 'phone-B',
      purpose: 'login_step_up',
    });
    expectAccepted(await h.send(identity.requestVerificationCode, { phone: h.enc('phone', phone), purpose: 'login_step_up' }));
    const session = expectAccepted(await h.send(identity.login, { ...onNewPhone, stepUpCode: h.enc('stepUpCode', h.latestCode(phone)) }));
    expect(session).toMatchObject({ userId, newDevice: true, frozen: false });
    // Sealed for the gateway: identity's own field keys do not open it, the gateway's private key does.
    expect(String(session['accessToken'])).toMatch(/^seal:v1:dev-gateway-seal:/);
    const claims = await verifyAccessToken(h.dec('accessToken', String(session['accessToken'])), 'user', devTokenKeys, h.clock.now());
    expect(claims).toMatchObject({
      iss: TOKEN_ISSUERS.user.issuer,
      aud: TOKEN_ISSUERS.user.audience,
      sub: userId,
      role: 'user',
      did: 'phone-B',
    });
    expect(claims!.exp * 1000).toBe(Date.parse(String(session['accessTokenExpiresAt'])));
    // `<sessionId>.<secret>`: the session's stream id, then 256 bits of HMAC output.
    expect(h.dec('refreshToken', String(session['refreshToken']))).toMatch(/^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);

    // The device is known now: no step-up the second time.
    expectAccepted(await h.send(identity.login, onNewPhone));

    const verified = expectAccepted(
      await h.send(
        identity.verifyPaymentPassword,
        { userId, paymentPassword: h.enc('paymentPassword', GOOD_PAYMENT_PASSWORD), purpose: 'payment' },
        'system:payments',
      ),
    );
    expect(verified).toEqual({ verified: true, userId, purpose: 'payment' });

    // Other services follow the published events; private fields never leave identity.
    const published = await events.waitFor(
      (m) =>
        m.message.headers?.['message-type']?.toString() === identity.EVENT_TYPES.UserRegistered &&
        m.message.key?.toString() === `user-${userId}`,
    );
    const data = JSON.parse(published.message.value!.toString()) as Record<string, unknown>;
    expect(data).toMatchObject({ userId, maskedPhone: sent['maskedPhone'], identityLevel: 'verified' });
    expect(data).not.toHaveProperty('loginPasswordHash');
    expect(data).not.toHaveProperty('idNumberCiphertext');
    await events.waitFor(
      (m) =>
        m.message.headers?.['message-type']?.toString() === identity.EVENT_TYPES.PaymentPasswordSet &&
        m.message.key?.toString() === `user-${userId}`,
    );

    // Transfers find the payee by phone, from the read model.
    const found = await eventually(async () =>
      expectAccepted(await h.send(identity.findUserByPhone, { phone: h.enc('phone', phone) }, 'system:payments')),
    );
    expect(found).toMatchObject({ userId, maskedPhone: sent['maskedPhone'], status: 'active', identityLevel: 'verified' });
  });

  it('answers an unknown phone like a wrong password, and USER_NOT_FOUND to a lookup', async () => {
    const phone = randomPhone();
    expectRejected(
      await h.send(identity.login, {
        phone: h.enc('phone', phone),
        loginPassword: h.enc('loginPassword', GOOD_LOGIN_PASSWORD),
        deviceId: 'x',
      }),
      'INVALID_CREDENTIALS',
    );
    expectRejected(await h.send(identity.findUserByPhone, { phone: h.enc('phone', phone) }, 'system:payments'), 'USER_NOT_FOUND');
    expectRejected(
      await h.send(identity.requestVerificationCode, { phone: h.enc('phone', phone), purpose: 'payment_password_reset' }),
      'USER_NOT_FOUND',
    );
  });

  it('refuses a plaintext secret at the schema (dead-lettered) and a ciphertext made for another field', async () => {
    const phone = randomPhone();
    expectRejected(
      await h.send(identity.registerUser, { phone, code: '123456', loginPassword: GOOD_LOGIN_PASSWORD, name: 'x' } as never),
      'INVALID_COMMAND',
    );
    const result = expectRejected(
      await h.send(identity.registerUser, {
        phone: h.enc('phone', phone),
        code: h.enc('code', '123456'),
        loginPassword: h.enc('paymentPassword', GOOD_LOGIN_PASSWORD),
        name: h.enc('name', 'x'),
      }),
      'INVALID_INPUT',
    );
    expect(result.details).toEqual({ field: 'loginPassword' });
  });
});
