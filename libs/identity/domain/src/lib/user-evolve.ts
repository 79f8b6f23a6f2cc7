import { assertNever } from '@ledger/util';
import { IDENTITY_EVENT, type UserEvent } from './events';
import type { IdentityPolicy } from './policy';
import type { PaymentPasswordState, RegisteredUser, SecondFactorState, UserState } from './user-types';

/** The user's state after one of its events, within the policy's bounds (known devices, failures kept). */
export function createUserEvolve(policy: Readonly<IdentityPolicy>): (state: UserState, event: UserEvent) => UserState {
  /** The device becomes the newest known one (the oldest drop out past the policy's bound). */
  const withKnownDevice = (user: RegisteredUser, deviceId: string): string[] =>
    [...user.knownDevices.filter((device) => device !== deviceId), deviceId].slice(-policy.maxKnownDevices);

  function evolveRegistered(
    user: RegisteredUser,
    event: Exclude<UserEvent, { type: typeof IDENTITY_EVENT.UserRegistered }>,
  ): RegisteredUser {
    switch (event.type) {
      case IDENTITY_EVENT.LoggedIn: {
        const devices = withKnownDevice(user, event.data.deviceId);
        const secondFactor: SecondFactorState =
          user.secondFactor.kind === 'enabled' && event.data.secondFactorUsed ? { ...user.secondFactor, failures: [] } : user.secondFactor;
        return { ...user, knownDevices: devices, loginFailures: [], lastLoginAt: event.data.at, secondFactor };
      }
      case IDENTITY_EVENT.DeviceVerified:
        return { ...user, knownDevices: withKnownDevice(user, event.data.deviceId) };
      case IDENTITY_EVENT.LoginFailed:
        return { ...user, loginFailures: [...user.loginFailures, event.data.at].slice(-policy.maxLoginFailures) };
      case IDENTITY_EVENT.LoginLocked:
        // The lock replaces the failures that caused it, so attempts start fresh once it ends.
        return { ...user, loginLockedUntil: event.data.lockedUntil, loginFailures: [] };
      case IDENTITY_EVENT.LoginPasswordChanged:
        return { ...user, loginPasswordHash: event.data.loginPasswordHash, loginFailures: [] };
      case IDENTITY_EVENT.PaymentPasswordSet:
      case IDENTITY_EVENT.PaymentPasswordChanged:
      case IDENTITY_EVENT.PaymentPasswordReset:
        return {
          ...user,
          paymentPassword: { kind: 'set', hash: event.data.paymentPasswordHash, consecutiveFailures: 0, lockedUntil: null },
        };
      case IDENTITY_EVENT.PaymentPasswordVerified:
        return user.paymentPassword.kind === 'set'
          ? { ...user, paymentPassword: { ...user.paymentPassword, consecutiveFailures: 0 } }
          : user;
      case IDENTITY_EVENT.PaymentPasswordVerificationFailed:
        return user.paymentPassword.kind === 'set'
          ? { ...user, paymentPassword: { ...user.paymentPassword, consecutiveFailures: event.data.consecutiveFailures } }
          : user;
      case IDENTITY_EVENT.PaymentPasswordLocked:
        return user.paymentPassword.kind === 'set'
          ? { ...user, paymentPassword: { ...user.paymentPassword, consecutiveFailures: 0, lockedUntil: event.data.lockedUntil } }
          : user;
      case IDENTITY_EVENT.SecondFactorEnrollmentStarted:
        return { ...user, secondFactor: { kind: 'pending', secretCiphertext: event.data.secretCiphertext, startedAt: event.data.at } };
      case IDENTITY_EVENT.SecondFactorEnabled:
        return {
          ...user,
          secondFactor: {
            kind: 'enabled',
            secretCiphertext: event.data.secretCiphertext,
            enabledAt: event.data.at,
            failures: [],
            lockedUntil: null,
            // Events stored before the confirmation step carry no recovery codes.
            recoveryCodeHashes: event.data.recoveryCodeHashes ?? [],
          },
        };
      case IDENTITY_EVENT.RecoveryCodeUsed:
        return user.secondFactor.kind === 'enabled'
          ? {
              ...user,
              secondFactor: {
                ...user.secondFactor,
                recoveryCodeHashes: user.secondFactor.recoveryCodeHashes.filter((hash) => hash !== event.data.codeHash),
              },
            }
          : user;
      case IDENTITY_EVENT.SecondFactorDisabled:
        return { ...user, secondFactor: { kind: 'disabled' } };
      case IDENTITY_EVENT.SecondFactorFailed:
        return user.secondFactor.kind === 'enabled'
          ? {
              ...user,
              secondFactor: {
                ...user.secondFactor,
                failures: [...user.secondFactor.failures, event.data.at].slice(-policy.maxSecondFactorFailures),
              },
            }
          : user;
      case IDENTITY_EVENT.SecondFactorLocked:
        return user.secondFactor.kind === 'enabled'
          ? { ...user, secondFactor: { ...user.secondFactor, failures: [], lockedUntil: event.data.lockedUntil } }
          : user;
      case IDENTITY_EVENT.AccountFrozen:
        return { ...user, freeze: { kind: 'frozen', reason: event.data.reason, actor: event.data.actor, frozenAt: event.data.at } };
      case IDENTITY_EVENT.AccountUnfrozen: {
        // The owner proved the payment password to unfreeze, which clears earlier wrong tries.
        const paymentPassword: PaymentPasswordState =
          event.data.actor.kind === 'user' && user.paymentPassword.kind === 'set'
            ? { ...user.paymentPassword, consecutiveFailures: 0 }
            : user.paymentPassword;
        return { ...user, freeze: { kind: 'active' }, paymentPassword };
      }
      case IDENTITY_EVENT.RiskAlertRaised:
        return { ...user, lastRiskAlertAt: event.data.at };
      case IDENTITY_EVENT.IdentityVerified:
        return { ...user, identityLevel: 'verified', idNumberCiphertext: event.data.idNumberCiphertext };
      default:
        return assertNever(event, 'user event');
    }
  }

  return (state, event) => {
    if (event.type === IDENTITY_EVENT.UserRegistered) {
      const data = event.data;
      return {
        status: 'registered',
        userId: data.userId,
        phoneHash: data.phoneHash,
        maskedPhone: data.maskedPhone,
        name: data.name,
        idNumberCiphertext: data.idNumberCiphertext,
        identityLevel: data.identityLevel,
        loginPasswordHash: data.loginPasswordHash,
        registeredAt: data.registeredAt,
        knownDevices: data.deviceId === null ? [] : [data.deviceId],
        loginFailures: [],
        loginLockedUntil: null,
        lastLoginAt: null,
        paymentPassword: { kind: 'not_set' },
        secondFactor: { kind: 'disabled' },
        freeze: { kind: 'active' },
        lastRiskAlertAt: null,
      };
    }
    // An event for a user that was never registered means a corrupt stream; fail loudly.
    if (state.status === 'unregistered') throw new Error(`${event.type} before identity.UserRegistered.v1`);
    return evolveRegistered(state, event);
  };
}
