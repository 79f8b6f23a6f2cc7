/**
 * Tunable limits of the identity context. Deciders take a policy so that operators can change a
 * limit by configuration; the defaults follow common banking practice and the numbers.
 */
export interface IdentityPolicy {
  /** How long an SMS code stays valid. */
  codeTtlMs: number;
  /** Minimum gap between two codes for the same phone and purpose. */
  codeResendCooldownMs: number;
  /** Codes a phone may receive per rolling window (all purposes together). */
  maxCodesPerWindow: number;
  codeWindowMs: number;
  /** Wrong tries after which a code is dead. */
  maxCodeAttempts: number;

  /** Wrong login passwords within the window that lock login. */
  maxLoginFailures: number;
  loginFailureWindowMs: number;
  loginLockMs: number;
  /** Devices remembered per user; the least recently used one is forgotten beyond this. */
  maxKnownDevices: number;

  /** Consecutive wrong payment passwords that lock it. */
  maxPaymentPasswordFailures: number;
  paymentPasswordLockMs: number;

  /** Wrong dynamic codes within the window that lock the second factor. */
  maxSecondFactorFailures: number;
  secondFactorFailureWindowMs: number;
  secondFactorLockMs: number;
  /**
   * A money movement above this amount (fen) asks a user whose second factor is on for a dynamic
   * code besides the payment password; at or below it the password alone suffices.
   */
  secondFactorAboveMinor: bigint;
}

const MINUTE_MS = 60_000;

export const DEFAULT_IDENTITY_POLICY: Readonly<IdentityPolicy> = Object.freeze({
  codeTtlMs: 5 * MINUTE_MS,
  codeResendCooldownMs: 60_000,
  maxCodesPerWindow: 5,
  codeWindowMs: 60 * MINUTE_MS,
  maxCodeAttempts: 5,

  maxLoginFailures: 5,
  loginFailureWindowMs: 15 * MINUTE_MS,
  loginLockMs: 30 * MINUTE_MS,
  maxKnownDevices: 20,

  maxPaymentPasswordFailures: 5,
  paymentPasswordLockMs: 3 * 60 * MINUTE_MS,

  maxSecondFactorFailures: 5,
  secondFactorFailureWindowMs: 15 * MINUTE_MS,
  secondFactorLockMs: 30 * MINUTE_MS,
  // ¥500: the amount above which payments' new-device rule asks for an SMS step-up as well.
  secondFactorAboveMinor: 50_000n,
});
