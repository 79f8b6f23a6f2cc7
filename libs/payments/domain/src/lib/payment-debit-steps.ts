/**
 * The recorded steps of the flows that take money from the wallet: a merchant payment (through an
 * acquirer, or settled in the wallet), a transfer, a bill payment and a withdrawal. The password, the
 * hold (reservation, capture, release) and each flow's own step in between.
 */
import { assertNever, type DomainRejection } from '@ledger/util';
import { holdIdFor } from './payment-keys';
import { failed, outOfOrder } from './payment-step-helpers';
import type { ActivePaymentState, PaymentCommand, PaymentEvent } from './payment-types';

export type DebitStepCommand = Extract<
  PaymentCommand,
  {
    type:
      | 'RecordPasswordCheck'
      | 'RecordReservation'
      | 'RecordAuthorization'
      | 'RecordAcquirerAnswer'
      | 'RecordSettlement'
      | 'RecordCapture'
      | 'RecordRecipient'
      | 'RecordRecipientCredit'
      | 'RecordBillCheck'
      | 'RecordBillPayment'
      | 'RecordPayout'
      | 'RecordRelease';
  }
>;

export function decideDebitStep(command: DebitStepCommand, state: ActivePaymentState): PaymentEvent[] | DomainRejection {
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
}
