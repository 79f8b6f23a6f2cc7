/**
 * What the user decider checks again and again: the inputs a service must get right (a missing
 * field or a proof for another phone is a wiring bug, thrown), and the gates a user passes on the
 * way to a sensitive operation (the payment password, the second factor) with the failures they
 * record: a wrong try is an event, counted toward the lock, never only a rejection.
 */
import { isRejection, reject } from '@ledger/util';
import { IDENTITY_ERROR, InvalidIdentityCommand, type IdentityRejection } from './codes';
import {
  IDENTITY_EVENT,
  type PaymentPasswordPurpose,
  type RiskSeverity,
  type RiskSignal,
  type SecondFactorOperation,
  type UserEvent,
} from './events';
import type { PasswordCheck } from './password-policy';
import type { IdentityPolicy } from './policy';
import { instant, isBefore, plusMs, within, type Instant } from './time';
import type { CodeProof } from './verification-code';
import type { RegisteredUser, SecondFactorCheck } from './user-types';

export type Decision = UserEvent[] | IdentityRejection;

export function requireText(value: string | undefined, field: string): void {
  if (value === undefined || value.trim() === '') throw new InvalidIdentityCommand(`${field} is required`);
}

export function requireProof(proof: CodeProof, purpose: CodeProof['purpose'], phoneHash: string): void {
  // A proof for another purpose or another phone is a wiring bug in the service, never a user error.
  if (proof.purpose !== purpose) throw new InvalidIdentityCommand(`expected a ${purpose} code, got ${proof.purpose}`);
  if (proof.phoneHash !== phoneHash) throw new InvalidIdentityCommand('the verification code belongs to another phone');
  requireText(proof.codeId, 'verification.codeId');
}

export function weakPassword(check: PasswordCheck, field: 'loginPassword' | 'paymentPassword'): IdentityRejection | null {
  return check.ok ? null : reject(IDENTITY_ERROR.WEAK_PASSWORD, check.message, { rule: check.rule, field });
}

/** The gates of `policy`: each answers `null` when passed, else the events to record or the rejection. */
export function createUserGates(policy: Readonly<IdentityPolicy>) {
  const at = (now: Instant): Instant => instant(now);

  function alert(user: RegisteredUser, signal: RiskSignal, severity: RiskSeverity, description: string, now: Instant): UserEvent {
    return {
      type: IDENTITY_EVENT.RiskAlertRaised,
      data: { userId: user.userId, signal, severity, description, source: 'identity', at: at(now) },
    };
  }

  function loginFailure(user: RegisteredUser, deviceId: string | null, now: Instant): UserEvent[] {
    const failuresInWindow = within(user.loginFailures, now, policy.loginFailureWindowMs).length + 1;
    const attemptsLeft = Math.max(0, policy.maxLoginFailures - failuresInWindow);
    const events: UserEvent[] = [
      { type: IDENTITY_EVENT.LoginFailed, data: { userId: user.userId, deviceId, failuresInWindow, attemptsLeft, at: at(now) } },
    ];
    if (attemptsLeft === 0) {
      events.push(
        { type: IDENTITY_EVENT.LoginLocked, data: { userId: user.userId, lockedUntil: plusMs(now, policy.loginLockMs), at: at(now) } },
        alert(
          user,
          'repeated_login_failures',
          'medium',
          `${failuresInWindow} failed logins within ${policy.loginFailureWindowMs / 60_000} minutes`,
          now,
        ),
      );
    }
    return events;
  }

  function paymentPasswordFailure(
    user: RegisteredUser,
    consecutiveFailures: number,
    purpose: PaymentPasswordPurpose,
    now: Instant,
  ): UserEvent[] {
    const failures = consecutiveFailures + 1;
    const attemptsLeft = Math.max(0, policy.maxPaymentPasswordFailures - failures);
    const events: UserEvent[] = [
      {
        type: IDENTITY_EVENT.PaymentPasswordVerificationFailed,
        data: { userId: user.userId, purpose, consecutiveFailures: failures, attemptsLeft, at: at(now) },
      },
    ];
    if (attemptsLeft === 0) {
      events.push(
        {
          type: IDENTITY_EVENT.PaymentPasswordLocked,
          data: { userId: user.userId, lockedUntil: plusMs(now, policy.paymentPasswordLockMs), at: at(now) },
        },
        alert(user, 'payment_password_locked', 'high', `${failures} consecutive wrong payment passwords`, now),
      );
    }
    return events;
  }

  /** Checks the payment password (lock, then the match) and records a failure; `null` means it matched. */
  function paymentPasswordGate(user: RegisteredUser, matches: boolean, purpose: PaymentPasswordPurpose, now: Instant): Decision | null {
    const password = user.paymentPassword;
    if (password.kind === 'not_set') return reject(IDENTITY_ERROR.PAYMENT_PASSWORD_NOT_SET, 'set a payment password first');
    if (isBefore(now, password.lockedUntil)) {
      return reject(IDENTITY_ERROR.PAYMENT_PASSWORD_LOCKED, 'payment password locked after too many wrong tries', {
        lockedUntil: password.lockedUntil,
      });
    }
    return matches ? null : paymentPasswordFailure(user, password.consecutiveFailures, purpose, now);
  }

  /**
   * The second-factor requirement of a sensitive operation: its refusal or recorded failure when it
   * is not met, otherwise the decision `then` makes. A disabled or merely pending factor asks for
   * nothing (an unconfirmed secret must not lock anyone out).
   *
   * A recovery code meets it like a dynamic code. Its `RecoveryCodeUsed` then comes first among the
   * decision's events, so the append that uses the code also retires it; a refusal by `then` records
   * nothing and leaves the code unused. Taking the rest of the decision as `then`, rather than
   * answering `null` as the other gates do, is what keeps a caller from forgetting that event.
   */
  function secondFactorGate(
    user: RegisteredUser,
    check: SecondFactorCheck | undefined,
    operation: SecondFactorOperation,
    now: Instant,
    then: () => Decision,
  ): Decision {
    const factor = user.secondFactor;
    if (factor.kind !== 'enabled') return then();
    if (isBefore(now, factor.lockedUntil))
      return reject(IDENTITY_ERROR.SECOND_FACTOR_LOCKED, 'too many wrong dynamic codes', { until: factor.lockedUntil });
    if (check === undefined)
      return reject(IDENTITY_ERROR.SECOND_FACTOR_REQUIRED, 'enter the dynamic code from your authenticator', { operation });
    const recoveryCodeHash = check.valid ? check.recoveryCodeHash : undefined;
    // The service matched the recovery code on the state it read; another command may have used it
    // since. Decided on the freshest state, a code no longer held is a wrong code like any other.
    const valid = check.valid && (recoveryCodeHash === undefined || factor.recoveryCodeHashes.includes(recoveryCodeHash));
    if (!valid) return secondFactorFailure(user, factor.failures, operation, now);
    const decision = then();
    if (recoveryCodeHash === undefined || isRejection(decision)) return decision;
    const used: UserEvent = {
      type: IDENTITY_EVENT.RecoveryCodeUsed,
      data: {
        userId: user.userId,
        codeHash: recoveryCodeHash,
        codesLeft: factor.recoveryCodeHashes.filter((hash) => hash !== recoveryCodeHash).length,
        at: at(now),
      },
    };
    return [used, ...decision];
  }

  /** A wrong dynamic code, counted toward the second-factor lock (and the lock with its alert at the limit). */
  function secondFactorFailure(user: RegisteredUser, failures: Instant[], operation: SecondFactorOperation, now: Instant): UserEvent[] {
    const failuresInWindow = within(failures, now, policy.secondFactorFailureWindowMs).length + 1;
    const attemptsLeft = Math.max(0, policy.maxSecondFactorFailures - failuresInWindow);
    const events: UserEvent[] = [
      { type: IDENTITY_EVENT.SecondFactorFailed, data: { userId: user.userId, operation, failuresInWindow, attemptsLeft, at: at(now) } },
    ];
    if (attemptsLeft === 0) {
      events.push(
        {
          type: IDENTITY_EVENT.SecondFactorLocked,
          data: { userId: user.userId, lockedUntil: plusMs(now, policy.secondFactorLockMs), at: at(now) },
        },
        alert(user, 'second_factor_locked', 'high', `${failuresInWindow} wrong dynamic codes`, now),
      );
    }
    return events;
  }

  return { alert, loginFailure, paymentPasswordGate, secondFactorGate };
}
