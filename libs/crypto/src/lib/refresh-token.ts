import { keyedHash, verifyKeyedHash } from './keyed-hash';
import type { Keyring } from './keyring';

/**
 * Refresh tokens of rotating sessions: `<sessionId>.<secret>`. The session id in front lets the
 * service find the session's stream without a lookup table; the secret is what proves possession.
 *
 * The secret is derived, not drawn: HMAC-SHA-256 under the pepper key of the session id and the id
 * of the command that issues it. A command delivered twice thus issues the same token (the events
 * it appended hold that token's hash), while nobody without the pepper key can compute a token from
 * the ids, which travel in clear headers. Only the keyed hash of a token is ever stored.
 */
const REFRESH_TOKEN_SECRET = 'refresh-token-secret';
const REFRESH_TOKEN_HASH = 'refresh-token';
const SHAPE = /^([A-Za-z0-9-]{1,64})\.([A-Za-z0-9_-]{43})$/;

export function issueRefreshToken(sessionId: string, issuingCommandId: string, pepper: Keyring): string {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(sessionId)) throw new Error('a session id is 1–64 letters, digits or dashes');
  const digest = keyedHash(REFRESH_TOKEN_SECRET, [sessionId, issuingCommandId], pepper).split(':')[2];
  return `${sessionId}.${digest}`;
}

/** The session a refresh token names, or undefined when it does not have a refresh token's shape. */
export function refreshTokenSession(token: string): string | undefined {
  return SHAPE.exec(token)?.[1];
}

/** What is stored of a refresh token: its keyed hash (`hs256:<kid>:<digest>`). */
export function hashRefreshToken(token: string, pepper: Keyring): string {
  return keyedHash(REFRESH_TOKEN_HASH, [token], pepper);
}

/** Compares a presented token with a stored hash in constant time, under the key the hash names. */
export function refreshTokenMatches(token: string, storedHash: string, pepper: Keyring): boolean {
  return verifyKeyedHash(REFRESH_TOKEN_HASH, [token], storedHash, pepper);
}
