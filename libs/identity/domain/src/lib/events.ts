import type { Instant } from './time';

/**
 * Event type names: explicit, versioned strings (docs/design.md §2), never derived from class names, so a
 * refactor cannot change what is already in the event store. Events carry data only; the service
 * adds metadata (event id, correlation, causation, actor, occurred-at, schema version).
 *
 * No event holds a secret in plain text: passwords and codes appear only as hashes, the ID number
 * and the TOTP secret only as field-encrypted ciphertexts, the phone as fingerprint + mask.
 */
export const IDENTITY_EVENT = {
  VerificationCodeIssued: 'identity.VerificationCodeIssued.v1',
  VerificationCodeAttemptFailed: 'identity.VerificationCodeAttemptFailed.v1',
  VerificationCodeConsumed: 'identity.VerificationCodeConsumed.v1',

  PhoneReserved: 'identity.PhoneReserved.v1',
  PhoneReservationReleased: 'identity.PhoneReservationReleased.v1',

  UserRegistered: 'identity.UserRegistered.v1',
  LoggedIn: 'identity.LoggedIn.v1',
  DeviceVerified: 'identity.DeviceVerified.v1',
  LoginFailed: 'identity.LoginFailed.v1',
  LoginLocked: 'identity.LoginLocked.v1',
  LoginPasswordChanged: 'identity.LoginPasswordChanged.v1',
  PaymentPasswordSet: 'identity.PaymentPasswordSet.v1',
  PaymentPasswordChanged: 'identity.PaymentPasswordChanged.v1',
  PaymentPasswordReset: 'identity.PaymentPasswordReset.v1',
  PaymentPasswordVerified: 'identity.PaymentPasswordVerified.v1',
  PaymentPasswordVerificationFailed: 'identity.PaymentPasswordVerificationFailed.v1',
  PaymentPasswordLocked: 'identity.PaymentPasswordLocked.v1',
  SecondFactorEnrollmentStarted: 'identity.SecondFactorEnrollmentStarted.v1',
  SecondFactorEnabled: 'identity.SecondFactorEnabled.v1',
  SecondFactorDisabled: 'identity.SecondFactorDisabled.v1',
  SecondFactorFailed: 'identity.SecondFactorFailed.v1',
  SecondFactorLocked: 'identity.SecondFactorLocked.v1',
  RecoveryCodeUsed: 'identity.RecoveryCodeUsed.v1',
  AccountFrozen: 'identity.AccountFrozen.v1',
  AccountUnfrozen: 'identity.AccountUnfrozen.v1',
  RiskAlertRaised: 'identity.RiskAlertRaised.v1',
  IdentityVerified: 'identity.IdentityVerified.v1',

  MaintenanceModeSet: 'identity.MaintenanceModeSet.v1',

  StaffLoggedIn: 'identity.StaffLoggedIn.v1',
  StaffLoginFailed: 'identity.StaffLoginFailed.v1',
  StaffLoginLocked: 'identity.StaffLoginLocked.v1',
} as const;

export type IdentityEventType = (typeof IDENTITY_EVENT)[keyof typeof IDENTITY_EVENT];

export const IDENTITY_EVENT_TYPES: readonly IdentityEventType[] = Object.values(IDENTITY_EVENT);

type Event<Type extends IdentityEventType, Data> = { readonly type: Type; readonly data: Data };

// ---------------------------------------------------------------- verification codes

/** What a code proves; a code issued for one purpose never serves another. */
export type VerificationPurpose = 'registration' | 'payment_password_reset' | 'login_step_up' | 'unfreeze';
export const VERIFICATION_PURPOSES: readonly VerificationPurpose[] = [
  'registration',
  'payment_password_reset',
  'login_step_up',
  'unfreeze',
];

export type VerificationCodeIssued = Event<
  typeof IDENTITY_EVENT.VerificationCodeIssued,
  {
    phoneHash: string;
    purpose: VerificationPurpose;
    codeId: string;
    /** Keyed hash of the code; the code itself goes only to the handset. */
    codeHash: string;
    issuedAt: Instant;
    expiresAt: Instant;
    resendAllowedAt: Instant;
    /** The still-pending code this one replaces (a resend), if any. */
    replacesCodeId: string | null;
  }
>;
export type VerificationCodeAttemptFailed = Event<
  typeof IDENTITY_EVENT.VerificationCodeAttemptFailed,
  { phoneHash: string; purpose: VerificationPurpose; codeId: string; failedAttempts: number; attemptsLeft: number; at: Instant }
>;
export type VerificationCodeConsumed = Event<
  typeof IDENTITY_EVENT.VerificationCodeConsumed,
  { phoneHash: string; purpose: VerificationPurpose; codeId: string; consumedAt: Instant }
>;

export type VerificationCodeEvent = VerificationCodeIssued | VerificationCodeAttemptFailed | VerificationCodeConsumed;

// ---------------------------------------------------------------- phone reservation

export type PhoneReserved = Event<typeof IDENTITY_EVENT.PhoneReserved, { phoneHash: string; userId: string; reservedAt: Instant }>;
export type PhoneReservationReleased = Event<
  typeof IDENTITY_EVENT.PhoneReservationReleased,
  { phoneHash: string; userId: string; reason: string; releasedAt: Instant }
>;

export type PhoneReservationEvent = PhoneReserved | PhoneReservationReleased;

// ---------------------------------------------------------------- user

/**
 * Why a payment password is checked. Only the money-moving purposes are refused while the account
 * is frozen; the others (managing cards, unfreezing) must keep working for the owner.
 */
export type PaymentPasswordPurpose =
  | 'payment'
  | 'transfer'
  | 'bill_payment'
  | 'top_up'
  | 'withdrawal'
  | 'bind_card'
  | 'unbind_card'
  | 'change_payment_password'
  | 'unfreeze'
  | 'disable_second_factor';

/**
 * Operations that ask for the second factor when it is enabled (docs/spec.md item 5). A payment-password
 * check that asks for it too (a large money movement, a card, a payment from a new device) names
 * its purpose, so a recorded failure says what was being protected.
 */
export type SecondFactorOperation =
  | 'login'
  | 'set_payment_password'
  | 'change_payment_password'
  | 'reset_payment_password'
  | 'change_login_password'
  | 'disable_second_factor'
  | 'unfreeze'
  | PaymentPasswordPurpose;

export type RiskSignal =
  'repeated_login_failures' | 'payment_password_locked' | 'second_factor_locked' | 'suspicious_login' | 'suspicious_transactions';
export type RiskSeverity = 'low' | 'medium' | 'high';

/** Who froze the account: the owner (e.g. from another device), customer service, or risk control. */
export type FreezeActor = { kind: 'user' } | { kind: 'support'; agentId: string } | { kind: 'risk'; ruleId: string };
export type UnfreezeActorRecord = { kind: 'user' } | { kind: 'support'; agentId: string; verificationReference: string };

export type UserRegistered = Event<
  typeof IDENTITY_EVENT.UserRegistered,
  {
    userId: string;
    phoneHash: string;
    maskedPhone: string;
    name: string;
    /** Field-encrypted ID card number, present for a real-name verified wallet. */
    idNumberCiphertext: string | null;
    identityLevel: 'basic' | 'verified';
    /** argon2id PHC string. */
    loginPasswordHash: string;
    verificationCodeId: string;
    /** The device registration happened on becomes the first known device. */
    deviceId: string | null;
    registeredAt: Instant;
  }
>;
export type LoggedIn = Event<
  typeof IDENTITY_EVENT.LoggedIn,
  { userId: string; deviceId: string; newDevice: boolean; secondFactorUsed: boolean; at: Instant }
>;
/** A new device proved by a consumed `login_step_up` SMS code outside login (a payment's step-up): it is known from now on. */
export type DeviceVerified = Event<
  typeof IDENTITY_EVENT.DeviceVerified,
  { userId: string; deviceId: string; verificationCodeId: string; at: Instant }
>;
export type LoginFailed = Event<
  typeof IDENTITY_EVENT.LoginFailed,
  { userId: string; deviceId: string | null; failuresInWindow: number; attemptsLeft: number; at: Instant }
>;
export type LoginLocked = Event<typeof IDENTITY_EVENT.LoginLocked, { userId: string; lockedUntil: Instant; at: Instant }>;
export type LoginPasswordChanged = Event<
  typeof IDENTITY_EVENT.LoginPasswordChanged,
  { userId: string; loginPasswordHash: string; at: Instant }
>;
export type PaymentPasswordSet = Event<
  typeof IDENTITY_EVENT.PaymentPasswordSet,
  { userId: string; paymentPasswordHash: string; at: Instant }
>;
export type PaymentPasswordChanged = Event<
  typeof IDENTITY_EVENT.PaymentPasswordChanged,
  { userId: string; paymentPasswordHash: string; at: Instant }
>;
export type PaymentPasswordReset = Event<
  typeof IDENTITY_EVENT.PaymentPasswordReset,
  { userId: string; paymentPasswordHash: string; verificationCodeId: string; at: Instant }
>;
/** Recorded only when a success clears earlier failures; a plain success changes nothing and adds nothing. */
export type PaymentPasswordVerified = Event<
  typeof IDENTITY_EVENT.PaymentPasswordVerified,
  { userId: string; purpose: PaymentPasswordPurpose; clearedFailures: number; at: Instant }
>;
export type PaymentPasswordVerificationFailed = Event<
  typeof IDENTITY_EVENT.PaymentPasswordVerificationFailed,
  { userId: string; purpose: PaymentPasswordPurpose; consecutiveFailures: number; attemptsLeft: number; at: Instant }
>;
export type PaymentPasswordLocked = Event<
  typeof IDENTITY_EVENT.PaymentPasswordLocked,
  { userId: string; lockedUntil: Instant; at: Instant }
>;
/**
 * A new TOTP secret the user must prove before it protects anything: the factor is pending until
 * `SecondFactorEnabled`. A newer enrollment replaces a pending one.
 */
export type SecondFactorEnrollmentStarted = Event<
  typeof IDENTITY_EVENT.SecondFactorEnrollmentStarted,
  { userId: string; secretCiphertext: string; at: Instant }
>;
/**
 * The factor is on: recorded when the user confirms a pending enrollment with a code from the
 * authenticator. `recoveryCodeHashes` are keyed hashes of the one-time recovery codes issued then.
 * It is optional because events stored before the confirmation step existed (the factor turned on
 * at once) have none: they still evolve to an enabled factor, without recovery codes.
 */
export type SecondFactorEnabled = Event<
  typeof IDENTITY_EVENT.SecondFactorEnabled,
  { userId: string; secretCiphertext: string; recoveryCodeHashes?: string[]; at: Instant }
>;
export type SecondFactorDisabled = Event<
  typeof IDENTITY_EVENT.SecondFactorDisabled,
  { userId: string; by: 'user' | 'support'; supportAgentId: string | null; verificationReference: string | null; at: Instant }
>;
export type SecondFactorFailed = Event<
  typeof IDENTITY_EVENT.SecondFactorFailed,
  { userId: string; operation: SecondFactorOperation; failuresInWindow: number; attemptsLeft: number; at: Instant }
>;
export type SecondFactorLocked = Event<typeof IDENTITY_EVENT.SecondFactorLocked, { userId: string; lockedUntil: Instant; at: Instant }>;
/**
 * A recovery code stood in for a dynamic code. Recorded in the same decision as the operation it
 * allowed, so the code is retired by the very append that used it and never works twice.
 */
export type RecoveryCodeUsed = Event<
  typeof IDENTITY_EVENT.RecoveryCodeUsed,
  { userId: string; codeHash: string; codesLeft: number; at: Instant }
>;
export type AccountFrozen = Event<typeof IDENTITY_EVENT.AccountFrozen, { userId: string; reason: string; actor: FreezeActor; at: Instant }>;
export type AccountUnfrozen = Event<
  typeof IDENTITY_EVENT.AccountUnfrozen,
  { userId: string; actor: UnfreezeActorRecord; verificationCodeId: string | null; at: Instant }
>;
export type RiskAlertRaised = Event<
  typeof IDENTITY_EVENT.RiskAlertRaised,
  { userId: string; signal: RiskSignal; severity: RiskSeverity; description: string; source: string; at: Instant }
>;

/** A user registered without an ID number verified one later: the account (and its wallet's tier) is `verified` from now on. */
export type IdentityVerified = Event<
  typeof IDENTITY_EVENT.IdentityVerified,
  { userId: string; identityLevel: 'verified'; idNumberCiphertext: string; at: Instant }
>;

export type UserEvent =
  | UserRegistered
  | LoggedIn
  | DeviceVerified
  | LoginFailed
  | LoginLocked
  | LoginPasswordChanged
  | PaymentPasswordSet
  | PaymentPasswordChanged
  | PaymentPasswordReset
  | PaymentPasswordVerified
  | PaymentPasswordVerificationFailed
  | PaymentPasswordLocked
  | SecondFactorEnrollmentStarted
  | SecondFactorEnabled
  | SecondFactorDisabled
  | SecondFactorFailed
  | SecondFactorLocked
  | RecoveryCodeUsed
  | AccountFrozen
  | AccountUnfrozen
  | RiskAlertRaised
  | IdentityVerified;

// ---------------------------------------------------------------- maintenance

export type MaintenanceModeSet = Event<
  typeof IDENTITY_EVENT.MaintenanceModeSet,
  { on: boolean; until: Instant | null; message: string | null; operatorId: string; at: Instant }
>;

export type MaintenanceEvent = MaintenanceModeSet;

// ---------------------------------------------------------------- staff logins

/** Why a staff login failed, for the audit (the caller is told only INVALID_CREDENTIALS). */
export type StaffLoginFailure = 'password' | 'code' | 'code_reused';

/** `codeTimeStep`: the RFC 6238 time step of the authenticator code that opened the session; a code is accepted once. */
export type StaffLoggedIn = Event<
  typeof IDENTITY_EVENT.StaffLoggedIn,
  { agentId: string; role: string; codeTimeStep: number; at: Instant }
>;
export type StaffLoginFailed = Event<
  typeof IDENTITY_EVENT.StaffLoginFailed,
  { agentId: string; reason: StaffLoginFailure; failuresInWindow: number; at: Instant }
>;
export type StaffLoginLocked = Event<typeof IDENTITY_EVENT.StaffLoginLocked, { agentId: string; lockedUntil: Instant; at: Instant }>;

export type StaffEvent = StaffLoggedIn | StaffLoginFailed | StaffLoginLocked;

export type IdentityEvent = VerificationCodeEvent | PhoneReservationEvent | UserEvent | MaintenanceEvent | StaffEvent;
