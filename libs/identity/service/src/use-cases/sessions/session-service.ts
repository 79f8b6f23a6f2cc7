import { nowInstant, plusMs, type Instant } from '@ledger/util';
import { createHash } from 'node:crypto';
import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { sealField, hashRefreshToken, issueRefreshToken, refreshTokenMatches, refreshTokenSession, signAccessToken } from '@ledger/crypto';
import { DeciderHandler, commandMetadata, type EventCodec, type EventStore } from '@ledger/event-store';
import {
  SESSION_EVENT_TYPES,
  createUserDecider,
  sessionDecider,
  sessionRejection,
  sessionStreamId,
  userStreamId,
  type PresentedToken,
  type SessionCommand,
  type SessionEvent,
  type SessionState,
  type UserCommand,
  type UserEvent,
  type UserState,
} from '@ledger/identity-domain';
import { accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import type { IdentityConfig } from '../../config';
import { openSecret, resolving, type Resolvable } from '../../identity-core';
import { identityCodec } from '../../infra/event-codec';

const sessionCodec: EventCodec<SessionEvent> = {
  encode: (event) => ({ type: event.type, data: { ...event.data } }),
  decode: (record) => {
    if (!SESSION_EVENT_TYPES.includes(record.type)) throw new Error(`unknown session event type ${record.type}`);
    return { type: record.type, data: record.data } as unknown as SessionEvent;
  },
};

/** The session id of a login: derived from its command id, so a re-delivered login starts the same session. */
export function sessionIdFor(loginCommandId: string): string {
  return createHash('sha256').update(`identity-session\u0000${loginCommandId}`).digest('hex').slice(0, 32);
}

export interface IssuedRefreshToken {
  /** Field-encrypted for the caller: the plain token exists only in this call. */
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/**
 * Sessions and refresh tokens, event-sourced in `session-<sessionId>` streams (see the session
 * decider): login starts one, `RefreshSession` rotates its refresh token, `EndSession` revokes it.
 * The streams hold keyed hashes of the tokens only; they are not published (the relay publishes
 * the `user` category).
 */
export class SessionService {
  private readonly sessions: DeciderHandler<Resolvable<SessionCommand, SessionState>, SessionEvent, SessionState>;
  private readonly users: DeciderHandler<UserCommand, UserEvent, UserState>;

  constructor(
    store: EventStore,
    private readonly config: IdentityConfig,
  ) {
    this.sessions = new DeciderHandler({ store, decider: resolving(sessionDecider), codec: sessionCodec });
    // Read-only: refresh needs to know whether the account is frozen right now.
    this.users = new DeciderHandler({ store, decider: createUserDecider(config.policy), codec: identityCodec<UserEvent>() });
  }

  /** Starts the session of a successful login and returns its first refresh token. */
  async start(envelope: CommandEnvelope, userId: string, deviceId: string, now: Instant): Promise<IssuedRefreshToken> {
    const sessionId = sessionIdFor(envelope.commandId);
    const token = issueRefreshToken(sessionId, envelope.commandId, this.config.pepperKeyring);
    const expiresAt = this.refreshExpiry(now);
    const refreshTokenHash = hashRefreshToken(token, this.config.pepperKeyring);
    // A re-delivered login is answered from the events of its first delivery (same command id),
    // and its token is the same, being derived from that command id.
    const outcome = await this.sessions.handle(
      sessionStreamId(sessionId),
      { type: 'StartSession', sessionId, userId, deviceId, refreshTokenHash, expiresAt, now },
      commandMetadata(envelope),
    );
    const started = outcome.kind === 'accepted' ? outcome.events.find((event) => event.type === 'identity.SessionStarted.v1') : undefined;
    if (started?.type !== 'identity.SessionStarted.v1') throw new Error(`session ${sessionId} did not start`);
    return this.issued(token, started.data.expiresAt);
  }

  /** INVALID_REFRESH_TOKEN, REFRESH_TOKEN_EXPIRED, REFRESH_TOKEN_REUSED (the session is revoked), SESSION_REVOKED, ACCOUNT_FROZEN. */
  async refresh(envelope: CommandEnvelope<PayloadOf<typeof identityContract.refreshSession>>): Promise<CommandResult> {
    const presentedToken = this.openToken(envelope.payload.refreshToken);
    const sessionId = refreshTokenSession(presentedToken);
    if (sessionId === undefined) return rejected(envelope, 'INVALID_REFRESH_TOKEN', 'this refresh token is not valid; log in again');
    const now = nowInstant(this.config.clock);
    const stream = sessionStreamId(sessionId);
    const current = (await this.sessions.load(stream)).state;
    const userFrozen = current.kind === 'none' ? false : this.isFrozen((await this.users.load(userStreamId(current.userId))).state);
    const nextToken = issueRefreshToken(sessionId, envelope.commandId, this.config.pepperKeyring);
    const nextRefreshTokenHash = hashRefreshToken(nextToken, this.config.pepperKeyring);
    const expiresAt = this.refreshExpiry(now);
    const outcome = await this.sessions.handle(
      stream,
      {
        type: 'Resolve',
        resolve: (state) => ({
          type: 'RefreshSession',
          presented: this.presented(presentedToken, state),
          userFrozen,
          nextRefreshTokenHash,
          expiresAt,
          now,
        }),
      },
      commandMetadata(envelope),
    );
    if (outcome.kind === 'rejected') return rejectedBy(envelope, outcome.rejection);
    const failure = sessionRejection(outcome.events);
    if (failure) return rejectedBy(envelope, failure);
    const refreshed = outcome.events.find((event) => event.type === 'identity.SessionRefreshed.v1');
    const session = (await this.sessions.load(stream)).state;
    if (refreshed?.type !== 'identity.SessionRefreshed.v1' || session.kind === 'none')
      throw new Error('refresh accepted without a SessionRefreshed event');
    const access = await signAccessToken(
      { userId: session.userId, deviceId: session.deviceId, now: new Date(now), ttlMs: this.config.accessTokenTtlMs },
      'user',
      this.config.accessTokenSigningKey,
    );
    return accepted(envelope, {
      userId: session.userId,
      accessToken: sealField(access.token, this.config.gatewaySealingKey, identityContract.secretAad('accessToken')),
      accessTokenExpiresAt: access.expiresAt.toISOString(),
      ...this.issued(nextToken, refreshed.data.expiresAt),
    });
  }

  /** Logout. INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED (a retired token: the session is revoked all the same). */
  async end(envelope: CommandEnvelope<PayloadOf<typeof identityContract.endSession>>): Promise<CommandResult> {
    const presentedToken = this.openToken(envelope.payload.refreshToken);
    const sessionId = refreshTokenSession(presentedToken);
    if (sessionId === undefined) return rejected(envelope, 'INVALID_REFRESH_TOKEN', 'this refresh token is not valid');
    const now = nowInstant(this.config.clock);
    const outcome = await this.sessions.handle(
      sessionStreamId(sessionId),
      { type: 'Resolve', resolve: (state) => ({ type: 'EndSession', presented: this.presented(presentedToken, state), now }) },
      commandMetadata(envelope),
    );
    if (outcome.kind === 'rejected') return rejectedBy(envelope, outcome.rejection);
    const failure = sessionRejection(outcome.events);
    return failure ? rejectedBy(envelope, failure) : accepted(envelope, { ended: true });
  }

  private presented(token: string, state: SessionState): PresentedToken {
    if (state.kind === 'none') return 'unknown';
    if (state.kind === 'active' && refreshTokenMatches(token, state.refreshTokenHash, this.config.pepperKeyring)) return 'current';
    return state.retiredTokenHashes.some((hash) => refreshTokenMatches(token, hash, this.config.pepperKeyring)) ? 'retired' : 'unknown';
  }

  private isFrozen(user: UserState): boolean {
    return user.status === 'registered' && user.freeze.kind === 'frozen';
  }

  private refreshExpiry(now: Instant): Instant {
    return plusMs(now, this.config.refreshTokenTtlMs);
  }

  private issued(token: string, expiresAt: string): IssuedRefreshToken {
    return {
      refreshToken: sealField(token, this.config.gatewaySealingKey, identityContract.secretAad('refreshToken')),
      refreshTokenExpiresAt: expiresAt,
    };
  }

  private openToken(ciphertext: string): string {
    return openSecret(this.config, ciphertext, 'refreshToken');
  }
}
