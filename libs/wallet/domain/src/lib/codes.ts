/**
 * Every code the wallet decider can reject a command with. Stable: clients branch on them, so a
 * code is never renamed or reused for another meaning. Amounts in `details` are decimal strings.
 */
export const WALLET_ERROR = {
  /** OpenWallet before registration, payment password and a bound card. details.missing lists which. */
  WALLET_PREREQUISITES_MISSING: 'WALLET_PREREQUISITES_MISSING',
  /** OpenWallet on a wallet that is already open. */
  WALLET_ALREADY_OPEN: 'WALLET_ALREADY_OPEN',
  /** Any command other than OpenWallet on a wallet that was never opened. */
  WALLET_NOT_OPEN: 'WALLET_NOT_OPEN',
  /** A reservation (or a credit, under the `reject` policy) on a frozen wallet. details.frozenBy. */
  WALLET_FROZEN: 'WALLET_FROZEN',
  /** Available balance below the reservation. details.availableMinor, details.requestedMinor. */
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  /** A tier limit would be exceeded. details.limit ('per_payment' | 'daily'), limitMinor, remainingMinor. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** A credit would take the total balance above the tier's cap. details.balanceCapMinor, roomMinor. */
  BALANCE_CAP_EXCEEDED: 'BALANCE_CAP_EXCEEDED',
  /** Capture, release or expiry of a hold this wallet never reserved. */
  HOLD_NOT_FOUND: 'HOLD_NOT_FOUND',
  /** The hold was already captured, released or expired. details.settledAs says which. */
  HOLD_ALREADY_SETTLED: 'HOLD_ALREADY_SETTLED',
  /** ExpireHold before the hold's expiresAt. details.expiresAt. */
  HOLD_NOT_EXPIRED: 'HOLD_NOT_EXPIRED',
  /** A reservation whose expiresAt is not after its `now` (it arrived too late). details.expiresAt, details.now. */
  HOLD_EXPIRY_PASSED: 'HOLD_EXPIRY_PASSED',
  /** A capture larger than the hold. details.reservedMinor. */
  CAPTURE_EXCEEDS_HOLD: 'CAPTURE_EXCEEDS_HOLD',
  /** An amount that is not a positive whole number of fen (or above the largest representable amount). */
  INVALID_AMOUNT: 'INVALID_AMOUNT',
  /** An idempotency key seen before with a different payload. details.idempotencyKey. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
} as const;

export type WalletErrorCode = (typeof WALLET_ERROR)[keyof typeof WALLET_ERROR];
