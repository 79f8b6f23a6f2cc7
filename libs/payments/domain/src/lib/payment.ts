/**
 * A payment as a process manager: a pure decider over the payment's own stream `payment-<id>`.
 *
 * The state names the step in flight (`verifying_password`, `reserving`, …): that is the intent the
 * service executes next (a Kafka command to identity or wallet, a call to a port). The service
 * records each step's definite result with a `Record…` command; the decider turns it into events
 * and the next state. A payment ends in exactly one of `payments.PaymentCompleted.v1` or
 * `payments.PaymentFailed.v1`; after that every step is refused.
 *
 * Merchant payment, a merchant that settles in the wallet (its `settlement`, recorded at the start):
 *   verifying_password → settling → completed
 *   password refused → failed; the wallet refuses the payment → failed (nothing moved either way)
 *   an unanswered settlement is asked again with the same hold id, never given up: it may have been made
 * Merchant payment through an acquirer:
 *   verifying_password → reserving → confirming → capturing → completed
 *   any refusal before the reservation → failed (nothing moved)
 *   decline / no answer after the reservation → releasing → failed (hold released)
 *
 * Fewer round trips, same states: the service asks for the password check and the reservation at
 * once and records both with `RecordAuthorization` (verifying_password → confirming; a hold made for
 * a payment whose password failed is released), and records the acquirer's approval and the capture
 * with one `RecordSteps` (confirming → completed). A payment recorded step by step (an older one, or
 * one whose capture had to wait) goes through the same states one at a time.
 * Top-up from a bound card:
 *   checking_card → charging → crediting → completed
 *   card refused or charge declined → failed (nothing moved)
 *   credit refused after the charge → refunding_card → failed (the card got its money back)
 * Transfer to another user (by phone):
 *   finding_recipient → verifying_password → reserving → crediting_recipient → capturing → completed
 *   (both legs go through `clearing:transfer`, which nets to zero)
 *   recipient refuses the credit → releasing → failed
 * Withdrawal to a bound card:
 *   verifying_password → reserving → paying_out → capturing → completed
 *   card refused / payout declined → releasing → failed
 * Bill payment:
 *   checking_bill → verifying_password → reserving → paying_bill → capturing → completed
 *   unknown biller / bill → failed; biller declines or does not answer → releasing → failed
 * Top-up through a third-party provider (Alipay / WeChat):
 *   awaiting_provider (until the signed callback or the deadline) → crediting → completed
 *   no callback by the deadline → failed TOPUP_EXPIRED; a later callback is refused and reported
 * Top-up at a bank counter (cash, teller at a branch):
 *   crediting → completed
 *   above the policy's threshold (maker-checker: the teller makes it, a supervisor checks it):
 *   awaiting_approval → crediting → completed; a supervisor's rejection → failed COUNTER_TOP_UP_REJECTED,
 *   no decision before the approval deadline → failed APPROVAL_EXPIRED (the teller hands the cash back)
 * Refund of a completed merchant payment (its own stream `payment-<refundId>`):
 *   claiming_refund (on the original payment's stream, with its expected revision) → crediting_refund → completed
 *   claim refused (REFUND_EXCEEDS_PAYMENT, PAYMENT_NOT_REFUNDABLE) → failed
 *   credit refused → releasing_refund_claim → failed
 */
import { assertNever, isRejection, reject, type Decider, type DomainRejection } from '@ledger/util';
import { PAYMENT_ERROR, STEP_OUT_OF_ORDER } from './codes';
import { BILLERS, type BillerEntry } from './billers';
import { MERCHANTS, checkMerchant, type MerchantEntry, type MerchantSettlement, type PaymentChannel } from './merchants';

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

export interface MerchantPaymentRequest {
  kind: 'merchant';
  paymentId: string;
  userId: string;
  walletId: string;
  merchantId: string;
  channel: PaymentChannel;
  amountMinor: bigint;
  description: string;
}

export interface TopUpRequest {
  kind: 'topup';
  paymentId: string;
  userId: string;
  walletId: string;
  cardId: string;
  amountMinor: bigint;
}

/**
 * Personal data as it is kept at rest (a transfer's recipient phone, a bill's reference, which for a
 * mobile bill is the phone number): never in plain text. `encrypted` is field-encrypted
 * (AES-256-GCM, `enc:v1:…`, decrypted only in memory when the recipient is looked up or the biller
 * is called), `masked` is for display (`138****5678`), `fingerprint` a keyed hash (HMAC) that makes
 * the idempotency fingerprint stable (the ciphertext is randomized, so it cannot be compared).
 */
export interface ProtectedValue {
  encrypted: string;
  masked: string;
  fingerprint: string;
}

export type ProtectedPhone = ProtectedValue;

export interface TransferRequest {
  kind: 'transfer';
  paymentId: string;
  userId: string;
  walletId: string;
  recipientPhone: ProtectedPhone;
  amountMinor: bigint;
  description: string;
}

export interface WithdrawalRequest {
  kind: 'withdrawal';
  paymentId: string;
  userId: string;
  walletId: string;
  cardId: string;
  amountMinor: bigint;
}

export interface BillPaymentRequest {
  kind: 'bill';
  paymentId: string;
  userId: string;
  walletId: string;
  billerId: string;
  billReference: ProtectedValue;
  amountMinor: bigint;
}

export type Provider = 'alipay' | 'wechat';

export interface ProviderTopUpRequest {
  kind: 'provider_topup';
  paymentId: string;
  userId: string;
  walletId: string;
  provider: Provider;
  amountMinor: bigint;
  /** The provider's confirmation must arrive before this instant (set at start; not part of the fingerprint). */
  deadline: string;
}

export interface CounterTopUpRequest {
  kind: 'counter';
  paymentId: string;
  userId: string;
  walletId: string;
  branchId: string;
  tellerId: string;
  amountMinor: bigint;
}

/** The refund id is the payment id of the refund's own stream. */
export interface RefundRequest {
  kind: 'refund';
  paymentId: string;
  originalPaymentId: string;
  amountMinor: bigint;
  reason: string;
}

/**
 * Maker-checker for cash: a counter top-up above `aboveMinor` waits for a supervisor other than the
 * teller who made it, at most `windowMs` (then it expires and the teller hands the cash back).
 */
export interface CounterApprovalPolicy {
  readonly aboveMinor: bigint;
  readonly windowMs: number;
}

/** 20,000 yuan; a decision within 4 hours (the same business day at the branch). */
export const DEFAULT_COUNTER_APPROVAL: CounterApprovalPolicy = { aboveMinor: 2_000_000n, windowMs: 4 * 60 * 60_000 };

/**
 * Recorded in the payment's first event when the policy asked for an approval, so a replay never
 * depends on today's policy: the supervisor's decision must come before `deadline`.
 */
export interface ApprovalRequirement {
  aboveMinor: bigint;
  deadline: string;
}

export type PaymentRequest = MerchantPaymentRequest | TopUpRequest | TransferRequest | WithdrawalRequest | BillPaymentRequest | RefundRequest | ProviderTopUpRequest | CounterTopUpRequest;
export type PaymentKind = PaymentRequest['kind'];

export type PaymentEvent =
  /**
   * `settlement`: how an accepted merchant payment is paid, from the registry at its start (so a
   * replay never depends on today's registry); absent for other kinds and in events recorded before
   * merchants could settle in the wallet, which went through the acquirer.
   */
  | { type: 'PaymentInitiated'; data: { request: PaymentRequest; fingerprint: string; initiatedAt: string; settlement?: MerchantSettlement; approval?: ApprovalRequirement } }
  /** A supervisor approved a counter top-up that awaited approval (the checker; the maker is the request's teller). */
  | { type: 'CounterTopUpApproved'; data: { paymentId: string; supervisorId: string; approvedAt: string } }
  /** A supervisor rejected it; the payment fails with COUNTER_TOP_UP_REJECTED in the same append. */
  | { type: 'CounterTopUpRejected'; data: { paymentId: string; supervisorId: string; reason: string; rejectedAt: string } }
  | { type: 'PaymentPasswordVerified'; data: { paymentId: string; verifiedAt: string } }
  | { type: 'PaymentFundsReserved'; data: { paymentId: string; walletId: string; holdId: string; amountMinor: bigint; expiresAt: string; reservedAt: string } }
  | { type: 'MerchantApproved'; data: { paymentId: string; authorizationCode: string; approvedAt: string } }
  | { type: 'PaymentReleaseRequested'; data: { paymentId: string; holdId: string; failure: Failure; requestedAt: string } }
  | { type: 'RecipientFound'; data: { paymentId: string; recipientUserId: string; recipientWalletId: string; foundAt: string } }
  | { type: 'RecipientCredited'; data: { paymentId: string; recipientWalletId: string; transactionId: string; postings: Posting[]; creditedAt: string } }
  | { type: 'CardChecked'; data: { paymentId: string; cardId: string; last4: string; issuer: string; checkedAt: string } }
  | { type: 'CardCharged'; data: { paymentId: string; cardId: string; issuerReference: string; chargedAt: string } }
  | { type: 'CardRefundRequested'; data: { paymentId: string; cardId: string; failure: Failure; requestedAt: string } }
  | { type: 'ProviderConfirmed'; data: { paymentId: string; provider: Provider; providerReference: string; confirmedAt: string } }
  /** A provider callback that came after the deadline: refused, and kept here for reconciliation with the provider. */
  | { type: 'LateProviderCallbackReported'; data: { paymentId: string; provider: Provider; providerReference: string; amountMinor: bigint; receivedAt: string } }
  /** `billReference`: the masked reference (events recorded before references were protected hold it as given). */
  | { type: 'BillChecked'; data: { paymentId: string; billerId: string; billReference: string; checkedAt: string } }
  | { type: 'BillPaid'; data: { paymentId: string; billerId: string; receipt: string; paidAt: string } }
  | { type: 'CardPaidOut'; data: { paymentId: string; cardId: string; issuerReference: string; paidOutAt: string } }
  /** On the original payment's stream: part of it is promised to a refund. */
  | { type: 'RefundClaimed'; data: { paymentId: string; refundId: string; amountMinor: bigint; claimedAt: string } }
  /** On the original payment's stream: a refund that could not be paid gives its claim back. */
  | { type: 'RefundClaimReleased'; data: { paymentId: string; refundId: string; releasedAt: string } }
  /** On the refund's stream: the claim was granted; where the money goes. */
  | { type: 'RefundClaimGranted'; data: { paymentId: string; originalPaymentId: string; walletId: string; userId: string; merchantId: string; grantedAt: string } }
  | { type: 'RefundClaimReleaseRequested'; data: { paymentId: string; failure: Failure; requestedAt: string } }
  | {
      type: 'PaymentCompleted';
      data: { paymentId: string; kind: PaymentKind; amountMinor: bigint; transactionIds: string[]; postings: Posting[]; completedAt: string };
    }
  | {
      type: 'PaymentFailed';
      /** holdReleased: a hold was made and given back; cardRefunded: a charged card got its money back (issuerReference). */
      data: { paymentId: string; kind: PaymentKind; failure: Failure; holdReleased: boolean; cardRefund?: { issuerReference: string }; failedAt: string };
    };

export type StepResult<Ok> = ({ ok: true } & Ok) | { ok: false; failure: Failure };
export type ReservationResult = StepResult<{ expiresAt: string }> | { ok: false; failure: Failure; uncertain: true };

/** Bound on the steps of one `RecordSteps`. */
export const MAX_RECORDED_STEPS = 4;

export type PaymentCommand =
  | { type: 'StartPayment'; request: PaymentRequest; now: string }
  | { type: 'RecordPasswordCheck'; result: StepResult<object>; now: string }
  /** `uncertain`: the wallet did not answer, a hold may exist; it is released before failing. */
  | { type: 'RecordReservation'; result: ReservationResult; now: string }
  /**
   * The password check and the reservation, asked for at the same time (one round trip instead of
   * two) and recorded together. A hold made for a payment whose password failed is released.
   */
  | { type: 'RecordAuthorization'; password: StepResult<object>; reservation: ReservationResult; now: string }
  /**
   * Several steps recorded by one append, decided in order on the state each leaves: the service ran
   * them one after the other without recording in between, because repeating the earlier ones after
   * a crash has no second effect (e.g. the acquirer's approval, asked again by payment id, then the
   * capture). At most `MAX_RECORDED_STEPS`; a refusal of any step refuses them all.
   */
  | { type: 'RecordSteps'; steps: PaymentCommand[] }
  | { type: 'RecordAcquirerAnswer'; result: StepResult<{ authorizationCode: string }>; now: string }
  /** A merchant that settles in the wallet: the wallet's one decision that reserved and captured the amount. */
  | { type: 'RecordSettlement'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: string }
  | { type: 'RecordCapture'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: string }
  /** `holdFound: false`: the wallet had no such hold (it was never made), so the outcome says no hold was released. */
  | { type: 'RecordRelease'; now: string; holdFound?: boolean }
  | { type: 'RecordRecipient'; result: StepResult<{ recipientUserId: string; recipientWalletId: string }>; now: string }
  | { type: 'RecordRecipientCredit'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: string }
  | { type: 'RecordCardCheck'; result: StepResult<{ last4: string; issuer: string }>; now: string }
  | { type: 'RecordCardCharge'; result: StepResult<{ issuerReference: string }>; now: string }
  | { type: 'RecordWalletCredit'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: string }
  | { type: 'RecordCardRefund'; issuerReference: string; now: string }
  | { type: 'RecordProviderConfirmation'; provider: Provider; providerReference: string; amountMinor: bigint; now: string }
  | { type: 'RecordProviderExpiry'; now: string }
  /** A supervisor's decision on a counter top-up awaiting approval; never the teller who made it. */
  | { type: 'RecordCounterApproval'; supervisorId: string; now: string }
  | { type: 'RecordCounterRejection'; supervisorId: string; reason: string; now: string }
  | { type: 'RecordApprovalExpiry'; now: string }
  | { type: 'RecordBillCheck'; result: StepResult<object>; now: string }
  | { type: 'RecordBillPayment'; result: StepResult<{ receipt: string }>; now: string }
  | { type: 'RecordPayout'; result: StepResult<{ issuerReference: string }>; now: string }
  /** On the original payment: promise `amountMinor` of it to refund `refundId` (idempotent by refund id). */
  | { type: 'ClaimRefund'; refundId: string; amountMinor: bigint; now: string }
  | { type: 'ReleaseRefundClaim'; refundId: string; now: string }
  | { type: 'RecordRefundClaim'; result: StepResult<{ walletId: string; userId: string; merchantId: string }>; now: string }
  | { type: 'RecordRefundCredit'; result: StepResult<{ transactionId: string; postings: Posting[] }>; now: string }
  | { type: 'RecordRefundClaimRelease'; now: string };

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

/** The stream a payment's events are kept in. */
export const paymentStreamId = (paymentId: string): string => `payment-${paymentId}`;

/** The hold a payment reserves in the wallet: deterministic, so a retried reservation is the same hold. */
export const holdIdFor = (paymentId: string): string => `payment-${paymentId}`;

/** The payload that makes a payment id's idempotency: same fingerprint = same payment. */
export function fingerprintOf(request: PaymentRequest): string {
  switch (request.kind) {
    case 'merchant':
      return JSON.stringify(['merchant', request.userId, request.walletId, request.merchantId, request.channel, request.amountMinor.toString(), request.description]);
    case 'topup':
      return JSON.stringify(['topup', request.userId, request.walletId, request.cardId, request.amountMinor.toString()]);
    case 'transfer':
      return JSON.stringify(['transfer', request.userId, request.walletId, request.recipientPhone.fingerprint, request.amountMinor.toString(), request.description]);
    case 'withdrawal':
      return JSON.stringify(['withdrawal', request.userId, request.walletId, request.cardId, request.amountMinor.toString()]);
    case 'bill':
      return JSON.stringify(['bill', request.userId, request.walletId, request.billerId, request.billReference.fingerprint, request.amountMinor.toString()]);
    case 'provider_topup':
      return JSON.stringify(['provider_topup', request.userId, request.walletId, request.provider, request.amountMinor.toString()]);
    case 'counter':
      return JSON.stringify(['counter', request.userId, request.walletId, request.branchId, request.tellerId, request.amountMinor.toString()]);
    case 'refund':
      return JSON.stringify(['refund', request.originalPaymentId, request.amountMinor.toString(), request.reason]);
    default:
      return assertNever(request, 'payment request');
  }
}

/** What is left to refund of a completed merchant payment. */
export function refundableMinor(state: PaymentState): bigint {
  if (state.status !== 'completed' || state.request.kind !== 'merchant') return 0n;
  const claimed = Object.values(state.refunds ?? {}).reduce((sum, amount) => sum + amount, 0n);
  return state.request.amountMinor - claimed;
}

/** The step the service executes next, or undefined once the payment has its outcome. */
export function nextStep(state: PaymentState): PaymentStep | undefined {
  if (state.status === 'none' || state.status === 'completed' || state.status === 'failed') return undefined;
  return state.status;
}

function outOfOrder(command: PaymentCommand, state: PaymentState): DomainRejection {
  return reject(STEP_OUT_OF_ORDER, `${command.type} does not apply to a payment in state ${state.status}`, { status: state.status });
}

function failed(state: ActivePaymentState, failure: Failure, holdReleased: boolean, now: string): PaymentEvent {
  return { type: 'PaymentFailed', data: { paymentId: state.request.paymentId, kind: state.request.kind, failure, holdReleased, failedAt: now } };
}

function approvalExpired(approval: ApprovalRequirement): Failure {
  return { code: PAYMENT_ERROR.APPROVAL_EXPIRED, message: `no supervisor decided on the counter top-up before ${approval.deadline}`, details: { deadline: approval.deadline } };
}

function expired(request: ProviderTopUpRequest): Failure {
  return { code: PAYMENT_ERROR.TOPUP_EXPIRED, message: `no confirmation from ${request.provider} before ${request.deadline}`, details: { deadline: request.deadline } };
}

/** Where a flow goes once its funds are reserved. */
const AFTER_RESERVATION: Record<PaymentKind, PaymentStatus> = {
  merchant: 'confirming',
  transfer: 'crediting_recipient',
  withdrawal: 'paying_out',
  bill: 'paying_bill',
  provider_topup: 'failed', // never reserves
  counter: 'failed', // never reserves
  topup: 'failed', // never reserves
  refund: 'failed', // never reserves
};

export function createPaymentDecider(
  registry: readonly MerchantEntry[] = MERCHANTS,
  billers: readonly BillerEntry[] = BILLERS,
  counterApproval: CounterApprovalPolicy = DEFAULT_COUNTER_APPROVAL,
): Decider<PaymentCommand, PaymentEvent, PaymentState> {
  const decide = (command: PaymentCommand, state: PaymentState): PaymentEvent[] | DomainRejection => {
    if (command.type === 'StartPayment') {
      const fingerprint = fingerprintOf(command.request);
      if (state.status !== 'none') {
        if (state.fingerprint !== fingerprint) {
          return reject(PAYMENT_ERROR.IDEMPOTENCY_KEY_REUSED, `payment ${command.request.paymentId} already exists with another payload`, { paymentId: command.request.paymentId });
        }
        return []; // the same payment again: its recorded progress is the answer
      }
      if (command.request.amountMinor <= 0n) throw new Error('a payment amount must be positive');
      const initiated: PaymentEvent = { type: 'PaymentInitiated', data: { request: command.request, fingerprint, initiatedAt: command.now } };
      if (command.request.kind === 'bill') {
        const biller = billers.find((entry) => entry.billerId === (command.request as BillPaymentRequest).billerId);
        if (biller) return [initiated];
        const failure = { code: PAYMENT_ERROR.BILLER_NOT_SUPPORTED, message: `biller ${command.request.billerId} is not supported` };
        return [initiated, { type: 'PaymentFailed', data: { paymentId: command.request.paymentId, kind: 'bill', failure, holdReleased: false, failedAt: command.now } }];
      }
      if (command.request.kind === 'counter' && command.request.amountMinor > counterApproval.aboveMinor) {
        const deadline = new Date(Date.parse(command.now) + counterApproval.windowMs).toISOString();
        return [{ ...initiated, data: { ...initiated.data, approval: { aboveMinor: counterApproval.aboveMinor, deadline } } }];
      }
      if (command.request.kind !== 'merchant') return [initiated];
      const check = checkMerchant(registry, command.request.merchantId, command.request.channel);
      if (!check.ok) {
        const failure = { code: check.code, message: check.message };
        return [initiated, { type: 'PaymentFailed', data: { paymentId: command.request.paymentId, kind: command.request.kind, failure, holdReleased: false, failedAt: command.now } }];
      }
      return [{ ...initiated, data: { ...initiated.data, settlement: check.merchant.settlement } }];
    }
    if (command.type === 'ClaimRefund') {
      if (state.status === 'none') return reject(PAYMENT_ERROR.PAYMENT_NOT_FOUND, 'no such payment');
      if (state.status !== 'completed' || state.request.kind !== 'merchant') return reject(PAYMENT_ERROR.PAYMENT_NOT_REFUNDABLE, `a ${state.request.kind} payment in state ${state.status} cannot be refunded`);
      const earlier = state.refunds?.[command.refundId];
      if (earlier !== undefined) {
        if (earlier !== command.amountMinor) return reject(PAYMENT_ERROR.IDEMPOTENCY_KEY_REUSED, `refund ${command.refundId} was claimed with another amount`);
        return []; // the same claim again
      }
      const refundable = refundableMinor(state);
      if (command.amountMinor > refundable) {
        return reject(PAYMENT_ERROR.REFUND_EXCEEDS_PAYMENT, `only ${refundable} fen of the payment remain refundable`, { refundableMinor: refundable.toString() });
      }
      return [{ type: 'RefundClaimed', data: { paymentId: state.request.paymentId, refundId: command.refundId, amountMinor: command.amountMinor, claimedAt: command.now } }];
    }
    if (command.type === 'ReleaseRefundClaim') {
      if (state.status === 'none' || state.refunds?.[command.refundId] === undefined) return [];
      return [{ type: 'RefundClaimReleased', data: { paymentId: state.request.paymentId, refundId: command.refundId, releasedAt: command.now } }];
    }
    if (command.type === 'RecordSteps') {
      if (command.steps.length === 0 || command.steps.length > MAX_RECORDED_STEPS) throw new Error(`RecordSteps takes 1 to ${MAX_RECORDED_STEPS} steps`);
      const events: PaymentEvent[] = [];
      let current = state;
      for (const step of command.steps) {
        const decided = decide(step, current);
        if (isRejection(decided)) return decided;
        for (const event of decided) current = evolve(current, event);
        events.push(...decided);
      }
      return events;
    }
    if (state.status === 'none') return reject(STEP_OUT_OF_ORDER, `${command.type}: the payment does not exist`);
    const paymentId = state.request.paymentId;
    switch (command.type) {
      case 'RecordPasswordCheck':
        if (state.status !== 'verifying_password') return outOfOrder(command, state);
        return command.result.ok ? [{ type: 'PaymentPasswordVerified', data: { paymentId, verifiedAt: command.now } }] : [failed(state, command.result.failure, false, command.now)];
      case 'RecordReservation': {
        if (state.status !== 'reserving' || state.request.kind === 'refund' || state.request.kind === 'topup') return outOfOrder(command, state);
        const holdId = holdIdFor(paymentId);
        const result = command.result;
        if (result.ok) {
          return [{ type: 'PaymentFundsReserved', data: { paymentId, walletId: state.request.walletId, holdId, amountMinor: state.request.amountMinor, expiresAt: result.expiresAt, reservedAt: command.now } }];
        }
        // A refusal moved nothing; an unanswered reservation may have made a hold, so release it first.
        if ('uncertain' in result) return [{ type: 'PaymentReleaseRequested', data: { paymentId, holdId, failure: result.failure, requestedAt: command.now } }];
        return [failed(state, result.failure, false, command.now)];
      }
      case 'RecordAuthorization': {
        // A payment settled in the wallet reserves nothing before its password is recorded.
        if (state.status !== 'verifying_password' || state.request.kind === 'refund' || state.request.kind === 'topup' || state.settlement === 'wallet') return outOfOrder(command, state);
        const { password, reservation } = command;
        const holdId = holdIdFor(paymentId);
        // A hold may exist (made, or asked for without an answer): it is released before the payment fails.
        const holdMayExist = reservation.ok || 'uncertain' in reservation;
        if (!password.ok) {
          return holdMayExist ? [{ type: 'PaymentReleaseRequested', data: { paymentId, holdId, failure: password.failure, requestedAt: command.now } }] : [failed(state, password.failure, false, command.now)];
        }
        const verified: PaymentEvent = { type: 'PaymentPasswordVerified', data: { paymentId, verifiedAt: command.now } };
        if (reservation.ok) {
          return [verified, { type: 'PaymentFundsReserved', data: { paymentId, walletId: state.request.walletId, holdId, amountMinor: state.request.amountMinor, expiresAt: reservation.expiresAt, reservedAt: command.now } }];
        }
        if (holdMayExist) return [verified, { type: 'PaymentReleaseRequested', data: { paymentId, holdId, failure: reservation.failure, requestedAt: command.now } }];
        return [verified, failed(state, reservation.failure, false, command.now)];
      }
      case 'RecordAcquirerAnswer':
        if (state.status !== 'confirming') return outOfOrder(command, state);
        return command.result.ok
          ? [{ type: 'MerchantApproved', data: { paymentId, authorizationCode: command.result.authorizationCode, approvedAt: command.now } }]
          : [{ type: 'PaymentReleaseRequested', data: { paymentId, holdId: holdIdFor(paymentId), failure: command.result.failure, requestedAt: command.now } }];
      case 'RecordSettlement': {
        if (state.status !== 'settling') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        const { transactionId, postings } = command.result;
        return [{ type: 'PaymentCompleted', data: { paymentId, kind: state.request.kind, amountMinor: state.request.amountMinor, transactionIds: [transactionId], postings, completedAt: command.now } }];
      }
      case 'RecordCapture': {
        if (state.status !== 'capturing') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        // A transfer's outcome carries both legs: recipient credited from, and sender captured to, clearing:transfer.
        const earlier = state.recipientCredit;
        return [
          {
            type: 'PaymentCompleted',
            data: {
              paymentId,
              kind: state.request.kind,
              amountMinor: state.request.amountMinor,
              transactionIds: [...(earlier ? [earlier.transactionId] : []), command.result.transactionId],
              postings: [...(earlier?.postings ?? []), ...command.result.postings],
              completedAt: command.now,
            },
          },
        ];
      }
      case 'RecordRecipient':
        if (state.status !== 'finding_recipient') return outOfOrder(command, state);
        return command.result.ok
          ? [{ type: 'RecipientFound', data: { paymentId, recipientUserId: command.result.recipientUserId, recipientWalletId: command.result.recipientWalletId, foundAt: command.now } }]
          : [failed(state, command.result.failure, false, command.now)];
      case 'RecordRecipientCredit': {
        if (state.status !== 'crediting_recipient' || !state.recipient) return outOfOrder(command, state);
        if (!command.result.ok) return [{ type: 'PaymentReleaseRequested', data: { paymentId, holdId: holdIdFor(paymentId), failure: command.result.failure, requestedAt: command.now } }];
        const { transactionId, postings } = command.result;
        return [{ type: 'RecipientCredited', data: { paymentId, recipientWalletId: state.recipient.walletId, transactionId, postings, creditedAt: command.now } }];
      }
      case 'RecordCardCheck': {
        if (state.status !== 'checking_card' || state.request.kind !== 'topup') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        return [{ type: 'CardChecked', data: { paymentId, cardId: state.request.cardId, last4: command.result.last4, issuer: command.result.issuer, checkedAt: command.now } }];
      }
      case 'RecordCardCharge': {
        if (state.status !== 'charging' || state.request.kind !== 'topup') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        return [{ type: 'CardCharged', data: { paymentId, cardId: state.request.cardId, issuerReference: command.result.issuerReference, chargedAt: command.now } }];
      }
      case 'RecordWalletCredit': {
        const kind = state.request.kind;
        if (state.status !== 'crediting' || (kind !== 'topup' && kind !== 'provider_topup' && kind !== 'counter')) return outOfOrder(command, state);
        if (!command.result.ok) {
          // A card is paid back by us; a provider's money is returned by reconciliation with the provider; a teller hands the cash back.
          if (state.request.kind === 'topup') return [{ type: 'CardRefundRequested', data: { paymentId, cardId: state.request.cardId, failure: command.result.failure, requestedAt: command.now } }];
          const failure = kind === 'provider_topup' ? { ...command.result.failure, details: { ...command.result.failure.details, providerRefundRequired: true } } : command.result.failure;
          return [failed(state, failure, false, command.now)];
        }
        const { transactionId, postings } = command.result;
        return [{ type: 'PaymentCompleted', data: { paymentId, kind, amountMinor: state.request.amountMinor, transactionIds: [transactionId], postings, completedAt: command.now } }];
      }
      case 'RecordProviderConfirmation': {
        const request = state.request;
        if (request.kind !== 'provider_topup') return reject(PAYMENT_ERROR.PAYMENT_NOT_FOUND, `payment ${paymentId} is not a provider top-up`);
        if (command.provider !== request.provider || command.amountMinor !== request.amountMinor) {
          return reject(PAYMENT_ERROR.CALLBACK_MISMATCH, 'the callback does not match the pending top-up', { provider: request.provider, amountMinor: request.amountMinor.toString() });
        }
        // The same confirmation again (a provider answering twice): nothing new, it is credited once.
        if (state.providerReference === command.providerReference) return [];
        if (state.status === 'awaiting_provider' && Date.parse(command.now) <= Date.parse(request.deadline)) {
          return [{ type: 'ProviderConfirmed', data: { paymentId, provider: command.provider, providerReference: command.providerReference, confirmedAt: command.now } }];
        }
        if (state.status !== 'awaiting_provider' && state.status !== 'failed') return reject(PAYMENT_ERROR.CALLBACK_MISMATCH, 'the top-up was confirmed with another provider reference');
        // Too late: report it once (for reconciliation: the provider must give the money back), and expire the top-up if not yet done.
        if (state.lateCallbacks?.includes(command.providerReference)) return [];
        const late: PaymentEvent = {
          type: 'LateProviderCallbackReported',
          data: { paymentId, provider: command.provider, providerReference: command.providerReference, amountMinor: command.amountMinor, receivedAt: command.now },
        };
        return state.status === 'awaiting_provider' ? [failed(state, expired(request), false, command.now), late] : [late];
      }
      case 'RecordProviderExpiry':
        if (state.status !== 'awaiting_provider' || state.request.kind !== 'provider_topup') return outOfOrder(command, state);
        if (Date.parse(command.now) <= Date.parse(state.request.deadline)) return reject(STEP_OUT_OF_ORDER, 'the deadline has not passed');
        return [failed(state, expired(state.request), false, command.now)];
      case 'RecordCounterApproval':
      case 'RecordCounterRejection': {
        const { approval, request } = state;
        if (state.status !== 'awaiting_approval' || request.kind !== 'counter' || approval === undefined) {
          // The same supervisor's approval again (a resent command): already done.
          if (command.type === 'RecordCounterApproval' && approval?.approvedBy === command.supervisorId) return [];
          return reject(PAYMENT_ERROR.NOT_AWAITING_APPROVAL, `payment ${paymentId} is ${state.status}, not awaiting a supervisor's approval`, { status: state.status });
        }
        if (command.supervisorId === request.tellerId) return reject(PAYMENT_ERROR.SELF_APPROVAL_FORBIDDEN, 'the teller who made a counter top-up may not decide on it', { tellerId: request.tellerId });
        if (Date.parse(command.now) > Date.parse(approval.deadline)) return [failed(state, approvalExpired(approval), false, command.now)];
        if (command.type === 'RecordCounterApproval') return [{ type: 'CounterTopUpApproved', data: { paymentId, supervisorId: command.supervisorId, approvedAt: command.now } }];
        const failure = { code: PAYMENT_ERROR.COUNTER_TOP_UP_REJECTED, message: `supervisor ${command.supervisorId} rejected the counter top-up: ${command.reason}`, details: { supervisorId: command.supervisorId } };
        return [{ type: 'CounterTopUpRejected', data: { paymentId, supervisorId: command.supervisorId, reason: command.reason, rejectedAt: command.now } }, failed(state, failure, false, command.now)];
      }
      case 'RecordApprovalExpiry':
        if (state.status !== 'awaiting_approval' || state.approval === undefined) return outOfOrder(command, state);
        if (Date.parse(command.now) <= Date.parse(state.approval.deadline)) return reject(STEP_OUT_OF_ORDER, 'the approval deadline has not passed');
        return [failed(state, approvalExpired(state.approval), false, command.now)];
      case 'RecordBillCheck': {
        if (state.status !== 'checking_bill' || state.request.kind !== 'bill') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        return [{ type: 'BillChecked', data: { paymentId, billerId: state.request.billerId, billReference: state.request.billReference.masked, checkedAt: command.now } }];
      }
      case 'RecordBillPayment': {
        if (state.status !== 'paying_bill' || state.request.kind !== 'bill') return outOfOrder(command, state);
        if (!command.result.ok) return [{ type: 'PaymentReleaseRequested', data: { paymentId, holdId: holdIdFor(paymentId), failure: command.result.failure, requestedAt: command.now } }];
        return [{ type: 'BillPaid', data: { paymentId, billerId: state.request.billerId, receipt: command.result.receipt, paidAt: command.now } }];
      }
      case 'RecordPayout': {
        if (state.status !== 'paying_out' || state.request.kind !== 'withdrawal') return outOfOrder(command, state);
        if (!command.result.ok) return [{ type: 'PaymentReleaseRequested', data: { paymentId, holdId: holdIdFor(paymentId), failure: command.result.failure, requestedAt: command.now } }];
        return [{ type: 'CardPaidOut', data: { paymentId, cardId: state.request.cardId, issuerReference: command.result.issuerReference, paidOutAt: command.now } }];
      }
      case 'RecordRefundClaim': {
        if (state.status !== 'claiming_refund' || state.request.kind !== 'refund') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        const { walletId, userId, merchantId } = command.result;
        return [{ type: 'RefundClaimGranted', data: { paymentId, originalPaymentId: state.request.originalPaymentId, walletId, userId, merchantId, grantedAt: command.now } }];
      }
      case 'RecordRefundCredit': {
        if (state.status !== 'crediting_refund') return outOfOrder(command, state);
        if (!command.result.ok) return [{ type: 'RefundClaimReleaseRequested', data: { paymentId, failure: command.result.failure, requestedAt: command.now } }];
        const { transactionId, postings } = command.result;
        return [{ type: 'PaymentCompleted', data: { paymentId, kind: 'refund', amountMinor: state.request.amountMinor, transactionIds: [transactionId], postings, completedAt: command.now } }];
      }
      case 'RecordRefundClaimRelease':
        if (state.status !== 'releasing_refund_claim') return outOfOrder(command, state);
        return [failed(state, state.pendingFailure ?? { code: 'UNKNOWN', message: 'released without a reason' }, false, command.now)];
      case 'RecordCardRefund': {
        if (state.status !== 'refunding_card') return outOfOrder(command, state);
        const failure = state.pendingFailure ?? { code: 'UNKNOWN', message: 'refunded without a reason' };
        return [{ type: 'PaymentFailed', data: { paymentId, kind: state.request.kind, failure, holdReleased: false, cardRefund: { issuerReference: command.issuerReference }, failedAt: command.now } }];
      }
      case 'RecordRelease':
        if (state.status !== 'releasing') return outOfOrder(command, state);
        return [failed(state, state.pendingFailure ?? { code: 'UNKNOWN', message: 'released without a reason' }, command.holdFound ?? true, command.now)];
      default:
        return assertNever(command, 'payment command');
    }
  };

  const evolve = (state: PaymentState, event: PaymentEvent): PaymentState => {
    if (event.type === 'PaymentInitiated') {
      const first: Record<PaymentKind, PaymentStatus> = {
        merchant: 'verifying_password',
        topup: 'checking_card',
        transfer: 'finding_recipient',
        withdrawal: 'verifying_password',
        bill: 'checking_bill',
        provider_topup: 'awaiting_provider',
        counter: 'crediting',
        refund: 'claiming_refund',
      };
      const { request, fingerprint, initiatedAt, settlement, approval } = event.data;
      const started: ActivePaymentState = { status: approval === undefined ? first[request.kind] : 'awaiting_approval', request, fingerprint, initiatedAt };
      if (settlement !== undefined) started.settlement = settlement;
      if (approval !== undefined) started.approval = approval;
      return started;
    }
    if (state.status === 'none') throw new Error(`${event.type} before PaymentInitiated`);
    switch (event.type) {
      case 'PaymentPasswordVerified':
        return { ...state, status: state.settlement === 'wallet' ? 'settling' : 'reserving' };
      case 'PaymentFundsReserved':
        return { ...state, status: AFTER_RESERVATION[state.request.kind], holdId: event.data.holdId, holdExpiresAt: event.data.expiresAt };
      case 'RecipientFound':
        return { ...state, status: 'verifying_password', recipient: { userId: event.data.recipientUserId, walletId: event.data.recipientWalletId } };
      case 'RecipientCredited':
        return { ...state, status: 'capturing', recipientCredit: { transactionId: event.data.transactionId, postings: event.data.postings } };
      case 'CardChecked':
        return { ...state, status: 'charging', card: { last4: event.data.last4, issuer: event.data.issuer } };
      case 'CardCharged':
        return { ...state, status: 'crediting', card: { last4: state.card?.last4 ?? '', issuer: state.card?.issuer ?? '', issuerReference: event.data.issuerReference } };
      case 'CardRefundRequested':
        return { ...state, status: 'refunding_card', pendingFailure: event.data.failure };
      case 'CardPaidOut':
        return { ...state, status: 'capturing' };
      case 'ProviderConfirmed':
        return { ...state, status: 'crediting', providerReference: event.data.providerReference };
      case 'LateProviderCallbackReported':
        return { ...state, lateCallbacks: [...(state.lateCallbacks ?? []), event.data.providerReference] };
      case 'BillChecked':
        return { ...state, status: 'verifying_password' };
      case 'BillPaid':
        return { ...state, status: 'capturing' };
      case 'RefundClaimed':
        return { ...state, refunds: { ...state.refunds, [event.data.refundId]: event.data.amountMinor } };
      case 'RefundClaimReleased': {
        const { [event.data.refundId]: _released, ...rest } = state.refunds ?? {};
        return { ...state, refunds: rest };
      }
      case 'RefundClaimGranted':
        return { ...state, status: 'crediting_refund', refundTarget: { walletId: event.data.walletId, userId: event.data.userId, merchantId: event.data.merchantId } };
      case 'RefundClaimReleaseRequested':
        return { ...state, status: 'releasing_refund_claim', pendingFailure: event.data.failure };
      case 'MerchantApproved':
        return { ...state, status: 'capturing', authorizationCode: event.data.authorizationCode };
      case 'CounterTopUpApproved':
        return state.approval === undefined ? state : { ...state, status: 'crediting', approval: { ...state.approval, approvedBy: event.data.supervisorId } };
      case 'CounterTopUpRejected':
        return state; // the PaymentFailed of the same append ends it
      case 'PaymentReleaseRequested':
        return { ...state, status: 'releasing', holdId: event.data.holdId, pendingFailure: event.data.failure };
      case 'PaymentCompleted':
        return { ...state, status: 'completed', completed: event.data };
      case 'PaymentFailed':
        return { ...state, status: 'failed', failed: event.data };
      default:
        return assertNever(event, 'payment event');
    }
  };

  return { initialState: () => ({ status: 'none' }), decide, evolve };
}

export const paymentDecider = createPaymentDecider();
