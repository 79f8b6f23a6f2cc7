import { assertNever, reject, type Decider, type DomainRejection } from '@ledger/util';
import { IDENTITY_ERROR, InvalidIdentityCommand } from './codes';
import { instant, isBefore, type Instant } from './time';

/**
 * A login session: one stream per login, `session-<sessionId>`, holding the keyed hash of the one
 * refresh token that is valid now and of the ones it replaced.
 *
 * Refresh tokens rotate: each exchange retires the presented token and issues the next one. A
 * retired token presented again means two parties hold the session's tokens (one of them stole
 * it), and nobody can tell which one is the user: the whole session is revoked, so both must log
 * in again (OAuth 2.0 Security BCP, refresh token rotation). Logging out revokes it too.
 */
export const SESSION_EVENT = {
  SessionStarted: 'identity.SessionStarted.v1',
  SessionRefreshed: 'identity.SessionRefreshed.v1',
  SessionRevoked: 'identity.SessionRevoked.v1',
} as const;

export const SESSION_EVENT_TYPES: readonly string[] = Object.values(SESSION_EVENT);

export const SESSION_ERROR = {
  /** Not a refresh token of any session, or one of a session that never existed. */
  INVALID_REFRESH_TOKEN: 'INVALID_REFRESH_TOKEN',
  /** The refresh token's lifetime is over; log in again. details: expiredAt */
  REFRESH_TOKEN_EXPIRED: 'REFRESH_TOKEN_EXPIRED',
  /** A token that was already exchanged came back: the session is now revoked. */
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  /** The session was ended (logout, or a reused token). details: reason */
  SESSION_REVOKED: 'SESSION_REVOKED',
} as const;

/** Retired token hashes kept per session for reuse detection; an older one is refused as unknown. */
export const MAX_RETIRED_REFRESH_TOKENS = 100;

export type SessionRevocationReason = 'logout' | 'refresh_token_reuse';

export type SessionStarted = {
  readonly type: typeof SESSION_EVENT.SessionStarted;
  readonly data: { sessionId: string; userId: string; deviceId: string; refreshTokenHash: string; expiresAt: Instant; at: Instant };
};
export type SessionRefreshed = {
  readonly type: typeof SESSION_EVENT.SessionRefreshed;
  readonly data: { sessionId: string; userId: string; refreshTokenHash: string; expiresAt: Instant; at: Instant };
};
export type SessionRevoked = {
  readonly type: typeof SESSION_EVENT.SessionRevoked;
  readonly data: { sessionId: string; userId: string; reason: SessionRevocationReason; at: Instant };
};
export type SessionEvent = SessionStarted | SessionRefreshed | SessionRevoked;

/** Which of the session's tokens the presented one is; the service finds out by comparing keyed hashes. */
export type PresentedToken = 'current' | 'retired' | 'unknown';

export type SessionCommand =
  | {
      type: 'StartSession';
      sessionId: string;
      userId: string;
      deviceId: string;
      refreshTokenHash: string;
      expiresAt: Instant;
      now: Instant;
    }
  | {
      type: 'RefreshSession';
      presented: PresentedToken;
      userFrozen: boolean;
      nextRefreshTokenHash: string;
      expiresAt: Instant;
      now: Instant;
    }
  | { type: 'EndSession'; presented: PresentedToken; now: Instant };

interface SessionFacts {
  sessionId: string;
  userId: string;
  deviceId: string;
  /** Hashes of exchanged tokens, newest last, at most MAX_RETIRED_REFRESH_TOKENS. */
  retiredTokenHashes: readonly string[];
}

export type SessionState =
  | { kind: 'none' }
  | (SessionFacts & { kind: 'active'; refreshTokenHash: string; expiresAt: Instant })
  | (SessionFacts & { kind: 'revoked'; reason: SessionRevocationReason });

export function sessionStreamId(sessionId: string): string {
  return `session-${sessionId}`;
}

export type SessionDecider = Decider<SessionCommand, SessionEvent, SessionState, DomainRejection>;

const invalidToken = () => reject(SESSION_ERROR.INVALID_REFRESH_TOKEN, 'this refresh token is not valid; log in again');
const revoke = (state: SessionFacts, reason: SessionRevocationReason, now: Instant): SessionRevoked => ({
  type: SESSION_EVENT.SessionRevoked,
  data: { sessionId: state.sessionId, userId: state.userId, reason, at: instant(now) },
});

export const sessionDecider: SessionDecider = {
  initialState: () => ({ kind: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'StartSession': {
        if (state.kind !== 'none') throw new InvalidIdentityCommand('a session starts once');
        const { sessionId, userId, deviceId, refreshTokenHash } = command;
        return [
          {
            type: SESSION_EVENT.SessionStarted,
            data: { sessionId, userId, deviceId, refreshTokenHash, expiresAt: instant(command.expiresAt), at: instant(command.now) },
          },
        ];
      }
      case 'RefreshSession': {
        if (state.kind === 'none' || command.presented === 'unknown') return invalidToken();
        if (state.kind === 'revoked')
          return reject(SESSION_ERROR.SESSION_REVOKED, 'this session was ended; log in again', { reason: state.reason });
        if (command.presented === 'retired') return [revoke(state, 'refresh_token_reuse', command.now)];
        if (!isBefore(command.now, state.expiresAt))
          return reject(SESSION_ERROR.REFRESH_TOKEN_EXPIRED, 'the refresh token has expired; log in again', { expiredAt: state.expiresAt });
        if (command.userFrozen) return reject(IDENTITY_ERROR.ACCOUNT_FROZEN, 'the account is frozen: a session cannot be extended');
        return [
          {
            type: SESSION_EVENT.SessionRefreshed,
            data: {
              sessionId: state.sessionId,
              userId: state.userId,
              refreshTokenHash: command.nextRefreshTokenHash,
              expiresAt: instant(command.expiresAt),
              at: instant(command.now),
            },
          },
        ];
      }
      case 'EndSession': {
        if (state.kind === 'none' || command.presented === 'unknown') return invalidToken();
        if (state.kind === 'revoked') return [];
        return [revoke(state, command.presented === 'retired' ? 'refresh_token_reuse' : 'logout', command.now)];
      }
      default:
        return assertNever(command, 'session command');
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case SESSION_EVENT.SessionStarted: {
        const { sessionId, userId, deviceId, refreshTokenHash, expiresAt } = event.data;
        return { kind: 'active', sessionId, userId, deviceId, refreshTokenHash, expiresAt, retiredTokenHashes: [] };
      }
      case SESSION_EVENT.SessionRefreshed:
        if (state.kind !== 'active') return state;
        return {
          ...state,
          retiredTokenHashes: [...state.retiredTokenHashes, state.refreshTokenHash].slice(-MAX_RETIRED_REFRESH_TOKENS),
          refreshTokenHash: event.data.refreshTokenHash,
          expiresAt: event.data.expiresAt,
        };
      case SESSION_EVENT.SessionRevoked: {
        if (state.kind !== 'active') return state;
        const { sessionId, userId, deviceId } = state;
        return {
          kind: 'revoked',
          sessionId,
          userId,
          deviceId,
          reason: event.data.reason,
          retiredTokenHashes: [...state.retiredTokenHashes, state.refreshTokenHash].slice(-MAX_RETIRED_REFRESH_TOKENS),
        };
      }
      default:
        return assertNever(event, 'session event');
    }
  },
};

/** The rejection a refresh or logout that revoked its session stands for. */
export function sessionRejection(events: readonly SessionEvent[]): DomainRejection | undefined {
  const revoked = events.find((event): event is SessionRevoked => event.type === SESSION_EVENT.SessionRevoked);
  if (revoked?.data.reason !== 'refresh_token_reuse') return undefined;
  return reject(SESSION_ERROR.REFRESH_TOKEN_REUSED, 'a refresh token was used twice: the session is revoked, log in again');
}
