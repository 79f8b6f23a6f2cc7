import { assertNever, reject } from '@ledger/util';
import { IDENTITY_ERROR, InvalidIdentityCommand } from './codes';
import { IDENTITY_EVENT } from './events';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from './policy';
import { instant, instantMs, isBefore, type Instant } from './time';
import { createUserEvolve } from './user-evolve';
import { createUserFreezeDecisions } from './user-freeze';
import { createUserGates, requireProof, requireText, weakPassword, type Decision } from './user-gates';
import { CARD_PURPOSES, MONEY_MOVEMENT_PURPOSES } from './user-types';
import type {
  ChangeLoginPassword,
  ConfirmSecondFactor,
  ChangePaymentPassword,
  DisableSecondFactor,
  EnableSecondFactor,
  Login,
  RegisterUser,
  RegisteredUser,
  ResetPaymentPassword,
  ResetSecondFactor,
  SetPaymentPassword,
  UserCommand,
  UserDecider,
  UserState,
  VerifyDevice,
  VerifyPaymentPassword,
  VerifySecondFactor,
} from './user-types';

export * from './user-types';

/**
 * The user aggregate (stream `user-<userId>`): who the user is and what proves it — login and
 * payment passwords, known devices, second factor, freeze state.
 *
 * Purity: every secret check happens in the service (argon2 / keyed-hash / TOTP verification) and
 * arrives as a boolean; every hash arrives ready-made; password strength arrives as the result of
 * `checkLoginPassword`/`checkPaymentPassword`; codes arrive as a `CodeProof` from a consumed
 * verification code. The decider only counts, locks and decides.
 *
 * Recorded failures: a wrong login password, payment password or dynamic code must be *recorded*
 * (that is what makes lockout work), so those decisions return events (`LoginFailed`,
 * `PaymentPasswordVerificationFailed`, `SecondFactorFailed`, plus a lock and a risk alert at the
 * limit) rather than a rejection. `outcomeOf` turns them into the caller's rejection code
 * (`INVALID_CREDENTIALS`, `WRONG_PAYMENT_PASSWORD`, …) after the service has appended them. A
 * handler that only knew `Event[] | Rejection` would therefore still append them: it can never
 * lose a failure and open the door to brute force.
 *
 * Second factor: enabling it starts an enrollment (pending) that turns it on only once the user
 * confirms a code from the authenticator. When enabled it is required on login and on the
 * operations listed in `SecondFactorOperation`, and on the payment-password checks that protect
 * money and cards: a money movement above `secondFactorAboveMinor`, binding or unbinding a card,
 * and any money movement from a device the user has never paid from. Smaller payments from a
 * known device keep to the payment password alone. A recovery code issued at confirmation stands
 * in for a dynamic code, once.
 */
export function createUserDecider(policy: Readonly<IdentityPolicy> = DEFAULT_IDENTITY_POLICY): UserDecider {
  const at = (now: Instant): Instant => instant(now);

  const { loginFailure, paymentPasswordGate, secondFactorGate } = createUserGates(policy);
  const { freeze, unfreeze, raiseRiskAlert } = createUserFreezeDecisions(policy);

  function register(command: RegisterUser, state: UserState): Decision {
    if (command.maintenance.active) {
      return reject(IDENTITY_ERROR.SYSTEM_MAINTENANCE, command.maintenance.message, {
        until: command.maintenance.until,
        retryAfterMs: Math.max(0, instantMs(command.maintenance.until) - instantMs(command.now)),
        message: command.maintenance.message,
      });
    }
    if (state.status === 'registered') return reject(IDENTITY_ERROR.USER_ALREADY_EXISTS, 'this user is already registered');
    const weak = weakPassword(command.passwordCheck, 'loginPassword');
    if (weak !== null) return weak;
    requireText(command.phoneHash, 'phoneHash');
    requireText(command.maskedPhone, 'maskedPhone');
    requireText(command.name, 'name');
    requireText(command.loginPasswordHash, 'loginPasswordHash');
    requireProof(command.verification, 'registration', command.phoneHash);
    const idNumberCiphertext =
      command.idNumberCiphertext === undefined || command.idNumberCiphertext === '' ? null : command.idNumberCiphertext;
    return [
      {
        type: IDENTITY_EVENT.UserRegistered,
        data: {
          userId: command.userId,
          phoneHash: command.phoneHash,
          maskedPhone: command.maskedPhone,
          name: command.name.trim(),
          idNumberCiphertext,
          identityLevel: idNumberCiphertext === null ? 'basic' : 'verified',
          loginPasswordHash: command.loginPasswordHash,
          verificationCodeId: command.verification.codeId,
          deviceId: command.deviceId ?? null,
          registeredAt: at(command.now),
        },
      },
    ];
  }

  function login(command: Login, user: RegisteredUser): Decision {
    requireText(command.deviceId, 'deviceId');
    if (isBefore(command.now, user.loginLockedUntil))
      return reject(IDENTITY_ERROR.LOGIN_LOCKED, 'login is locked after repeated failures', { until: user.loginLockedUntil });
    if (!command.passwordValid) return loginFailure(user, command.deviceId, command.now);
    return secondFactorGate(user, command.secondFactor, 'login', command.now, () => {
      const newDevice = !user.knownDevices.includes(command.deviceId);
      if (newDevice) {
        if (command.stepUpCodeValid === undefined) {
          return reject(IDENTITY_ERROR.STEP_UP_REQUIRED, 'new device: confirm with the SMS code sent to your phone', {
            deviceId: command.deviceId,
            purpose: 'login_step_up',
          });
        }
        // The code aggregate already counted the wrong try; nothing to record here.
        if (!command.stepUpCodeValid) return reject(IDENTITY_ERROR.INVALID_CODE, 'the SMS code is not valid', { purpose: 'login_step_up' });
      }
      return [
        {
          type: IDENTITY_EVENT.LoggedIn,
          data: {
            userId: user.userId,
            deviceId: command.deviceId,
            newDevice,
            secondFactorUsed: user.secondFactor.kind === 'enabled',
            at: at(command.now),
          },
        },
      ];
    });
  }

  function verifyDevice(command: VerifyDevice, user: RegisteredUser): Decision {
    requireText(command.deviceId, 'deviceId');
    requireProof(command.verification, 'login_step_up', user.phoneHash);
    return [
      {
        type: IDENTITY_EVENT.DeviceVerified,
        data: { userId: user.userId, deviceId: command.deviceId, verificationCodeId: command.verification.codeId, at: at(command.now) },
      },
    ];
  }

  function changeLoginPassword(command: ChangeLoginPassword, user: RegisteredUser): Decision {
    const weak = weakPassword(command.passwordCheck, 'loginPassword');
    if (weak !== null) return weak;
    requireText(command.newLoginPasswordHash, 'newLoginPasswordHash');
    if (isBefore(command.now, user.loginLockedUntil))
      return reject(IDENTITY_ERROR.LOGIN_LOCKED, 'login is locked after repeated failures', { until: user.loginLockedUntil });
    // A wrong current password counts like a failed login: otherwise this would be an unlimited password oracle.
    if (!command.currentPasswordValid) return loginFailure(user, null, command.now);
    return secondFactorGate(user, command.secondFactor, 'change_login_password', command.now, () => [
      {
        type: IDENTITY_EVENT.LoginPasswordChanged,
        data: { userId: user.userId, loginPasswordHash: command.newLoginPasswordHash, at: at(command.now) },
      },
    ]);
  }

  function setPaymentPassword(command: SetPaymentPassword, user: RegisteredUser): Decision {
    if (user.paymentPassword.kind === 'set')
      return reject(IDENTITY_ERROR.PAYMENT_PASSWORD_ALREADY_SET, 'a payment password is already set; change or reset it instead');
    const weak = weakPassword(command.passwordCheck, 'paymentPassword');
    if (weak !== null) return weak;
    requireText(command.paymentPasswordHash, 'paymentPasswordHash');
    return secondFactorGate(user, command.secondFactor, 'set_payment_password', command.now, () => [
      {
        type: IDENTITY_EVENT.PaymentPasswordSet,
        data: { userId: user.userId, paymentPasswordHash: command.paymentPasswordHash, at: at(command.now) },
      },
    ]);
  }

  function changePaymentPassword(command: ChangePaymentPassword, user: RegisteredUser): Decision {
    if (user.paymentPassword.kind === 'not_set') return reject(IDENTITY_ERROR.PAYMENT_PASSWORD_NOT_SET, 'set a payment password first');
    const weak = weakPassword(command.passwordCheck, 'paymentPassword');
    if (weak !== null) return weak;
    requireText(command.newPaymentPasswordHash, 'newPaymentPasswordHash');
    const password = paymentPasswordGate(user, command.oldPasswordMatches, 'change_payment_password', command.now);
    if (password !== null) return password;
    return secondFactorGate(user, command.secondFactor, 'change_payment_password', command.now, () => [
      {
        type: IDENTITY_EVENT.PaymentPasswordChanged,
        data: { userId: user.userId, paymentPasswordHash: command.newPaymentPasswordHash, at: at(command.now) },
      },
    ]);
  }

  function resetPaymentPassword(command: ResetPaymentPassword, user: RegisteredUser): Decision {
    if (user.paymentPassword.kind === 'not_set')
      return reject(IDENTITY_ERROR.PAYMENT_PASSWORD_NOT_SET, 'no payment password to reset; set one instead');
    const weak = weakPassword(command.passwordCheck, 'paymentPassword');
    if (weak !== null) return weak;
    requireText(command.newPaymentPasswordHash, 'newPaymentPasswordHash');
    if (command.verification !== undefined) requireProof(command.verification, 'payment_password_reset', user.phoneHash);
    const verification = command.verification;
    return secondFactorGate(user, command.secondFactor, 'reset_payment_password', command.now, () => {
      if (verification === undefined) throw new InvalidIdentityCommand('a payment password reset needs its consumed SMS code');
      return [
        {
          type: IDENTITY_EVENT.PaymentPasswordReset,
          data: {
            userId: user.userId,
            paymentPasswordHash: command.newPaymentPasswordHash,
            verificationCodeId: verification.codeId,
            at: at(command.now),
          },
        },
      ];
    });
  }

  /**
   * Whether a payment-password check also asks for the second factor (when it is on): a card
   * changes where money can go, a new device is where a stolen password is most likely typed, and
   * above the threshold the loss a password alone could cause is too large.
   */
  function asksForSecondFactor(command: VerifyPaymentPassword): boolean {
    if (command.newDevice === true || CARD_PURPOSES.has(command.purpose)) return true;
    if (!MONEY_MOVEMENT_PURPOSES.has(command.purpose)) return false;
    return command.amountMinor === undefined || command.amountMinor > policy.secondFactorAboveMinor;
  }

  function verifyPaymentPassword(command: VerifyPaymentPassword, user: RegisteredUser): Decision {
    if (user.paymentPassword.kind === 'not_set') return reject(IDENTITY_ERROR.PAYMENT_PASSWORD_NOT_SET, 'set a payment password first');
    // Frozen is checked before the password so that a frozen wallet neither pays nor burns attempts.
    if (user.freeze.kind === 'frozen' && MONEY_MOVEMENT_PURPOSES.has(command.purpose)) {
      return reject(IDENTITY_ERROR.ACCOUNT_FROZEN, 'the wallet is frozen; no money can move', {
        frozenAt: user.freeze.frozenAt,
        reason: user.freeze.reason,
        purpose: command.purpose,
      });
    }
    // The password comes before the second factor, so a wrong password never costs a dynamic-code attempt.
    const password = paymentPasswordGate(user, command.matches, command.purpose, command.now);
    if (password !== null) return password;
    const clearedFailures = user.paymentPassword.consecutiveFailures;
    const verified = (): Decision =>
      // A plain success changes no state, so it records nothing: the user stream does not grow with every payment.
      clearedFailures === 0
        ? []
        : [
            {
              type: IDENTITY_EVENT.PaymentPasswordVerified,
              data: { userId: user.userId, purpose: command.purpose, clearedFailures, at: at(command.now) },
            },
          ];
    if (!asksForSecondFactor(command)) return verified();
    return secondFactorGate(user, command.secondFactor, command.purpose, command.now, verified);
  }

  function verifySecondFactor(command: VerifySecondFactor, user: RegisteredUser): Decision {
    // Nothing to record on success: like a plain password check, a passed gate changes no state.
    return secondFactorGate(user, command.secondFactor, command.purpose, command.now, () => []);
  }

  function enableSecondFactor(command: EnableSecondFactor, user: RegisteredUser): Decision {
    if (user.secondFactor.kind === 'enabled')
      return reject(IDENTITY_ERROR.SECOND_FACTOR_ALREADY_ENABLED, 'the second factor is already enabled');
    requireText(command.secretCiphertext, 'secretCiphertext');
    // While pending this starts over: the new secret replaces one the user may have lost or mistyped.
    return [
      {
        type: IDENTITY_EVENT.SecondFactorEnrollmentStarted,
        data: { userId: user.userId, secretCiphertext: command.secretCiphertext, at: at(command.now) },
      },
    ];
  }

  function confirmSecondFactor(command: ConfirmSecondFactor, user: RegisteredUser): Decision {
    const factor = user.secondFactor;
    if (factor.kind !== 'pending')
      return reject(IDENTITY_ERROR.SECOND_FACTOR_NOT_PENDING, 'no second-factor enrollment is waiting for confirmation', {
        secondFactor: factor.kind,
      });
    // Nothing recorded (see ConfirmSecondFactor): the enrollment stays pending for another try.
    if (!command.codeValid)
      return reject(IDENTITY_ERROR.SECOND_FACTOR_CODE_INVALID, 'the code does not match the authenticator being set up');
    command.recoveryCodeHashes.forEach((hash, index) => requireText(hash, `recoveryCodeHashes[${index}]`));
    if (new Set(command.recoveryCodeHashes).size !== command.recoveryCodeHashes.length)
      throw new InvalidIdentityCommand('recovery code hashes must be distinct');
    return [
      {
        type: IDENTITY_EVENT.SecondFactorEnabled,
        data: {
          userId: user.userId,
          secretCiphertext: factor.secretCiphertext,
          recoveryCodeHashes: [...command.recoveryCodeHashes],
          at: at(command.now),
        },
      },
    ];
  }

  function disableSecondFactor(command: DisableSecondFactor, user: RegisteredUser): Decision {
    // A pending enrollment protects nothing, so there is nothing to turn off; a new enrollment replaces it.
    if (user.secondFactor.kind !== 'enabled') return reject(IDENTITY_ERROR.SECOND_FACTOR_NOT_ENABLED, 'the second factor is not enabled');
    return secondFactorGate(user, command.secondFactor, 'disable_second_factor', command.now, () => [
      {
        type: IDENTITY_EVENT.SecondFactorDisabled,
        data: { userId: user.userId, by: 'user', supportAgentId: null, verificationReference: null, at: at(command.now) },
      },
    ]);
  }

  function resetSecondFactor(command: ResetSecondFactor, user: RegisteredUser): Decision {
    requireText(command.supportAgentId, 'supportAgentId');
    requireText(command.verificationReference, 'verificationReference');
    if (user.secondFactor.kind !== 'enabled') return reject(IDENTITY_ERROR.SECOND_FACTOR_NOT_ENABLED, 'the second factor is not enabled');
    return [
      {
        type: IDENTITY_EVENT.SecondFactorDisabled,
        data: {
          userId: user.userId,
          by: 'support',
          supportAgentId: command.supportAgentId,
          verificationReference: command.verificationReference,
          at: at(command.now),
        },
      },
    ];
  }

  function decide(command: UserCommand, state: UserState): Decision {
    requireText(command.userId, 'userId');
    if (state.status === 'registered' && state.userId !== command.userId)
      throw new InvalidIdentityCommand('command is for another user than this stream');
    if (command.type === 'RegisterUser') return register(command, state);
    if (state.status === 'unregistered') return reject(IDENTITY_ERROR.USER_NOT_FOUND, 'no such user', { userId: command.userId });
    switch (command.type) {
      case 'Login':
        return login(command, state);
      case 'VerifyDevice':
        return verifyDevice(command, state);
      case 'ChangeLoginPassword':
        return changeLoginPassword(command, state);
      case 'SetPaymentPassword':
        return setPaymentPassword(command, state);
      case 'ChangePaymentPassword':
        return changePaymentPassword(command, state);
      case 'ResetPaymentPassword':
        return resetPaymentPassword(command, state);
      case 'VerifyPaymentPassword':
        return verifyPaymentPassword(command, state);
      case 'VerifySecondFactor':
        return verifySecondFactor(command, state);
      case 'VerifyIdentity':
        if (state.identityLevel === 'verified') return reject(IDENTITY_ERROR.IDENTITY_ALREADY_VERIFIED, 'the identity is verified already');
        requireText(command.idNumberCiphertext, 'idNumberCiphertext');
        return [
          {
            type: IDENTITY_EVENT.IdentityVerified,
            data: { userId: state.userId, identityLevel: 'verified', idNumberCiphertext: command.idNumberCiphertext, at: at(command.now) },
          },
        ];
      case 'EnableSecondFactor':
        return enableSecondFactor(command, state);
      case 'ConfirmSecondFactor':
        return confirmSecondFactor(command, state);
      case 'DisableSecondFactor':
        return disableSecondFactor(command, state);
      case 'ResetSecondFactor':
        return resetSecondFactor(command, state);
      case 'FreezeAccount':
        return freeze(command, state);
      case 'UnfreezeAccount':
        return unfreeze(command, state);
      case 'RaiseRiskAlert':
        return raiseRiskAlert(command, state);
      default:
        return assertNever(command, 'user command');
    }
  }

  return { initialState: () => ({ status: 'unregistered' }), decide, evolve: createUserEvolve(policy) };
}

export const userDecider = createUserDecider();
