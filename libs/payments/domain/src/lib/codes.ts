/**
 * Stable codes a payment can fail with (the `code` of `payments.PaymentFailed.v1` and of a rejected
 * command result). Codes of identity and wallet are passed through unchanged (INSUFFICIENT_FUNDS,
 * WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, ACCOUNT_FROZEN, SECOND_FACTOR_REQUIRED,
 * INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED, WALLET_FROZEN, LIMIT_EXCEEDED…).
 */
export const PAYMENT_ERROR = {
  /** Same payment id with another payload (the command is refused, nothing is recorded). */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /**
   * The payments instance is at its limit of payments in flight (admission control): the payment was
   * not started, nothing is recorded; send the same command again after details.retryAfterMs.
   */
  PAYMENTS_BUSY: 'PAYMENTS_BUSY',
  /** The merchant is unknown or does not accept the wallet. */
  MERCHANT_NOT_SUPPORTED: 'MERCHANT_NOT_SUPPORTED',
  /** The merchant accepts the wallet, but not on this channel (e.g. POS). */
  CHANNEL_NOT_SUPPORTED: 'CHANNEL_NOT_SUPPORTED',
  /** The merchant's acquirer declined the payment; the hold was released. */
  MERCHANT_DECLINED: 'MERCHANT_DECLINED',
  /** The acquirer did not answer in time (bounded retries); the hold was released. */
  ACQUIRER_UNAVAILABLE: 'ACQUIRER_UNAVAILABLE',
  /** The wallet did not answer the reservation in time; any hold it may have made was released. */
  WALLET_UNAVAILABLE: 'WALLET_UNAVAILABLE',
  /** Identity did not answer the password check in time; nothing was reserved. */
  IDENTITY_UNAVAILABLE: 'IDENTITY_UNAVAILABLE',
  /**
   * The service restarted before the payment password was checked; the password is never stored
   * (not even encrypted), so the payment cannot go on. Nothing was reserved.
   */
  PAYMENT_INTERRUPTED: 'PAYMENT_INTERRUPTED',
  /** The hold was gone (expired) when the payment was to be captured. */
  HOLD_EXPIRED: 'HOLD_EXPIRED',
  /** The recipient's phone belongs to no user. */
  RECIPIENT_NOT_FOUND: 'RECIPIENT_NOT_FOUND',
  /** The recipient has no open wallet, or it is frozen, or refuses the credit. */
  RECIPIENT_WALLET_UNAVAILABLE: 'RECIPIENT_WALLET_UNAVAILABLE',
  /** A transfer to the sender's own wallet. */
  SELF_TRANSFER: 'SELF_TRANSFER',
  /** The cards service did not answer the card check in time; nothing moved. */
  CARDS_UNAVAILABLE: 'CARDS_UNAVAILABLE',
  /** The card issuer declined the charge (details.reason, e.g. insufficient_funds); nothing moved. */
  CARD_CHARGE_DECLINED: 'CARD_CHARGE_DECLINED',
  /** The card issuer declined the payout of a withdrawal (details.reason); the hold was released. */
  CARD_PAYOUT_DECLINED: 'CARD_PAYOUT_DECLINED',
  /** A refund larger than what remains refundable of the payment (details.refundableMinor). */
  REFUND_EXCEEDS_PAYMENT: 'REFUND_EXCEEDS_PAYMENT',
  /** Only a completed merchant payment can be refunded. */
  PAYMENT_NOT_REFUNDABLE: 'PAYMENT_NOT_REFUNDABLE',
  /** No payment with this id. */
  PAYMENT_NOT_FOUND: 'PAYMENT_NOT_FOUND',
  /** The biller is not in the registry. */
  BILLER_NOT_SUPPORTED: 'BILLER_NOT_SUPPORTED',
  /** The biller knows no such bill (account / phone number). */
  BILL_NOT_FOUND: 'BILL_NOT_FOUND',
  /** A utility bill must be paid exactly (details.amountDueMinor). */
  BILL_AMOUNT_MISMATCH: 'BILL_AMOUNT_MISMATCH',
  /** The biller refused the payment; the hold was released. */
  BILLER_DECLINED: 'BILLER_DECLINED',
  /** The biller did not answer the bill check (nothing moved) or a bill look-up. A bill payment without an answer is asked again, never failed with it. */
  BILLER_UNAVAILABLE: 'BILLER_UNAVAILABLE',
  /** A third-party top-up got no confirmation before its deadline; a later callback is refused. */
  TOPUP_EXPIRED: 'TOPUP_EXPIRED',
  /** A provider callback after the deadline: refused and reported for reconciliation. */
  CALLBACK_AFTER_DEADLINE: 'CALLBACK_AFTER_DEADLINE',
  /** A provider callback whose signature does not verify (nothing recorded). */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** A provider callback signed more than PROVIDER_CALLBACK_WINDOW_MS from the ledger's clock (nothing recorded). */
  CALLBACK_STALE: 'CALLBACK_STALE',
  /** A provider callback whose nonce was already used: a copy of an earlier callback (nothing recorded). */
  CALLBACK_REPLAYED: 'CALLBACK_REPLAYED',
  /** A provider callback for another provider / amount / reference than the pending top-up. */
  CALLBACK_MISMATCH: 'CALLBACK_MISMATCH',
  /** A counter top-up above the approval threshold that no supervisor decided on before its deadline; the teller hands the cash back. */
  APPROVAL_EXPIRED: 'APPROVAL_EXPIRED',
  /** A supervisor rejected the counter top-up (details.supervisorId); the teller hands the cash back. */
  COUNTER_TOP_UP_REJECTED: 'COUNTER_TOP_UP_REJECTED',
  /** An approval or rejection for a payment that is not a counter top-up awaiting approval (details.status). */
  NOT_AWAITING_APPROVAL: 'NOT_AWAITING_APPROVAL',
  /** Maker-checker: the teller who made a counter top-up may not approve or reject it (nothing recorded). */
  SELF_APPROVAL_FORBIDDEN: 'SELF_APPROVAL_FORBIDDEN',
  /** The actor may not pay from this user's wallet. */
  FORBIDDEN: 'FORBIDDEN',
  /** Risk: more payments within a minute than the velocity rule allows (refused, nothing recorded on the payment; a risk alert is raised). */
  RISK_VELOCITY_EXCEEDED: 'RISK_VELOCITY_EXCEEDED',
  /** Risk: the first payment from a new device above the threshold needs an SMS step-up (refused, nothing recorded on the payment; a risk alert is raised). */
  STEP_UP_REQUIRED: 'STEP_UP_REQUIRED',
  /** Registry: a merchant or biller with this id is onboarded already (nothing changed). */
  ALREADY_ONBOARDED: 'ALREADY_ONBOARDED',
  /** Registry: no merchant or biller with this id has been onboarded. */
  NOT_ONBOARDED: 'NOT_ONBOARDED',
  /** Registry: the merchant or biller is suspended already. */
  ALREADY_SUSPENDED: 'ALREADY_SUSPENDED',
  /** Registry: the merchant or biller is not suspended. */
  NOT_SUSPENDED: 'NOT_SUSPENDED',
  /** Registry: a merchant holds at most `MAX_MERCHANT_API_KEYS` live API keys; revoke one first. */
  TOO_MANY_API_KEYS: 'TOO_MANY_API_KEYS',
  /** Registry: the merchant has no live API key with this id. */
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  /** Merchant API: the API key is not a live key of the merchant it names (or the merchant is suspended). */
  MERCHANT_KEY_INVALID: 'MERCHANT_KEY_INVALID',
  /** A cash deposit above the ID-check threshold names no depositor ID (refused, nothing recorded: the teller checks the ID and sends it again). */
  DEPOSITOR_ID_REQUIRED: 'DEPOSITOR_ID_REQUIRED',
  /** Merchant API: a merchant refunds only its own payments. */
  NOT_MERCHANTS_PAYMENT: 'NOT_MERCHANTS_PAYMENT',
} as const;

/** A step was recorded in a state that does not expect it (a bug or a stale driver). */
export const STEP_OUT_OF_ORDER = 'STEP_OUT_OF_ORDER';
