import { instantMs, isBefore, nowInstant } from '@ledger/util';
import { identityContract as contract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { sealField, signAccessToken, verifyLoginPassword, verifyTotp } from '@ledger/crypto';
import { commandMetadata, DeciderHandler, type EventStore } from '@ledger/event-store';
import {
  IDENTITY_ERROR,
  createStaffLoginDecider,
  recordedRejection,
  staffStreamId,
  type StaffEvent,
  type StaffLogIn,
  type StaffLoginState,
} from '@ledger/identity-domain';
import { accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import type { IdentityConfig } from '../../config';
import { type IdentityCore } from '../../identity-core';
import { identityCodec } from '../../infra/event-codec';
import type { StaffLoginLimits } from './staff-login-limits';

/** Too many staff login attempts from one client address (details.retryAfterMs); the gateway answers 429. */
export const STAFF_LOGIN_RATE_LIMITED = 'RATE_LIMITED';

/** The device claim of a staff token: staff work from the staff console, not from a phone. */
export const STAFF_CONSOLE_DEVICE = 'support-console';

type Envelope = CommandEnvelope<PayloadOf<typeof contract.logInStaff>>;

/**
 * Staff login (`identity.LogInStaff.v1`): an agent of the staff registry proves the password and a
 * current code of their authenticator, and gets an access token of the staff issuer with the
 * agent's one role. Each attempt is decided and recorded on the agent's `staff-<agentId>` stream
 * (see the staff-login decider), so the lock and the one-use rule of codes hold across every
 * identity instance and every gateway in front of them. An unknown agent, a wrong password and a
 * wrong, stale or reused code get the same answer in about the same time; an unknown agent leaves
 * no stream behind.
 */
export class StaffLogins {
  private readonly logins: DeciderHandler<StaffLogIn, StaffEvent, StaffLoginState>;

  constructor(
    store: EventStore,
    private readonly config: IdentityConfig,
    private readonly identity: IdentityCore,
    private readonly limits: StaffLoginLimits,
  ) {
    this.logins = new DeciderHandler({ store, decider: createStaffLoginDecider(config.policy), codec: identityCodec<StaffEvent>() });
  }

  async logIn(envelope: Envelope): Promise<CommandResult> {
    const { agentId } = envelope.payload;
    const password = this.identity.open(envelope.payload.password, 'staffPassword');
    const code = this.identity.open(envelope.payload.authenticatorCode, 'staffAuthenticatorCode');
    const now = nowInstant(this.config.clock);
    // Before any argon2 work: an address guessing across gateway instances is counted once, here.
    const limited = await this.limits.hit(this.identity.open(envelope.payload.clientAddress, 'staffClientAddress'), now);
    if (limited)
      return rejected(envelope, STAFF_LOGIN_RATE_LIMITED, 'too many staff login attempts from this address; try again later', limited);
    const member = this.config.staff.get(agentId);
    if (member === undefined) {
      await verifyLoginPassword(password, await this.identity.dummyHash());
      return rejected(envelope, IDENTITY_ERROR.INVALID_CREDENTIALS, 'wrong agent id, password or authenticator code');
    }
    const stream = staffStreamId(agentId);
    // While the login is locked the decider refuses before looking at the password: skip the argon2 work.
    const { lockedUntil } = (await this.logins.load(stream)).state;
    const locked = isBefore(now, lockedUntil);
    const passwordValid = !locked && (await verifyLoginPassword(password, member.passwordHash));
    const totp = verifyTotp(member.totpSecret, code, instantMs(now));
    const attempt: StaffLogIn = {
      type: 'StaffLogIn',
      agentId,
      role: member.role,
      passwordValid,
      codeTimeStep: totp.valid ? totp.timeStep : null,
      now,
    };
    const outcome = await this.logins.handle(stream, attempt, commandMetadata(envelope));
    const rejection = outcome.kind === 'rejected' ? outcome.rejection : recordedRejection(outcome.events);
    if (rejection) return rejectedBy(envelope, rejection);
    const access = await signAccessToken(
      { userId: agentId, role: member.role, deviceId: STAFF_CONSOLE_DEVICE, now: new Date(now), ttlMs: this.config.staffTokenTtlMs },
      'staff',
      this.config.staffTokenSigningKey,
    );
    return accepted(envelope, {
      agentId,
      role: member.role,
      // A bearer credential: sealed for the gateway like every token on Kafka; the gateway opens it for the console.
      accessToken: sealField(access.token, this.config.gatewaySealingKey, contract.secretAad('accessToken')),
      accessTokenExpiresAt: access.expiresAt.toISOString(),
    });
  }
}
