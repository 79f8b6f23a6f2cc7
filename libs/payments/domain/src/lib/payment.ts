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
import { STEP_OUT_OF_ORDER } from './codes';
import { SEED_DIRECTORY, type PartnerDirectory } from './partner-directory';
import { decideDebitStep } from './payment-debit-steps';
import { evolvePayment } from './payment-evolve';
import { decideClaimRefund, decideRefundStep, decideReleaseRefundClaim } from './payment-refund';
import { decideStart } from './payment-start';
import { decideTopUpStep } from './payment-topup-steps';
import {
  DEFAULT_COUNTER_APPROVAL,
  MAX_RECORDED_STEPS,
  type CounterApprovalPolicy,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
} from './payment-types';

export * from './payment-requests';
export * from './payment-types';
export { evolvePayment, nextStep, refundableMinor } from './payment-evolve';
export { fingerprintOf, holdIdFor, paymentStreamId } from './payment-keys';
export * from './payment-counterparty';

/**
 * The decider over the merchant and biller directory and the counter-approval policy: a payment's start
 * (payment-start.ts), the refund claims on an original payment (payment-refund.ts) and each recorded step,
 * by flow (payment-debit-steps.ts, payment-topup-steps.ts, payment-refund.ts).
 */
export function createPaymentDecider(
  directory: PartnerDirectory = SEED_DIRECTORY,
  counterApproval: CounterApprovalPolicy = DEFAULT_COUNTER_APPROVAL,
): Decider<PaymentCommand, PaymentEvent, PaymentState> {
  const decide = (command: PaymentCommand, state: PaymentState): PaymentEvent[] | DomainRejection => {
    if (command.type === 'StartPayment') return decideStart(command, state, directory, counterApproval);
    if (command.type === 'ClaimRefund') return decideClaimRefund(command, state);
    if (command.type === 'ReleaseRefundClaim') return decideReleaseRefundClaim(command, state);
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
    switch (command.type) {
      case 'RecordPasswordCheck':
      case 'RecordReservation':
      case 'RecordAuthorization':
      case 'RecordAcquirerAnswer':
      case 'RecordSettlement':
      case 'RecordCapture':
      case 'RecordRecipient':
      case 'RecordRecipientCredit':
      case 'RecordBillCheck':
      case 'RecordBillPayment':
      case 'RecordPayout':
      case 'RecordRelease':
        return decideDebitStep(command, state);
      case 'RecordCardCheck':
      case 'RecordCardCharge':
      case 'RecordWalletCredit':
      case 'RecordProviderConfirmation':
      case 'RecordProviderExpiry':
      case 'RecordCounterApproval':
      case 'RecordCounterRejection':
      case 'RecordApprovalExpiry':
      case 'RecordCardRefund':
        return decideTopUpStep(command, state);
      case 'RecordRefundClaim':
      case 'RecordRefundCredit':
      case 'RecordRefundClaimRelease':
        return decideRefundStep(command, state);
      default:
        return assertNever(command, 'payment command');
    }
  };

  return { initialState: () => ({ status: 'none' }), decide, evolve: evolvePayment };
}

export const paymentDecider = createPaymentDecider();
