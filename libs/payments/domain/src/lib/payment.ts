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
import { assertNever, isRejection, plusMs, reject, type Decider, type DomainRejection, type Instant } from '@ledger/util';
import { PAYMENT_ERROR, STEP_OUT_OF_ORDER } from './codes';
import { BILLERS, type BillerEntry } from './billers';
import { MERCHANTS, checkMerchant, type MerchantEntry } from './merchants';
import { evolvePayment, refundableMinor } from './payment-evolve';
import { fingerprintOf, holdIdFor } from './payment-keys';
import {
  DEFAULT_COUNTER_APPROVAL,
  MAX_RECORDED_STEPS,
  recordedRequest,
  type ActivePaymentState,
  type ApprovalRequirement,
  type BillPaymentRequest,
  type CounterApprovalPolicy,
  type Failure,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
  type ProviderTopUpRequest,
} from './payment-types';

export * from './payment-types';
export { evolvePayment, nextStep, refundableMinor } from './payment-evolve';
export { fingerprintOf, holdIdFor, paymentStreamId } from './payment-keys';

function outOfOrder(command: PaymentCommand, state: PaymentState): DomainRejection {
  return reject(STEP_OUT_OF_ORDER, `${command.type} does not apply to a payment in state ${state.status}`, { status: state.status });
}

function failed(state: ActivePaymentState, failure: Failure, holdReleased: boolean, now: Instant): PaymentEvent {
  return {
    type: 'PaymentFailed',
    data: { paymentId: state.request.paymentId, kind: state.request.kind, failure, holdReleased, failedAt: now },
  };
}

function approvalExpired(approval: ApprovalRequirement): Failure {
  return {
    code: PAYMENT_ERROR.APPROVAL_EXPIRED,
    message: `no supervisor decided on the counter top-up before ${approval.deadline}`,
    details: { deadline: approval.deadline },
  };
}

function expired(request: ProviderTopUpRequest): Failure {
  return {
    code: PAYMENT_ERROR.TOPUP_EXPIRED,
    message: `no confirmation from ${request.provider} before ${request.deadline}`,
    details: { deadline: request.deadline },
  };
}

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
          return reject(PAYMENT_ERROR.IDEMPOTENCY_KEY_REUSED, `payment ${command.request.paymentId} already exists with another payload`, {
            paymentId: command.request.paymentId,
          });
        }
        return []; // the same payment again: its recorded progress is the answer
      }
      if (command.request.amountMinor <= 0n) throw new Error('a payment amount must be positive');
      const initiated: PaymentEvent = {
        type: 'PaymentInitiated',
        data: { request: recordedRequest(command.request), fingerprint, initiatedAt: command.now },
      };
      if (command.request.kind === 'bill') {
        const biller = billers.find((entry) => entry.billerId === (command.request as BillPaymentRequest).billerId);
        if (biller) return [initiated];
        const failure = { code: PAYMENT_ERROR.BILLER_NOT_SUPPORTED, message: `biller ${command.request.billerId} is not supported` };
        return [
          initiated,
          {
            type: 'PaymentFailed',
            data: { paymentId: command.request.paymentId, kind: 'bill', failure, holdReleased: false, failedAt: command.now },
          },
        ];
      }
      if (command.request.kind === 'counter' && command.request.amountMinor > counterApproval.aboveMinor) {
        const deadline = plusMs(command.now, counterApproval.windowMs);
        return [{ ...initiated, data: { ...initiated.data, approval: { aboveMinor: counterApproval.aboveMinor.toString(), deadline } } }];
      }
      if (command.request.kind !== 'merchant') return [initiated];
      const check = checkMerchant(registry, command.request.merchantId, command.request.channel);
      if (!check.ok) {
        const failure = { code: check.code, message: check.message };
        return [
          initiated,
          {
            type: 'PaymentFailed',
            data: { paymentId: command.request.paymentId, kind: command.request.kind, failure, holdReleased: false, failedAt: command.now },
          },
        ];
      }
      return [{ ...initiated, data: { ...initiated.data, settlement: check.merchant.settlement } }];
    }
    if (command.type === 'ClaimRefund') {
      if (state.status === 'none') return reject(PAYMENT_ERROR.PAYMENT_NOT_FOUND, 'no such payment');
      if (state.status !== 'completed' || state.request.kind !== 'merchant')
        return reject(PAYMENT_ERROR.PAYMENT_NOT_REFUNDABLE, `a ${state.request.kind} payment in state ${state.status} cannot be refunded`);
      const earlier = state.refunds?.[command.refundId];
      if (earlier !== undefined) {
        if (earlier !== command.amountMinor)
          return reject(PAYMENT_ERROR.IDEMPOTENCY_KEY_REUSED, `refund ${command.refundId} was claimed with another amount`);
        return []; // the same claim again
      }
      const refundable = refundableMinor(state);
      if (command.amountMinor > refundable) {
        return reject(PAYMENT_ERROR.REFUND_EXCEEDS_PAYMENT, `only ${refundable} fen of the payment remain refundable`, {
          refundableMinor: refundable.toString(),
        });
      }
      return [
        {
          type: 'RefundClaimed',
          data: {
            paymentId: state.request.paymentId,
            refundId: command.refundId,
            amountMinor: command.amountMinor.toString(),
            claimedAt: command.now,
          },
        },
      ];
    }
    if (command.type === 'ReleaseRefundClaim') {
      if (state.status === 'none' || state.refunds?.[command.refundId] === undefined) return [];
      return [
        { type: 'RefundClaimReleased', data: { paymentId: state.request.paymentId, refundId: command.refundId, releasedAt: command.now } },
      ];
    }
    if (command.type === 'RecordSteps') {
      if (command.steps.length === 0 || command.steps.length > MAX_RECORDED_STEPS)
        throw new Error(`RecordSteps takes 1 to ${MAX_RECORDED_STEPS} steps`);
      const events: PaymentEvent[] = [];
      let current = state;
      for (const step of command.steps) {
        const decided = decide(step, current);
        if (isRejection(decided)) return decided;
        for (const event of decided) current = evolvePayment(current, event);
        events.push(...decided);
      }
      return events;
    }
    if (state.status === 'none') return reject(STEP_OUT_OF_ORDER, `${command.type}: the payment does not exist`);
    const paymentId = state.request.paymentId;
    switch (command.type) {
      case 'RecordPasswordCheck':
        if (state.status !== 'verifying_password') return outOfOrder(command, state);
        return command.result.ok
          ? [{ type: 'PaymentPasswordVerified', data: { paymentId, verifiedAt: command.now } }]
          : [failed(state, command.result.failure, false, command.now)];
      case 'RecordReservation': {
        if (state.status !== 'reserving' || state.request.kind === 'refund' || state.request.kind === 'topup')
          return outOfOrder(command, state);
        const holdId = holdIdFor(paymentId);
        const result = command.result;
        if (result.ok) {
          return [
            {
              type: 'PaymentFundsReserved',
              data: {
                paymentId,
                walletId: state.request.walletId,
                holdId,
                amountMinor: state.request.amountMinor.toString(),
                expiresAt: result.expiresAt,
                reservedAt: command.now,
              },
            },
          ];
        }
        // A refusal moved nothing; an unanswered reservation may have made a hold, so release it first.
        if ('uncertain' in result)
          return [{ type: 'PaymentReleaseRequested', data: { paymentId, holdId, failure: result.failure, requestedAt: command.now } }];
        return [failed(state, result.failure, false, command.now)];
      }
      case 'RecordAuthorization': {
        // A payment settled in the wallet reserves nothing before its password is recorded.
        if (
          state.status !== 'verifying_password' ||
          state.request.kind === 'refund' ||
          state.request.kind === 'topup' ||
          state.settlement === 'wallet'
        )
          return outOfOrder(command, state);
        const { password, reservation } = command;
        const holdId = holdIdFor(paymentId);
        // A hold may exist (made, or asked for without an answer): it is released before the payment fails.
        const holdMayExist = reservation.ok || 'uncertain' in reservation;
        if (!password.ok) {
          return holdMayExist
            ? [{ type: 'PaymentReleaseRequested', data: { paymentId, holdId, failure: password.failure, requestedAt: command.now } }]
            : [failed(state, password.failure, false, command.now)];
        }
        const verified: PaymentEvent = { type: 'PaymentPasswordVerified', data: { paymentId, verifiedAt: command.now } };
        if (reservation.ok) {
          return [
            verified,
            {
              type: 'PaymentFundsReserved',
              data: {
                paymentId,
                walletId: state.request.walletId,
                holdId,
                amountMinor: state.request.amountMinor.toString(),
                expiresAt: reservation.expiresAt,
                reservedAt: command.now,
              },
            },
          ];
        }
        if (holdMayExist)
          return [
            verified,
            { type: 'PaymentReleaseRequested', data: { paymentId, holdId, failure: reservation.failure, requestedAt: command.now } },
          ];
        return [verified, failed(state, reservation.failure, false, command.now)];
      }
      case 'RecordAcquirerAnswer':
        if (state.status !== 'confirming') return outOfOrder(command, state);
        return command.result.ok
          ? [
              {
                type: 'MerchantApproved',
                data: { paymentId, authorizationCode: command.result.authorizationCode, approvedAt: command.now },
              },
            ]
          : [
              {
                type: 'PaymentReleaseRequested',
                data: { paymentId, holdId: holdIdFor(paymentId), failure: command.result.failure, requestedAt: command.now },
              },
            ];
      case 'RecordSettlement': {
        if (state.status !== 'settling') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        const { transactionId, postings } = command.result;
        return [
          {
            type: 'PaymentCompleted',
            data: {
              paymentId,
              kind: state.request.kind,
              amountMinor: state.request.amountMinor.toString(),
              transactionIds: [transactionId],
              postings,
              completedAt: command.now,
            },
          },
        ];
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
              amountMinor: state.request.amountMinor.toString(),
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
          ? [
              {
                type: 'RecipientFound',
                data: {
                  paymentId,
                  recipientUserId: command.result.recipientUserId,
                  recipientWalletId: command.result.recipientWalletId,
                  foundAt: command.now,
                },
              },
            ]
          : [failed(state, command.result.failure, false, command.now)];
      case 'RecordRecipientCredit': {
        if (state.status !== 'crediting_recipient' || !state.recipient) return outOfOrder(command, state);
        if (!command.result.ok)
          return [
            {
              type: 'PaymentReleaseRequested',
              data: { paymentId, holdId: holdIdFor(paymentId), failure: command.result.failure, requestedAt: command.now },
            },
          ];
        const { transactionId, postings } = command.result;
        return [
          {
            type: 'RecipientCredited',
            data: { paymentId, recipientWalletId: state.recipient.walletId, transactionId, postings, creditedAt: command.now },
          },
        ];
      }
      case 'RecordCardCheck': {
        if (state.status !== 'checking_card' || state.request.kind !== 'topup') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        return [
          {
            type: 'CardChecked',
            data: {
              paymentId,
              cardId: state.request.cardId,
              last4: command.result.last4,
              issuer: command.result.issuer,
              checkedAt: command.now,
            },
          },
        ];
      }
      case 'RecordCardCharge': {
        if (state.status !== 'charging' || state.request.kind !== 'topup') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        return [
          {
            type: 'CardCharged',
            data: { paymentId, cardId: state.request.cardId, issuerReference: command.result.issuerReference, chargedAt: command.now },
          },
        ];
      }
      case 'RecordWalletCredit': {
        const kind = state.request.kind;
        if (state.status !== 'crediting' || (kind !== 'topup' && kind !== 'provider_topup' && kind !== 'counter'))
          return outOfOrder(command, state);
        if (!command.result.ok) {
          // A card is paid back by us; a provider's money is returned by reconciliation with the provider; a teller hands the cash back.
          if (state.request.kind === 'topup')
            return [
              {
                type: 'CardRefundRequested',
                data: { paymentId, cardId: state.request.cardId, failure: command.result.failure, requestedAt: command.now },
              },
            ];
          const failure =
            kind === 'provider_topup'
              ? { ...command.result.failure, details: { ...command.result.failure.details, providerRefundRequired: true } }
              : command.result.failure;
          return [failed(state, failure, false, command.now)];
        }
        const { transactionId, postings } = command.result;
        return [
          {
            type: 'PaymentCompleted',
            data: {
              paymentId,
              kind,
              amountMinor: state.request.amountMinor.toString(),
              transactionIds: [transactionId],
              postings,
              completedAt: command.now,
            },
          },
        ];
      }
      case 'RecordProviderConfirmation': {
        const request = state.request;
        if (request.kind !== 'provider_topup')
          return reject(PAYMENT_ERROR.PAYMENT_NOT_FOUND, `payment ${paymentId} is not a provider top-up`);
        if (command.provider !== request.provider || command.amountMinor !== request.amountMinor) {
          return reject(PAYMENT_ERROR.CALLBACK_MISMATCH, 'the callback does not match the pending top-up', {
            provider: request.provider,
            amountMinor: request.amountMinor.toString(),
          });
        }
        // The same confirmation again (a provider answering twice): nothing new, it is credited once.
        if (state.providerReference === command.providerReference) return [];
        if (state.status === 'awaiting_provider' && Date.parse(command.now) <= Date.parse(request.deadline)) {
          return [
            {
              type: 'ProviderConfirmed',
              data: { paymentId, provider: command.provider, providerReference: command.providerReference, confirmedAt: command.now },
            },
          ];
        }
        if (state.status !== 'awaiting_provider' && state.status !== 'failed')
          return reject(PAYMENT_ERROR.CALLBACK_MISMATCH, 'the top-up was confirmed with another provider reference');
        // Too late: report it once (for reconciliation: the provider must give the money back), and expire the top-up if not yet done.
        if (state.lateCallbacks?.includes(command.providerReference)) return [];
        const late: PaymentEvent = {
          type: 'LateProviderCallbackReported',
          data: {
            paymentId,
            provider: command.provider,
            providerReference: command.providerReference,
            amountMinor: command.amountMinor.toString(),
            receivedAt: command.now,
          },
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
          return reject(
            PAYMENT_ERROR.NOT_AWAITING_APPROVAL,
            `payment ${paymentId} is ${state.status}, not awaiting a supervisor's approval`,
            { status: state.status },
          );
        }
        if (command.supervisorId === request.tellerId)
          return reject(PAYMENT_ERROR.SELF_APPROVAL_FORBIDDEN, 'the teller who made a counter top-up may not decide on it', {
            tellerId: request.tellerId,
          });
        if (Date.parse(command.now) > Date.parse(approval.deadline)) return [failed(state, approvalExpired(approval), false, command.now)];
        if (command.type === 'RecordCounterApproval')
          return [{ type: 'CounterTopUpApproved', data: { paymentId, supervisorId: command.supervisorId, approvedAt: command.now } }];
        const failure = {
          code: PAYMENT_ERROR.COUNTER_TOP_UP_REJECTED,
          message: `supervisor ${command.supervisorId} rejected the counter top-up: ${command.reason}`,
          details: { supervisorId: command.supervisorId },
        };
        return [
          {
            type: 'CounterTopUpRejected',
            data: { paymentId, supervisorId: command.supervisorId, reason: command.reason, rejectedAt: command.now },
          },
          failed(state, failure, false, command.now),
        ];
      }
      case 'RecordApprovalExpiry':
        if (state.status !== 'awaiting_approval' || state.approval === undefined) return outOfOrder(command, state);
        if (Date.parse(command.now) <= Date.parse(state.approval.deadline))
          return reject(STEP_OUT_OF_ORDER, 'the approval deadline has not passed');
        return [failed(state, approvalExpired(state.approval), false, command.now)];
      case 'RecordBillCheck': {
        if (state.status !== 'checking_bill' || state.request.kind !== 'bill') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        return [
          {
            type: 'BillChecked',
            data: {
              paymentId,
              billerId: state.request.billerId,
              billReference: state.request.billReference.masked,
              checkedAt: command.now,
            },
          },
        ];
      }
      case 'RecordBillPayment': {
        if (state.status !== 'paying_bill' || state.request.kind !== 'bill') return outOfOrder(command, state);
        if (!command.result.ok)
          return [
            {
              type: 'PaymentReleaseRequested',
              data: { paymentId, holdId: holdIdFor(paymentId), failure: command.result.failure, requestedAt: command.now },
            },
          ];
        return [
          { type: 'BillPaid', data: { paymentId, billerId: state.request.billerId, receipt: command.result.receipt, paidAt: command.now } },
        ];
      }
      case 'RecordPayout': {
        if (state.status !== 'paying_out' || state.request.kind !== 'withdrawal') return outOfOrder(command, state);
        if (!command.result.ok)
          return [
            {
              type: 'PaymentReleaseRequested',
              data: { paymentId, holdId: holdIdFor(paymentId), failure: command.result.failure, requestedAt: command.now },
            },
          ];
        return [
          {
            type: 'CardPaidOut',
            data: { paymentId, cardId: state.request.cardId, issuerReference: command.result.issuerReference, paidOutAt: command.now },
          },
        ];
      }
      case 'RecordRefundClaim': {
        if (state.status !== 'claiming_refund' || state.request.kind !== 'refund') return outOfOrder(command, state);
        if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
        const { walletId, userId, merchantId } = command.result;
        return [
          {
            type: 'RefundClaimGranted',
            data: { paymentId, originalPaymentId: state.request.originalPaymentId, walletId, userId, merchantId, grantedAt: command.now },
          },
        ];
      }
      case 'RecordRefundCredit': {
        if (state.status !== 'crediting_refund') return outOfOrder(command, state);
        if (!command.result.ok)
          return [{ type: 'RefundClaimReleaseRequested', data: { paymentId, failure: command.result.failure, requestedAt: command.now } }];
        const { transactionId, postings } = command.result;
        return [
          {
            type: 'PaymentCompleted',
            data: {
              paymentId,
              kind: 'refund',
              amountMinor: state.request.amountMinor.toString(),
              transactionIds: [transactionId],
              postings,
              completedAt: command.now,
            },
          },
        ];
      }
      case 'RecordRefundClaimRelease':
        if (state.status !== 'releasing_refund_claim') return outOfOrder(command, state);
        return [failed(state, state.pendingFailure ?? { code: 'UNKNOWN', message: 'released without a reason' }, false, command.now)];
      case 'RecordCardRefund': {
        if (state.status !== 'refunding_card') return outOfOrder(command, state);
        const failure = state.pendingFailure ?? { code: 'UNKNOWN', message: 'refunded without a reason' };
        return [
          {
            type: 'PaymentFailed',
            data: {
              paymentId,
              kind: state.request.kind,
              failure,
              holdReleased: false,
              cardRefund: { issuerReference: command.issuerReference },
              failedAt: command.now,
            },
          },
        ];
      }
      case 'RecordRelease':
        if (state.status !== 'releasing') return outOfOrder(command, state);
        return [
          failed(
            state,
            state.pendingFailure ?? { code: 'UNKNOWN', message: 'released without a reason' },
            command.holdFound ?? true,
            command.now,
          ),
        ];
      default:
        return assertNever(command, 'payment command');
    }
  };

  return { initialState: () => ({ status: 'none' }), decide, evolve: evolvePayment };
}

export const paymentDecider = createPaymentDecider();
