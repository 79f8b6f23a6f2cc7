import type { DomainRejection } from '@ledger/util';

/**
 * Every stable rejection code the identity context can answer with. Clients branch on these, so a
 * code is never renamed or reused for another meaning; add a new one instead.
 */
export const IDENTITY_ERROR = {
  // Verification codes (SMS)
  /** Another code for this purpose was sent less than the cooldown ago. details: retryAfterMs, retryAt */
  RESEND_TOO_SOON: 'RESEND_TOO_SOON',
  /** The phone reached its hourly cap of codes (all purposes together). details: retryAfterMs, retryAt */
  TOO_MANY_CODES: 'TOO_MANY_CODES',
  /** Wrong code. details: attemptsLeft (0 means the code just died). */
  INVALID_CODE: 'INVALID_CODE',
  /** The code's lifetime is over; ask for a new one. details: expiredAt */
  CODE_EXPIRED: 'CODE_EXPIRED',
  /** The code already took its maximum of wrong tries; even the right digits no longer work. */
  CODE_ATTEMPTS_EXHAUSTED: 'CODE_ATTEMPTS_EXHAUSTED',
  /** The code was already used once. */
  CODE_ALREADY_USED: 'CODE_ALREADY_USED',
  /** No code was ever sent for this phone and purpose, or it was replaced by a newer one. */
  CODE_NOT_REQUESTED: 'CODE_NOT_REQUESTED',

  // Registration
  PHONE_ALREADY_REGISTERED: 'PHONE_ALREADY_REGISTERED',
  /** details: rule (which policy rule failed), field */
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  /** details: until, retryAfterMs, message */
  SYSTEM_MAINTENANCE: 'SYSTEM_MAINTENANCE',
  /** The user id is already taken (a retried registration with a fresh code, or an id collision). */
  USER_ALREADY_EXISTS: 'USER_ALREADY_EXISTS',
  USER_NOT_FOUND: 'USER_NOT_FOUND',

  // Login
  /** Wrong login password. details: attemptsLeft before the login lock */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** Too many failures; details: until */
  LOGIN_LOCKED: 'LOGIN_LOCKED',
  /** Login from an unknown device: repeat with an SMS step-up code (purpose login_step_up). details: deviceId */
  STEP_UP_REQUIRED: 'STEP_UP_REQUIRED',

  // Payment password
  PAYMENT_PASSWORD_NOT_SET: 'PAYMENT_PASSWORD_NOT_SET',
  PAYMENT_PASSWORD_ALREADY_SET: 'PAYMENT_PASSWORD_ALREADY_SET',
  /** details: attemptsLeft */
  WRONG_PAYMENT_PASSWORD: 'WRONG_PAYMENT_PASSWORD',
  /** details: lockedUntil */
  PAYMENT_PASSWORD_LOCKED: 'PAYMENT_PASSWORD_LOCKED',

  // Second factor (TOTP)
  SECOND_FACTOR_ALREADY_ENABLED: 'SECOND_FACTOR_ALREADY_ENABLED',
  SECOND_FACTOR_NOT_ENABLED: 'SECOND_FACTOR_NOT_ENABLED',
  /** The second factor is on and the command did not carry a code. */
  SECOND_FACTOR_REQUIRED: 'SECOND_FACTOR_REQUIRED',
  /** details: attemptsLeft before the second-factor lock */
  INVALID_SECOND_FACTOR: 'INVALID_SECOND_FACTOR',
  /** Too many wrong dynamic codes; details: until */
  SECOND_FACTOR_LOCKED: 'SECOND_FACTOR_LOCKED',
  /** Confirming an enrollment when none is pending (never started, or the factor is already on). details: secondFactor */
  SECOND_FACTOR_NOT_PENDING: 'SECOND_FACTOR_NOT_PENDING',
  /** The code given to confirm a pending enrollment does not match its secret; nothing is recorded, the enrollment stays pending. */
  SECOND_FACTOR_CODE_INVALID: 'SECOND_FACTOR_CODE_INVALID',

  // Freeze
  /** Money movement refused while frozen. details: frozenAt, reason */
  ACCOUNT_FROZEN: 'ACCOUNT_FROZEN',
  ALREADY_FROZEN: 'ALREADY_FROZEN',
  /** The user's identity is verified already (at registration or since): nothing changes. */
  IDENTITY_ALREADY_VERIFIED: 'IDENTITY_ALREADY_VERIFIED',
  NOT_FROZEN: 'NOT_FROZEN',
  /** A freeze raised by risk control can only be lifted by customer service. */
  UNFREEZE_REQUIRES_SUPPORT: 'UNFREEZE_REQUIRES_SUPPORT',
} as const;

export type IdentityErrorCode = (typeof IDENTITY_ERROR)[keyof typeof IDENTITY_ERROR];

export const IDENTITY_ERROR_CODES: readonly IdentityErrorCode[] = Object.values(IDENTITY_ERROR);

export type IdentityRejection = DomainRejection<IdentityErrorCode>;

/**
 * Thrown for a command that no correct caller can send (a blank name, a proof for the wrong code
 * purpose, a command for another stream). That is a programmer error, never a business outcome, so
 * it is an exception rather than a rejection code.
 */
export class InvalidIdentityCommand extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidIdentityCommand';
  }
}
