/** What every recorded step can answer: the step does not apply in this state, or the payment fails. */
import { reject, type DomainRejection, type Instant } from '@ledger/util';
import { STEP_OUT_OF_ORDER } from './codes';
import type { ActivePaymentState, Failure, PaymentCommand, PaymentEvent, PaymentState } from './payment-types';

export function outOfOrder(command: PaymentCommand, state: PaymentState): DomainRejection {
  return reject(STEP_OUT_OF_ORDER, `${command.type} does not apply to a payment in state ${state.status}`, { status: state.status });
}

export function failed(state: ActivePaymentState, failure: Failure, holdReleased: boolean, now: Instant): PaymentEvent {
  return {
    type: 'PaymentFailed',
    data: { paymentId: state.request.paymentId, kind: state.request.kind, failure, holdReleased, failedAt: now },
  };
}
