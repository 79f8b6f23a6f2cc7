/**
 * Starting a payment: the same payment id again is answered by its fingerprint; a new one is recorded
 * with what its start decided (an unknown biller or a merchant that does not take the wallet fails
 * it at once, a merchant's settlement, a counter top-up's approval requirement).
 */
import { plusMs, reject, type DomainRejection } from '@ledger/util';
import { PAYMENT_ERROR } from './codes';
import { checkMerchant } from './merchants';
import type { PartnerDirectory } from './partner-directory';
import { fingerprintOf } from './payment-keys';
import type { BillPaymentRequest } from './payment-requests';
import { recordedRequest, type CounterApprovalPolicy, type PaymentCommand, type PaymentEvent, type PaymentState } from './payment-types';

export function decideStart(
  command: Extract<PaymentCommand, { type: 'StartPayment' }>,
  state: PaymentState,
  directory: PartnerDirectory,
  counterApproval: CounterApprovalPolicy,
): PaymentEvent[] | DomainRejection {
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
    const biller = directory.biller((command.request as BillPaymentRequest).billerId);
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
  if (command.request.kind === 'counter' && command.request.amountMinor > counterApproval.idCheckAboveMinor && !command.request.depositorId)
    return reject(
      PAYMENT_ERROR.DEPOSITOR_ID_REQUIRED,
      `a cash deposit above ${counterApproval.idCheckAboveMinor} fen records the depositor's ID check`,
      {
        idCheckAboveMinor: counterApproval.idCheckAboveMinor.toString(),
      },
    );
  if (command.request.kind === 'counter' && command.request.amountMinor > counterApproval.aboveMinor) {
    const deadline = plusMs(command.now, counterApproval.windowMs);
    return [{ ...initiated, data: { ...initiated.data, approval: { aboveMinor: counterApproval.aboveMinor.toString(), deadline } } }];
  }
  if (command.request.kind !== 'merchant') return [initiated];
  const check = checkMerchant((id) => directory.merchant(id), command.request.merchantId, command.request.channel);
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
