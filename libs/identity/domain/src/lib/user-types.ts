/** The user aggregate's vocabulary: its commands and its state (stream `user-<userId>`). */
import type { Decider } from '@ledger/util';
import type { IdentityRejection } from './codes';
import type { FreezeActor, PaymentPasswordPurpose, RiskSeverity, RiskSignal, UserEvent } from './events';
import type { MaintenanceStatus } from './maintenance';
import type { PasswordCheck } from './password-policy';
import type { Instant } from './time';
import type { CodeProof } from './verification-code';

export type UserCommand =
  | RegisterUser
  | Login
  | VerifyDevice
  | ChangeLoginPassword
  | SetPaymentPassword
  | ChangePaymentPassword
  | ResetPaymentPassword
  | VerifyPaymentPassword
  | VerifySecondFactor
  | EnableSecondFactor
  | ConfirmSecondFactor
  | DisableSecondFactor
  | ResetSecondFactor
  | FreezeAccount
  | UnfreezeAccount
  | RaiseRiskAlert
  | VerifyIdentity;

interface UserCommandBase {
  userId: string;
  now: Instant;
}

/**
 * What the service found when it checked the dynamic code a command carries (absent: no code was
 * given). A code may be the authenticator's TOTP code or one of the user's recovery codes; for a
 * recovery code, `recoveryCodeHash` is the stored hash it matched, which the decider retires with a
 * `RecoveryCodeUsed` event. The hashing happens in the service; the decider only compares hashes.
 */
export type SecondFactorCheck = { valid: false } | { valid: true; recoveryCodeHash?: string };

/**
 * Errors: SYSTEM_MAINTENANCE, USER_ALREADY_EXISTS, WEAK_PASSWORD. (PHONE_ALREADY_REGISTERED comes
 * from the phone reservation, INVALID_CODE/CODE_EXPIRED from the verification code.)
 */
export interface RegisterUser extends UserCommandBase {
  type: 'RegisterUser';
  phoneHash: string;
  maskedPhone: string;
  name: string;
  idNumberCiphertext?: string;
  loginPasswordHash: string;
  /** `checkLoginPassword(plaintext, { phone })`, run by the service before hashing. */
  passwordCheck: PasswordCheck;
  /** A consumed `registration` code for this phone. */
  verification: CodeProof;
  /** `maintenanceStatusAt(maintenanceState, now)`. */
  maintenance: MaintenanceStatus;
  deviceId?: string;
}

/**
 * Errors: USER_NOT_FOUND, LOGIN_LOCKED, INVALID_CREDENTIALS (recorded), SECOND_FACTOR_LOCKED,
 * SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR (recorded), STEP_UP_REQUIRED, INVALID_CODE.
 * A frozen account can still log in (it can read its history, and it must, to unfreeze).
 */
export interface Login extends UserCommandBase {
  type: 'Login';
  deviceId: string;
  passwordValid: boolean;
  /** Absent: no step-up code given. True: a `login_step_up` code was consumed. False: the code was refused. */
  stepUpCodeValid?: boolean;
  /** Absent: no dynamic code given. Otherwise the service's check of it. */
  secondFactor?: SecondFactorCheck;
}

/**
 * A payment's SMS step-up from a new device: a consumed `login_step_up` code to the bound phone
 * makes the device known (as a login from it would). Errors: USER_NOT_FOUND (the code failures come
 * from the verification code).
 */
export interface VerifyDevice extends UserCommandBase {
  type: 'VerifyDevice';
  deviceId: string;
  verification: CodeProof;
}

/** Errors: USER_NOT_FOUND, WEAK_PASSWORD, LOGIN_LOCKED, INVALID_CREDENTIALS (recorded), second-factor codes. */
export interface ChangeLoginPassword extends UserCommandBase {
  type: 'ChangeLoginPassword';
  currentPasswordValid: boolean;
  newLoginPasswordHash: string;
  passwordCheck: PasswordCheck;
  secondFactor?: SecondFactorCheck;
}

/** Errors: USER_NOT_FOUND, PAYMENT_PASSWORD_ALREADY_SET, WEAK_PASSWORD, second-factor codes. */
export interface SetPaymentPassword extends UserCommandBase {
  type: 'SetPaymentPassword';
  paymentPasswordHash: string;
  passwordCheck: PasswordCheck;
  secondFactor?: SecondFactorCheck;
}

/** Errors: USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, WEAK_PASSWORD, PAYMENT_PASSWORD_LOCKED, WRONG_PAYMENT_PASSWORD (recorded), second-factor codes. */
export interface ChangePaymentPassword extends UserCommandBase {
  type: 'ChangePaymentPassword';
  oldPasswordMatches: boolean;
  newPaymentPasswordHash: string;
  passwordCheck: PasswordCheck;
  secondFactor?: SecondFactorCheck;
}

/**
 * "Forgot payment password": a consumed `payment_password_reset` code to the bound phone replaces
 * the password and lifts any payment-password lock (the SMS proves the owner, which is exactly
 * what the lock was waiting for). Errors: USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, WEAK_PASSWORD,
 * second-factor codes. As for an unfreeze, the code is consumed only once everything else passes:
 * without `verification` the command only records a wrong dynamic code.
 */
export interface ResetPaymentPassword extends UserCommandBase {
  type: 'ResetPaymentPassword';
  verification: CodeProof | undefined;
  newPaymentPasswordHash: string;
  passwordCheck: PasswordCheck;
  secondFactor?: SecondFactorCheck;
}

/**
 * Used by cards and payments. Accepted with no events (or `PaymentPasswordVerified` when it clears
 * earlier failures, `RecoveryCodeUsed` when a recovery code stood in for the dynamic code) means
 * verified. Errors: USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, ACCOUNT_FROZEN (money-moving purposes
 * only), PAYMENT_PASSWORD_LOCKED, WRONG_PAYMENT_PASSWORD (recorded), and when the second factor is on
 * and the check asks for it (see `asksForSecondFactor` in user.ts) the second-factor codes.
 */
export interface VerifyPaymentPassword extends UserCommandBase {
  type: 'VerifyPaymentPassword';
  purpose: PaymentPasswordPurpose;
  matches: boolean;
  /**
   * The amount of the money movement being authorized (fen). A money-moving purpose without it is
   * treated as above the second-factor threshold: an amount nobody stated cannot be shown to be small.
   */
  amountMinor?: bigint;
  /** The caller's risk rules found that the money movement comes from a device the user has never paid from. */
  newDevice?: boolean;
  /** Absent: no dynamic code given. Otherwise the service's check of it. */
  secondFactor?: SecondFactorCheck;
}

/**
 * The second factor alone, for an operation that has no payment password to check (binding a card):
 * accepted with no events when the factor is off or merely pending, or when the code passes
 * (`RecoveryCodeUsed` for a recovery code). Errors: USER_NOT_FOUND, SECOND_FACTOR_LOCKED,
 * SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR (recorded).
 */
export interface VerifySecondFactor extends UserCommandBase {
  type: 'VerifySecondFactor';
  purpose: CardPurpose;
  secondFactor?: SecondFactorCheck;
}

/**
 * Starts an enrollment: the factor becomes pending with this secret and protects nothing until
 * `ConfirmSecondFactor`. Repeated while pending, it starts over with the new secret (the user may
 * have lost or mistyped the first one). Errors: USER_NOT_FOUND, SECOND_FACTOR_ALREADY_ENABLED.
 */
export interface EnableSecondFactor extends UserCommandBase {
  type: 'EnableSecondFactor';
  /** The TOTP secret, field-encrypted by the service; the provisioning URI is returned once, never stored. */
  secretCiphertext: string;
}

/**
 * Turns a pending factor on once the user proves the authenticator holds its secret, so that a
 * secret mistyped into the app can never lock its owner out. A wrong code records nothing and
 * leaves the enrollment pending: the pending secret protects nothing yet, and whoever may send this
 * command (the user's own session) could read the secret by starting an enrollment anyway, so a
 * guessed code gains nothing, while a failure count would only let typos lock the user out of the
 * very step meant to prevent lockouts. Errors: USER_NOT_FOUND, SECOND_FACTOR_NOT_PENDING,
 * SECOND_FACTOR_CODE_INVALID.
 */
export interface ConfirmSecondFactor extends UserCommandBase {
  type: 'ConfirmSecondFactor';
  /** The service's TOTP check of the code against the pending secret of the state decided on. */
  codeValid: boolean;
  /** Keyed hashes of the recovery codes issued with this confirmation (the codes go to the user only). */
  recoveryCodeHashes: string[];
}

/** Errors: USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED, SECOND_FACTOR_LOCKED, SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR (recorded). */
export interface DisableSecondFactor extends UserCommandBase {
  type: 'DisableSecondFactor';
  secondFactor?: SecondFactorCheck;
}

/** Customer service removes a lost authenticator after verifying the caller (docs/spec.md item 21). Errors: USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED. */
export interface ResetSecondFactor extends UserCommandBase {
  type: 'ResetSecondFactor';
  supportAgentId: string;
  /** Where the identity check is documented (ticket, call recording id). */
  verificationReference: string;
}

/** Errors: USER_NOT_FOUND, ALREADY_FROZEN. */
export interface FreezeAccount extends UserCommandBase {
  type: 'FreezeAccount';
  reason: string;
  actor: FreezeActor;
}

/**
 * The user's `verification` is the consumed `unfreeze` SMS code. The service consumes it only once
 * everything else would pass, so a mistyped password does not burn it: it sends the command
 * without the proof to record such a failure, and the decider refuses to unfreeze without one.
 */
export type UnfreezeActor =
  | { kind: 'user'; verification: CodeProof | undefined; paymentPasswordMatches: boolean; secondFactor?: SecondFactorCheck }
  | { kind: 'support'; agentId: string; verificationReference: string };

/**
 * Errors: USER_NOT_FOUND, NOT_FROZEN, UNFREEZE_REQUIRES_SUPPORT (a risk-control freeze, by the
 * user), and for the user path PAYMENT_PASSWORD_NOT_SET, PAYMENT_PASSWORD_LOCKED,
 * WRONG_PAYMENT_PASSWORD (recorded) and second-factor codes.
 */
export interface UnfreezeAccount extends UserCommandBase {
  type: 'UnfreezeAccount';
  actor: UnfreezeActor;
}

/**
 * A signal from outside identity (payment risk rules). With `protect` the account is also frozen
 * by risk control, unless it already is. Errors: USER_NOT_FOUND.
 */
export interface RaiseRiskAlert extends UserCommandBase {
  type: 'RaiseRiskAlert';
  signal: RiskSignal;
  severity: RiskSeverity;
  description: string;
  /** The rule or system that raised it. */
  source: string;
  protect: boolean;
}

/**
 * The user verifies their identity with a resident ID number (checked and encrypted by the service)
 * after registering without one. Errors: USER_NOT_FOUND, IDENTITY_ALREADY_VERIFIED.
 */
export interface VerifyIdentity extends UserCommandBase {
  type: 'VerifyIdentity';
  idNumberCiphertext: string;
}

export type PaymentPasswordState =
  { kind: 'not_set' } | { kind: 'set'; hash: string; consecutiveFailures: number; lockedUntil: Instant | null };

/**
 * `pending`: an enrollment waits for its confirmation and asks for nothing yet. `enabled`: the
 * factor guards the operations of `SecondFactorOperation`; `recoveryCodeHashes` are the recovery
 * codes not used yet (none for a factor enabled before recovery codes existed).
 */
export type SecondFactorState =
  | { kind: 'disabled' }
  | { kind: 'pending'; secretCiphertext: string; startedAt: Instant }
  | {
      kind: 'enabled';
      secretCiphertext: string;
      enabledAt: Instant;
      failures: Instant[];
      lockedUntil: Instant | null;
      recoveryCodeHashes: string[];
    };

export type FreezeState = { kind: 'active' } | { kind: 'frozen'; reason: string; actor: FreezeActor; frozenAt: Instant };

export interface RegisteredUser {
  status: 'registered';
  userId: string;
  phoneHash: string;
  maskedPhone: string;
  name: string;
  idNumberCiphertext: string | null;
  identityLevel: 'basic' | 'verified';
  loginPasswordHash: string;
  registeredAt: Instant;
  /** Most recently used last; bounded by `maxKnownDevices`. */
  knownDevices: string[];
  /** Recent failed logins, newest last, trimmed to `maxLoginFailures`. */
  loginFailures: Instant[];
  loginLockedUntil: Instant | null;
  lastLoginAt: Instant | null;
  paymentPassword: PaymentPasswordState;
  secondFactor: SecondFactorState;
  freeze: FreezeState;
  lastRiskAlertAt: Instant | null;
}

export type UserState = { status: 'unregistered' } | RegisteredUser;

/** Purposes that move money out of the wallet or a bound card, refused while frozen. */
export const MONEY_MOVEMENT_PURPOSES: ReadonlySet<PaymentPasswordPurpose> = new Set<PaymentPasswordPurpose>([
  'payment',
  'transfer',
  'bill_payment',
  'top_up',
  'withdrawal',
]);

/** Purposes that change the cards money can move to or from: they ask for the second factor whatever the amount. */
export type CardPurpose = Extract<PaymentPasswordPurpose, 'bind_card' | 'unbind_card'>;
export const CARD_PURPOSES: ReadonlySet<PaymentPasswordPurpose> = new Set<CardPurpose>(['bind_card', 'unbind_card']);

export function userStreamId(userId: string): string {
  return `user-${userId}`;
}

export type UserDecider = Decider<UserCommand, UserEvent, UserState, IdentityRejection>;
