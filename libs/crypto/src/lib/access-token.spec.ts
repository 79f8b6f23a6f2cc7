import { ACCESS_TOKEN_ISSUER, accessTokenKeyFromEnv, checkAccessToken, signAccessToken, verifyAccessToken } from './access-token';

const key = Buffer.alloc(32, 7);
const now = new Date('2026-11-22T00:00:00.000Z');
const issue = (overrides: Partial<{ ttlMs: number; role: 'user' | 'support' }> = {}) =>
  signAccessToken({ userId: 'user-1', role: overrides.role ?? 'user', deviceId: 'phone-1', now, ttlMs: overrides.ttlMs ?? 15 * 60_000 }, key);

describe('access tokens', () => {
  it('verifies what it signed and returns the claims', () => {
    const { token, expiresAt } = issue();
    expect(expiresAt.toISOString()).toBe('2026-11-22T00:15:00.000Z');
    expect(verifyAccessToken(token, key, now)).toMatchObject({ iss: ACCESS_TOKEN_ISSUER, sub: 'user-1', role: 'user', did: 'phone-1' });
  });

  it('tells an expired token from an invalid one', () => {
    const { token } = issue({ ttlMs: 60_000 });
    expect(checkAccessToken(token, key, new Date(now.getTime() + 60_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it.each([
    ['another key', (t: string) => ({ token: t, key: Buffer.alloc(32, 8) })],
    ['a changed payload', (t: string) => ({ token: t.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ iss: ACCESS_TOKEN_ISSUER, sub: 'user-2', role: 'support', exp: 9e9 })).toString('base64url')}.`), key })],
    ['alg none', (t: string) => ({ token: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${t.split('.')[1]}.`, key })],
    ['garbage', () => ({ token: 'not-a-token', key })],
  ])('refuses a token with %s', (_name, tamper) => {
    const { token, key: verifyKey } = tamper(issue().token);
    expect(checkAccessToken(token, verifyKey, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('takes the key from ACCESS_TOKEN_KEY, or the development key only when development mode is asked for', () => {
    const configured = Buffer.alloc(32, 9);
    expect(accessTokenKeyFromEnv({ ACCESS_TOKEN_KEY: configured.toString('base64') })).toEqual(configured);
    expect(accessTokenKeyFromEnv({ LEDGER_DEV_MODE: '1' })).toHaveLength(32);
    // Whatever NODE_ENV says: a deployment that forgot its key does not start on a public one.
    expect(() => accessTokenKeyFromEnv({})).toThrow(/ACCESS_TOKEN_KEY is not set.*LEDGER_DEV_MODE=1/);
    expect(() => accessTokenKeyFromEnv({ NODE_ENV: 'staging' })).toThrow(/ACCESS_TOKEN_KEY is not set/);
    expect(() => accessTokenKeyFromEnv({ LEDGER_DEV_MODE: 'true' })).toThrow(/ACCESS_TOKEN_KEY is not set/);
    expect(() => accessTokenKeyFromEnv({ ACCESS_TOKEN_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/at least 32 bytes/);
  });
});
