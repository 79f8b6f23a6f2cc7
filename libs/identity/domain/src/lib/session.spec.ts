import { givenWhenThen } from '@ledger/util/testing';
import { at, HOUR } from '../test/given-when-then';
import { SESSION_ERROR, SESSION_EVENT, sessionDecider, sessionRejection, type SessionCommand, type SessionEvent } from './session';

const DAY_MS = 24 * HOUR;

const started: SessionEvent = {
  type: SESSION_EVENT.SessionStarted,
  data: { sessionId: 's-1', userId: 'u-1', deviceId: 'phone-1', refreshTokenHash: 'h1', expiresAt: at(30 * DAY_MS), at: at(0) },
};
const refreshed = (hash: string, atMs: number): SessionEvent => ({
  type: SESSION_EVENT.SessionRefreshed,
  data: { sessionId: 's-1', userId: 'u-1', refreshTokenHash: hash, expiresAt: at(atMs + 30 * DAY_MS), at: at(atMs) },
});

const { given } = givenWhenThen(sessionDecider, { recordedRejection: sessionRejection });

const refresh = (presented: 'current' | 'retired' | 'unknown', nowMs: number, userFrozen = false): SessionCommand => ({
  type: 'RefreshSession',
  presented,
  userFrozen,
  nextRefreshTokenHash: `next-${nowMs}`,
  expiresAt: at(nowMs + 30 * DAY_MS),
  now: at(nowMs),
});

describe('Session: refresh-token rotation', () => {
  it('starts a session holding the hash of its first refresh token', () => {
    const result = given([]).when({
      type: 'StartSession',
      sessionId: 's-1',
      userId: 'u-1',
      deviceId: 'phone-1',
      refreshTokenHash: 'h1',
      expiresAt: at(30 * DAY_MS),
      now: at(0),
    });
    expect(result.events).toEqual([started]);
    expect(result.state).toMatchObject({ kind: 'active', refreshTokenHash: 'h1', retiredTokenHashes: [] });
  });

  it('exchanges the current token for the next one and retires it', () => {
    const result = given([started]).when(refresh('current', 1_000));
    expect(result.events).toEqual([refreshed('next-1000', 1_000)]);
    expect(result.state).toMatchObject({ kind: 'active', refreshTokenHash: 'next-1000', retiredTokenHashes: ['h1'] });
  });

  it('revokes the whole session when a retired token comes back, and answers REFRESH_TOKEN_REUSED', () => {
    const result = given([started, refreshed('h2', 1_000)]).when(refresh('retired', 2_000));
    expect(result.events).toEqual([
      { type: SESSION_EVENT.SessionRevoked, data: { sessionId: 's-1', userId: 'u-1', reason: 'refresh_token_reuse', at: at(2_000) } },
    ]);
    expect(result.code).toBe(SESSION_ERROR.REFRESH_TOKEN_REUSED);
    expect(result.state).toMatchObject({ kind: 'revoked', reason: 'refresh_token_reuse' });
  });

  it('refuses even the newest token of a revoked session', () => {
    const revoked: SessionEvent = {
      type: SESSION_EVENT.SessionRevoked,
      data: { sessionId: 's-1', userId: 'u-1', reason: 'refresh_token_reuse', at: at(2_000) },
    };
    const result = given([started, refreshed('h2', 1_000), revoked]).when(refresh('current', 3_000));
    expect(result).toMatchObject({ events: [], code: SESSION_ERROR.SESSION_REVOKED, details: { reason: 'refresh_token_reuse' } });
  });

  it('refuses an unknown token or session without changing anything', () => {
    expect(given([started]).when(refresh('unknown', 1_000))).toMatchObject({ events: [], code: SESSION_ERROR.INVALID_REFRESH_TOKEN });
    expect(given([]).when(refresh('current', 1_000))).toMatchObject({ events: [], code: SESSION_ERROR.INVALID_REFRESH_TOKEN });
  });

  it('refuses an expired token (valid 1 ms before, expired at the boundary)', () => {
    expect(given([started]).when(refresh('current', 30 * DAY_MS - 1)).code).toBeUndefined();
    expect(given([started]).when(refresh('current', 30 * DAY_MS))).toMatchObject({
      events: [],
      code: SESSION_ERROR.REFRESH_TOKEN_EXPIRED,
      details: { expiredAt: at(30 * DAY_MS) },
    });
  });

  it('does not extend the session of a frozen account', () => {
    expect(given([started]).when(refresh('current', 1_000, true))).toMatchObject({ events: [], code: 'ACCOUNT_FROZEN' });
  });

  it('logout revokes the session; a second logout changes nothing', () => {
    const result = given([started]).when({ type: 'EndSession', presented: 'current', now: at(1_000) });
    expect(result.events).toEqual([
      { type: SESSION_EVENT.SessionRevoked, data: { sessionId: 's-1', userId: 'u-1', reason: 'logout', at: at(1_000) } },
    ]);
    expect(result.code).toBeUndefined();
    expect(given([started, ...result.events]).when({ type: 'EndSession', presented: 'current', now: at(2_000) }).events).toEqual([]);
  });
});
