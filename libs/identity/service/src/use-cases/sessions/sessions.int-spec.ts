import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { identityContract as identity } from '@ledger/contracts';
import { generateSigningKey, verificationKeysOf, verifyAccessToken } from '@ledger/crypto';
import { Pool } from 'pg';
import {
  GOOD_LOGIN_PASSWORD,
  expectAccepted,
  expectRejected,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '../../testing/identity-harness';

describe('identity sessions: refresh-token rotation and logout over Kafka', () => {
  let h: IdentityHarness;
  const accessTokenSigningKey = generateSigningKey();

  beforeAll(async () => {
    h = await startIdentityHarness('identity_sessions', { config: { accessTokenSigningKey } });
  });

  afterAll(async () => {
    await h.stop();
  });

  const DEVICE = 'phone-A';

  async function loggedIn(commandId = randomUUID()): Promise<{ userId: string; phone: string; refreshToken: string; commandId: string }> {
    const phone = randomPhone();
    const userId = await h.register(phone, GOOD_LOGIN_PASSWORD, { deviceId: DEVICE });
    const data = expectAccepted(
      await h.send(
        identity.login,
        { phone: h.enc('phone', phone), loginPassword: h.enc('loginPassword', GOOD_LOGIN_PASSWORD), deviceId: DEVICE },
        'anonymous',
        { key: h.phoneKey(phone), commandId },
      ),
    );
    return { userId, phone, refreshToken: h.dec('refreshToken', String(data['refreshToken'])), commandId };
  }

  const refresh = (refreshToken: string) =>
    h.send(identity.refreshSession, { refreshToken: h.enc('refreshToken', refreshToken) }, 'anonymous', {
      key: refreshToken.split('.')[0]!,
    });
  const logout = (refreshToken: string) =>
    h.send(identity.endSession, { refreshToken: h.enc('refreshToken', refreshToken) }, 'anonymous', { key: refreshToken.split('.')[0]! });

  it('exchanges a refresh token for a new pair; the old one is then refused and revokes the whole session', async () => {
    const { userId, refreshToken: first } = await loggedIn();
    const data = expectAccepted(await refresh(first));
    const second = h.dec('refreshToken', String(data['refreshToken']));
    expect(second).not.toBe(first);
    expect(data['userId']).toBe(userId);
    const claims = await verifyAccessToken(
      h.dec('accessToken', String(data['accessToken'])),
      'user',
      verificationKeysOf(accessTokenSigningKey),
      h.clock.now(),
    );
    expect(claims).toMatchObject({ sub: userId, role: 'user', did: DEVICE });

    // The retired token comes back (stolen, or replayed): the session is revoked…
    expectRejected(await refresh(first), 'REFRESH_TOKEN_REUSED');
    // …so even the legitimate newest token no longer works.
    expect(expectRejected(await refresh(second), 'SESSION_REVOKED').details).toEqual({ reason: 'refresh_token_reuse' });
  });

  it('logout revokes the session; a second logout changes nothing', async () => {
    const { refreshToken } = await loggedIn();
    expectAccepted(await logout(refreshToken));
    expectRejected(await refresh(refreshToken), 'SESSION_REVOKED');
    expectAccepted(await logout(refreshToken));
  });

  it('refuses tokens that belong to no session, and garbage, without appending anything', async () => {
    const { refreshToken } = await loggedIn();
    const forged = `${refreshToken.split('.')[0]}.${'A'.repeat(43)}`;
    expectRejected(await refresh(forged), 'INVALID_REFRESH_TOKEN');
    expectRejected(await refresh(`nosuchsession.${'A'.repeat(43)}`), 'INVALID_REFRESH_TOKEN');
    expectRejected(await refresh('not a token'), 'INVALID_REFRESH_TOKEN');
    expectRejected(
      await h.send(identity.refreshSession, { refreshToken: h.enc('loginPassword', refreshToken) }, 'anonymous', { key: 'k' }),
      'INVALID_INPUT',
    );
    // The real token still works: the refusals above changed nothing.
    expectAccepted(await refresh(refreshToken));
  });

  it('refuses an expired refresh token', async () => {
    const { refreshToken } = await loggedIn();
    h.clock.advance(31 * 24 * 60 * 60_000);
    expectRejected(await refresh(refreshToken), 'REFRESH_TOKEN_EXPIRED');
  });

  it('a frozen account cannot refresh', async () => {
    const { userId, refreshToken } = await loggedIn();
    expectAccepted(await h.send(identity.freezeAccount, { userId, reason: 'lost phone' }, 'support:agent-1'));
    expectRejected(await refresh(refreshToken), 'ACCOUNT_FROZEN');
  });

  it('a re-delivered login answers with the same refresh token, which works once', async () => {
    const { phone, refreshToken, commandId } = await loggedIn();
    const again = expectAccepted(
      await h.send(
        identity.login,
        { phone: h.enc('phone', phone), loginPassword: h.enc('loginPassword', GOOD_LOGIN_PASSWORD), deviceId: DEVICE },
        'anonymous',
        { key: h.phoneKey(phone), commandId },
      ),
    );
    expect(h.dec('refreshToken', String(again['refreshToken']))).toBe(refreshToken);
    expectAccepted(await refresh(refreshToken));
  });

  it('stores only keyed hashes of refresh tokens', async () => {
    const { refreshToken } = await loggedIn();
    const next = h.dec('refreshToken', String(expectAccepted(await refresh(refreshToken))['refreshToken']));
    const pool = new Pool({ connectionString: h.db.url });
    try {
      const { rows } = await pool.query<{ data: string }>(`SELECT data::text AS data FROM identity.events WHERE stream = $1`, [
        `session-${refreshToken.split('.')[0]}`,
      ]);
      expect(rows).toHaveLength(2);
      const stored = rows.map((row) => row.data).join('\n');
      for (const token of [refreshToken, next]) {
        expect(stored).not.toContain(token);
        expect(stored).not.toContain(token.split('.')[1]);
      }
      expect(stored).toMatch(/hs256:/);
    } finally {
      await pool.end();
    }
  });
});
