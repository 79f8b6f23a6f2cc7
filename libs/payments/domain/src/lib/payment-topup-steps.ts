/**
 * The recorded steps of the top-ups, the flows that credit the wallet: from a bound card (checked,
 * charged, paid back if the credit is refused), through a provider (its signed callback or the
 * deadline) and at a bank counter (a supervisor's approval above the threshold); each ends with the
 * wallet's credit.
 */
import { assertNever, reject, type DomainRejection } from '@ledger/util';
import { PAYMENT_ERROR, STEP_OUT_OF_ORDER } from './codes';
import type { ProviderTopUpRequest } from './payment-requests';
import { failed, outOfOrder } from './payment-step-helpers';
import type { ActivePaymentState, ApprovalRequirement, Failure, PaymentCommand, PaymentEvent } from './payment-types';

export type TopUpStepCommand = Extract<
  PaymentCommand,
  {
    type:
      | 'RecordCardCheck'
      | 'RecordCardCharge'
      | 'RecordWalletCredit'
      | 'RecordProviderConfirmation'
      | 'RecordProviderExpiry'
      | 'RecordCounterApproval'
      | 'RecordCounterRejection'
      | 'RecordApprovalExpiry'
      | 'RecordCardRefund';
  }
>;

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

export function decideTopUpStep(command: TopUpStepCommand, state: ActivePaymentState): PaymentEvent[] | DomainRejection {
  const paymentId = state.request.paymentId;
  switch (command.type) {
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
    default:
      return assertNever(command, 'payment command');
  }
}
