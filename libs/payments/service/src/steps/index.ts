import type { PaymentStep } from '@ledger/payments-domain';
import { verifyPassword, reserve } from './authorize';
import { checkBill, payBill } from './bill';
import { chargeCard, checkCard, payOut, refundCard } from './card';
import { creditRecipient, creditRefund, creditTopUp } from './credit';
import { findRecipient } from './find-recipient';
import { captureHold, releaseHold } from './hold';
import { confirmWithAcquirer, settleInWallet } from './merchant';
import { claimRefund, releaseRefundClaim } from './refund';
import type { StepExecutor } from './step-context';
import { awaitApproval, awaitProvider } from './waiting';

export { StepContext, type DriverOptions, type PaymentSecrets } from './step-context';

/** Every step the payment decider can name (`nextStep`), with the executor that performs it; the type makes the table complete. */
export const STEP_EXECUTORS: Readonly<Record<PaymentStep, StepExecutor>> = {
  finding_recipient: findRecipient,
  verifying_password: verifyPassword,
  reserving: reserve,
  confirming: confirmWithAcquirer,
  settling: settleInWallet,
  crediting_recipient: creditRecipient,
  capturing: captureHold,
  releasing: releaseHold,
  checking_card: checkCard,
  charging: chargeCard,
  crediting: creditTopUp,
  awaiting_provider: awaitProvider,
  awaiting_approval: awaitApproval,
  refunding_card: refundCard,
  checking_bill: checkBill,
  paying_bill: payBill,
  paying_out: payOut,
  claiming_refund: claimRefund,
  crediting_refund: creditRefund,
  releasing_refund_claim: releaseRefundClaim,
};
