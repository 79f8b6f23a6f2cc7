import type { Decider, DomainRejection } from '@ledger/util';
import { givenWhenThen } from '@ledger/util/testing';
import { nextStep, paymentDecider, type PaymentCommand, type PaymentEvent, type PaymentState } from '../lib/payment';

type PaymentDecider = Decider<PaymentCommand, PaymentEvent, PaymentState, DomainRejection>;

/**
 * The project's given/when/then (`@ledger/util/testing`) as the payment specs read it: the decision,
 * the history after it, the step the process manager would take next, and the state.
 */
export function run(events: readonly PaymentEvent[], command: PaymentCommand, decider: PaymentDecider = paymentDecider) {
  const then = givenWhenThen(decider).given(events).when(command);
  return { result: then.result, events: then.history, step: nextStep(then.state), state: then.state };
}
