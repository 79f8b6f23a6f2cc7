import { SignJWT } from 'jose';
import {
  TOKEN_ISSUERS,
  checkAccessToken,
  generateSigningKey,
  publicKeyJwk,
  signAccessToken,
  signingKeyFromEnv,
  signingKeyJwk,
  verificationKeysFromEnv,
  verificationKeysOf,
  verifyAccessToken,
  type TokenKind,
} from './access-token';

const identityKey = generateSigningKey('identity-2026-12');
const staffKey = generateSigningKey('staff-2026-12');
const keys = { user: verificationKeysOf(identityKey), staff: verificationKeysOf(staffKey) };
const now = new Date('2026-11-22T00:00:00.000Z');
const issue = (kind: TokenKind = 'user', key = kind === 'user' ? identityKey : staffKey, ttlMs = 15 * 60_000) =>
  signAccessToken({ userId: 'user-1', deviceId: 'phone-1', now, ttlMs }, kind, key);

describe('access tokens', () => {
  it('verifies what each issuer signed and returns its claims, with the kind told by the key', async () => {
    const { token, expiresAt } = await issue();
    expect(expiresAt.toISOString()).toBe('2026-11-22T00:15:00.000Z');
    expect(await checkAccessToken(token, keys, now)).toMatchObject({
      ok: true,
      kind: 'user',
      claims: { iss: 'ledger-identity', aud: 'ledger-app-api', sub: 'user-1', role: 'user', did: 'phone-1' },
    });
    const staff = await issue('staff');
    expect(await checkAccessToken(staff.token, keys, now)).toMatchObject({
      ok: true,
      kind: 'staff',
      claims: { iss: 'ledger-staff', aud: 'ledger-staff-api', role: 'support' },
    });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({
      alg: 'EdDSA',
      typ: 'JWT',
      kid: 'identity-2026-12',
    });
  });

  it('tells an expired token from an invalid one', async () => {
    const { token } = await issue('user', identityKey, 60_000);
    expect(await checkAccessToken(token, keys, new Date(now.getTime() + 60_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it("accepts during a rotation the old key's tokens and the new key's, and neither once its key is dropped", async () => {
    const next = generateSigningKey('identity-2027-01');
    const old = await issue('user', identityKey);
    const renewed = await issue('user', next);
    const rotating = { user: verificationKeysOf(identityKey, next) };
    expect(await verifyAccessToken(old.token, 'user', rotating.user, now)).toMatchObject({ sub: 'user-1' });
    expect(await verifyAccessToken(renewed.token, 'user', rotating.user, now)).toMatchObject({ sub: 'user-1' });
    expect(await checkAccessToken(old.token, { user: verificationKeysOf(next) }, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  const forge = async (claims: Record<string, unknown>, kid: string, key = identityKey) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime('15m')
      .setJti('j')
      .sign(key.privateKey);

  it.each([
    ['a key no verifier knows, under a known key id', async () => (await issue('user', { ...generateSigningKey(identityKey.kid) })).token],
    ['a key id no verifier knows', async () => (await issue('user', generateSigningKey('someone-else'))).token],
    [
      'the staff issuer signing a user token',
      async () => forge({ iss: 'ledger-identity', aud: 'ledger-app-api', sub: 'user-1', role: 'user', did: 'd' }, staffKey.kid, staffKey),
    ],
    [
      'identity signing a staff token',
      async () => forge({ iss: 'ledger-staff', aud: 'ledger-staff-api', sub: 'agent-1', role: 'support', did: 'd' }, identityKey.kid),
    ],
    [
      'another audience',
      async () => forge({ iss: 'ledger-identity', aud: 'ledger-staff-api', sub: 'user-1', role: 'user', did: 'd' }, identityKey.kid),
    ],
    [
      'a role its issuer does not grant',
      async () => forge({ iss: 'ledger-identity', aud: 'ledger-app-api', sub: 'user-1', role: 'support', did: 'd' }, identityKey.kid),
    ],
    [
      'a changed payload',
      async () => {
        const [header, , signature] = (await issue()).token.split('.');
        const payload = Buffer.from(
          JSON.stringify({
            iss: 'ledger-identity',
            aud: 'ledger-app-api',
            sub: 'user-2',
            role: 'user',
            did: 'd',
            iat: 1,
            exp: 9e9,
            jti: 'j',
          }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'alg none',
      async () =>
        `${Buffer.from(JSON.stringify({ alg: 'none', kid: identityKey.kid })).toString('base64url')}.${(await issue()).token.split('.')[1]}.`,
    ],
    ['garbage', async () => 'not-a-token'],
  ])('refuses a token with %s', async (_name, make) => {
    expect(await checkAccessToken(await make(), keys, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('takes the keys from the environment as JWKs, or the development keys only when development mode is asked for', async () => {
    const env = {
      ACCESS_TOKEN_SIGNING_KEY: JSON.stringify(signingKeyJwk(identityKey)),
      ACCESS_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [publicKeyJwk(identityKey)] }),
    };
    const signing = signingKeyFromEnv(env, 'ACCESS_TOKEN_SIGNING_KEY', 'user');
    const verifying = verificationKeysFromEnv(env, 'ACCESS_TOKEN_PUBLIC_KEYS', 'user');
    const { token } = await signAccessToken({ userId: 'user-1', deviceId: 'd', now, ttlMs: 60_000 }, 'user', signing);
    expect(await verifyAccessToken(token, 'user', verifying, now)).toMatchObject({ sub: 'user-1' });
    expect(await verifyAccessToken(token, 'user', keys.user, now)).toMatchObject({ sub: 'user-1' });

    const dev = { LEDGER_DEV_MODE: '1' };
    const devToken = await signAccessToken(
      { userId: 'user-1', deviceId: 'd', now, ttlMs: 60_000 },
      'staff',
      signingKeyFromEnv(dev, 'STAFF_TOKEN_SIGNING_KEY', 'staff'),
    );
    expect(
      await verifyAccessToken(devToken.token, 'staff', verificationKeysFromEnv(dev, 'STAFF_TOKEN_PUBLIC_KEYS', 'staff'), now),
    ).toMatchObject({ iss: TOKEN_ISSUERS.staff.issuer });
    expect(
      await verifyAccessToken(devToken.token, 'user', verificationKeysFromEnv(dev, 'ACCESS_TOKEN_PUBLIC_KEYS', 'user'), now),
    ).toBeUndefined();

    expect(() => signingKeyFromEnv({}, 'ACCESS_TOKEN_SIGNING_KEY', 'user')).toThrow(
      /ACCESS_TOKEN_SIGNING_KEY is not set.*LEDGER_DEV_MODE=1/,
    );
    expect(() => verificationKeysFromEnv({ NODE_ENV: 'staging' }, 'ACCESS_TOKEN_PUBLIC_KEYS', 'user')).toThrow(
      /ACCESS_TOKEN_PUBLIC_KEYS is not set/,
    );
    expect(() =>
      verificationKeysFromEnv(
        { ACCESS_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [signingKeyJwk(identityKey)] }) },
        'ACCESS_TOKEN_PUBLIC_KEYS',
        'user',
      ),
    ).toThrow(/holds a private key/);
    expect(() =>
      signingKeyFromEnv({ ACCESS_TOKEN_SIGNING_KEY: JSON.stringify(publicKeyJwk(identityKey)) }, 'ACCESS_TOKEN_SIGNING_KEY', 'user'),
    ).toThrow(/Ed25519 private JWK/);
    expect(() =>
      signingKeyFromEnv(
        { ACCESS_TOKEN_SIGNING_KEY: JSON.stringify({ ...signingKeyJwk(identityKey), kid: '' }) },
        'ACCESS_TOKEN_SIGNING_KEY',
        'user',
      ),
    ).toThrow(/kid/);
  });
});
