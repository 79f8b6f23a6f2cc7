/**
 * The payment's vocabulary: what it is asked to do (commands; the requests that start it are in
 * payment-requests.ts), what it records (events) and where it stands (state).
 */
import { parseMinor, type Instant } from '@ledger/util';
import type { MerchantSettlement } from './merchants';
import type { PaymentKind, PaymentRequest, Provider } from './payment-requests';

/** A double-entry posting as the wallet recorded it: what the account gains (signed fen, decimal string). */
export interface Posting {
  account: string;
  amountMinor: string;
}

export interface Failure {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Maker-checker for cash: a counter top-up above `aboveMinor` waits for a supervisor other than the
 * teller who made it, at most `windowMs` (then it expires and the teller hands the cash back).
 */
export interface CounterApprovalPolicy {
  readonly aboveMinor: bigint;
  readonly windowMs: number;
  /** Above this a cash deposit records the depositor's ID check (the teller saw and entered the ID number). */
  readonly idCheckAboveMinor: bigint;
}

/** 20,000 yuan; a decision within 4 hours (the same business day at the branch); the depositor's ID above 50,000 yuan, as for large cash transactions at a counter. */
export const DEFAULT_COUNTER_APPROVAL: CounterApprovalPolicy = {
  aboveMinor: 2_000_000n,
  windowMs: 4 * 60 * 60_000,
  idCheckAboveMinor: 5_000_000n,
};

/**
 * Recorded in the payment's first event when the policy asked for an approval, so a replay never
 * depends on today's policy: the supervisor's decision must come before `deadline`.
 */
export interface ApprovalRequirement {
  aboveMinor: bigint;
  deadline: string;
}

/**
 * Amounts inside events, the one convention of every context: event data is JSON-native, so an
 * amount is a decimal string of fen (`"12345"`) and the store and the hash chain see exactly what
 * the decider built. Commands and state hold `bigint`; `decide` writes `toString()`, `evolve` parses
 * with `parseMinor` (which refuses anything not canonical).
 */
export type MinorString = string;
/** A payment request as its `PaymentInitiated` event records it: the amount as a decimal string. */
export type RecordedPaymentRequest = PaymentRequest extends infer Request
  ? Request extends PaymentRequest
    ? Omit<Request, 'amountMinor'> & { amountMinor: MinorString }
    : never
  : never;
/** A counter approval requirement as recorded: the threshold as a decimal string. */
export type RecordedApprovalRequirement = Omit<ApprovalRequirement, 'aboveMinor'> & { aboveMinor: MinorString };

export function recordedRequest(request: PaymentRequest): RecordedPaymentRequest {
  return { ...request, amountMinor: request.amountMinor.toString() } as RecordedPaymentRequest;
}

export function requestFromRecord(recorded: RecordedPaymentRequest): PaymentRequest {
  return { ...recorded, amountMinor: parseMinor(recorded.amountMinor) } as PaymentRequest;
}

export type PaymentEvent =
  /**
   * `settlement`: how an accepted merchant payment is paid, from the registry at its start (so a
   * replay never depends on today's registry); absent for other kinds and in events recorded before
   * merchants could settle in the wallet, which went through the acquirer.
   */
  | {
      type: 'PaymentInitiated';
      data: {
        request: RecordedPaymentRequest;
        fingerprint: string;
        initiatedAt: string;
        settlement?: MerchantSettlement;
        approval?: RecordedApprovalRequirement;
      };
    }
  /** A supervisor approved a counter top-up that awaited approval (the checker; the maker is the request's teller). */
  | { type: 'CounterTopUpApproved'; data: { paymentId: string; supervisorId: string; approvedAt: string } }
  /** A supervisor rejected it; the payment fails with COUNTER_TOP_UP_REJECTED in the same append. */
  | { type: 'CounterTopUpRejected'; data: { paymentId: string; supervisorId: string; reason: string; rejectedAt: string } }
  | { type: 'PaymentPasswordVerified'; data: { paymentId: string; verifiedAt: string } }
  | {
      type: 'PaymentFundsReserved';
      data: { paymentId: string; walletId: string; holdId: string; amountMinor: MinorString; expiresAt: string; reservedAt: string };
    }
  | { type: 'MerchantApproved'; data: { paymentId: string; authorizationCode: string; approvedAt: string } }
  | { type: 'PaymentReleaseRequested'; data: { paymentId: string; holdId: string; failure: Failure; requestedAt: string } }
  | { type: 'RecipientFound'; data: { paymentId: string; recipientUserId: string; recipientWalletId: string; foundAt: string } }
  | {
      type: 'RecipientCredited';
      data: { paymentId: string; recipientWalletId: string; transactionId: string; postings: Posting[]; creditedAt: string };
    }
  | { type: 'CardChecked'; data: { paymentId: string; cardId: string; last4: string; issuer: string; checkedAt: string } }
  | { type: 'CardCharged'; data: { paymentId: string; cardId: string; issuerReference: string; chargedAt: string } }
  | { type: 'CardRefundRequested'; data: { paymentId: string; cardId: string; failure: Failure; requestedAt: string } }
  | { type: 'ProviderConfirmed'; data: { paymentId: string; provider: Provider; providerReference: string; confirmedAt: string } }
  /** A provider callback that came after the deadline: refused, and kept here for reconciliation with the provider. */
  | {
      type: 'LateProviderCallbackReported';
      data: { paymentId: string; provider: Provider; providerReference: string; amountMinor: MinorString; receivedAt: string };
    }
  /** `billReference`: the masked reference (events recorded before references were protected hold it as given). */
  | { type: 'BillChecked'; data: { paymentId: string; billerId: string; billReference: string; checkedAt: string } }
  | { type: 'BillPaid'; data: { paymentId: string; billerId: string; receipt: string; paidAt: string } }
  | { type: 'CardPaidOut'; data: { paymentId: string; cardId: string; issuerReference: string; paidOutAt: string } }
  /** On the original payment's stream: part of it is promised to a refund. */
  | { type: 'RefundClaimed'; data: { paymentId: string; refundId: string; amountMinor: MinorString; claimedAt: string } }
  /** On the original payment's stream: a refund that could not be paid gives its claim back. */
  | { type: 'RefundClaimReleased'; data: { paymentId: string; refundId: string; releasedAt: string } }
  /** On the refund's stream: the claim was granted; where the money goes. */
  | {
      type: 'RefundClaimGranted';
      data: { paymentId: string; originalPaymentId: string; walletId: string; userId: string; merchantId: string; grantedAt: string };
    }
  | { type: 'RefundClaimReleaseRequested'; data: { paymentId: string; failure: Failure; requestedAt: string } }
  | {
      type: 'PaymentCompleted';
      data: {
        paymentId: string;
        kind: PaymentKind;
        amountMinor: MinorString;
        transactionIds: string[];
        postings: Posting[];
        completedAt: string;
      };
    }
  | {
      type: 'PaymentFailed';
      /** holdReleased: a hold was made and given back; cardRefunded: a charged card got its money back (issuerReference). */
      data: {
        paymentId: string;
        kind: PaymentKind;
        failure: Failure;
        holdReleased: boolean;
        cardRefund?: { issuerReference: string };
        failedAt: string;
      };
    };

export type StepResult<Ok> = ({ ok: true } & Ok) | { ok: false; failure: Failure };
export type ReservationResult = StepResult<{ expiresAt: string }> | { ok: false; failure: Failure; uncertain: true };

/** Bound on the steps of one `RecordSteps`. */
export const MAX_RECORDED_STEPS = 4;

export type PaymentCommand =
  | { type: 'StartPayment'; request: PaymentRequest; now: Instant }
  | { type: 'RecordPasswordCheck'; result: StepResult<object>; now: Instant }
  /** `uncertain`: the wallet did not answer, a hold may exist; it is released before failing. */
  | { type: 'RecordReservation'; result: ReservationResult; now: Instant }
  /**
   * The password check and the reservation, asked for at the same time (one round trip instead of
   * two) and recorded together. A hold made for a payment whose password failed is released.
   */
  | { type: 'RecordAuthorization'; password: StepResult<object>; reservation: ReservationResult; now: Instant }
  /**
   * Several steps recorded by one append, decided in order on the state each leaves: the service ran
   * them one after the other without recording in between, because repeating the earlier ones after
   * a crash has no second effect (e.g. the acquirer's approval, asked again by payment id, then the
   * capture). At most `MAX_RECORDED_STEPS`; a refusal of any step refuses them all.
   */
  | { type: 'RecordSteps'; steps: PaymentCommand[] }
  | { type: 'RecordAcquirerAnswer'; result: StepResult<{ authorizationCode: string }>; now: Instant }
  /** A merchant that settles in the wallet: the wallet's one decision that reserved and captured the amount. */
  | { type: 'RecordSettlement'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: Instant }
  | { type: 'RecordCapture'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: Instant }
  /** `holdFound: false`: the wallet had no such hold (it was never made), so the outcome says no hold was released. */
  | { type: 'RecordRelease'; now: Instant; holdFound?: boolean }
  | { type: 'RecordRecipient'; result: StepResult<{ recipientUserId: string; recipientWalletId: string }>; now: Instant }
  | { type: 'RecordRecipientCredit'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: Instant }
  | { type: 'RecordCardCheck'; result: StepResult<{ last4: string; issuer: string }>; now: Instant }
  | { type: 'RecordCardCharge'; result: StepResult<{ issuerReference: string }>; now: Instant }
  | { type: 'RecordWalletCredit'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: Instant }
  | { type: 'RecordCardRefund'; issuerReference: string; now: Instant }
  | { type: 'RecordProviderConfirmation'; provider: Provider; providerReference: string; amountMinor: bigint; now: Instant }
  | { type: 'RecordProviderExpiry'; now: Instant }
  /** A supervisor's decision on a counter top-up awaiting approval; never the teller who made it. */
  | { type: 'RecordCounterApproval'; supervisorId: string; now: Instant }
  | { type: 'RecordCounterRejection'; supervisorId: string; reason: string; now: Instant }
  | { type: 'RecordApprovalExpiry'; now: Instant }
  | { type: 'RecordBillCheck'; result: StepResult<object>; now: Instant }
  | { type: 'RecordBillPayment'; result: StepResult<{ receipt: string }>; now: Instant }
  | { type: 'RecordPayout'; result: StepResult<{ issuerReference: string }>; now: Instant }
  /** On the original payment: promise `amountMinor` of it to refund `refundId` (idempotent by refund id). */
  | { type: 'ClaimRefund'; refundId: string; amountMinor: bigint; now: Instant }
  | { type: 'ReleaseRefundClaim'; refundId: string; now: Instant }
  | { type: 'RecordRefundClaim'; result: StepResult<{ walletId: string; userId: string; merchantId: string }>; now: Instant }
  | { type: 'RecordRefundCredit'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: Instant }
  | { type: 'RecordRefundClaimRelease'; now: Instant };

export type PaymentStatus =
  | 'finding_recipient'
  | 'verifying_password'
  | 'reserving'
  | 'confirming'
  | 'settling'
  | 'crediting_recipient'
  | 'capturing'
  | 'releasing'
  | 'checking_card'
  | 'charging'
  | 'crediting'
  | 'refunding_card'
  | 'paying_out'
  | 'checking_bill'
  | 'awaiting_provider'
  | 'awaiting_approval'
  | 'paying_bill'
  | 'claiming_refund'
  | 'crediting_refund'
  | 'releasing_refund_claim'
  | 'completed'
  | 'failed';
export type PaymentStep = Exclude<PaymentStatus, 'completed' | 'failed'>;

export type PaymentState =
  | { status: 'none' }
  | {
      status: PaymentStatus;
      request: PaymentRequest;
      fingerprint: string;
      initiatedAt: string;
      /** A merchant payment: how it is paid (see PaymentInitiated). */
      settlement?: MerchantSettlement;
      /** A counter top-up above the approval threshold: the decision's deadline, and the supervisor once approved. */
      approval?: ApprovalRequirement & { approvedBy?: string };
      holdId?: string;
      holdExpiresAt?: string;
      authorizationCode?: string;
      recipient?: { userId: string; walletId: string };
      recipientCredit?: { transactionId: string; postings: Posting[] };
      card?: { last4: string; issuer: string; issuerReference?: string };
      /** A completed merchant payment: refund id → amount claimed by it (released claims removed). */
      refunds?: Record<string, bigint>;
      /** A refund: the wallet and merchant of the original payment. */
      refundTarget?: { walletId: string; userId: string; merchantId: string };
      /** A provider top-up: the confirmation that was accepted, and late callbacks already reported. */
      providerReference?: string;
      lateCallbacks?: string[];
      /** Why the payment fails once the hold is released. */
      pendingFailure?: Failure;
      completed?: Extract<PaymentEvent, { type: 'PaymentCompleted' }>['data'];
      failed?: Extract<PaymentEvent, { type: 'PaymentFailed' }>['data'];
    };

export type ActivePaymentState = Exclude<PaymentState, { status: 'none' }>;
