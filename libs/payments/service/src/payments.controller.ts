/**
 * The payments Kafka command handlers (`payments.commands.from.*`). PayMerchant records the payment's
 * start (idempotent by payment id), drives it to its outcome and answers with that outcome: accepted
 * with the postings when completed, rejected with the failure code when failed, accepted with
 * status "pending" when it is still in flight after `replyWithinMs` (it finishes in the background;
 * resend the same command or ask GetPayment).
 *
 * Who: the transport has already refused any sender or actor kind the command's contract does not
 * list (`senders` in `@ledger/contracts`: payments are started by users through the gateway, a
 * counter top-up by a teller, a refund by the merchant or an internal system). Here, besides: `user:<id>` pays only
 * from their own account (userId = id; the wallet checks the wallet is theirs), a teller only
 * under their own id, and a supervisor decides on a counter top-up only under their own id (and
 * never on one they made: the decider's SELF_APPROVAL_FORBIDDEN), and a merchant refunds only its own
 * payments (NOT_MERCHANTS_PAYMENT). Otherwise FORBIDDEN.
 */
import { Controller } from '@nestjs/common';
import { TRANSPORT_ERROR, paymentsContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { FieldDecryptionError } from '@ledger/crypto';
import { CommandHandler, rejected, type CommandEnvelope } from '@ledger/messaging';
import type { PaymentRequest, ProtectedValue } from '@ledger/payments-domain';
import { parsePositiveMinor } from '@ledger/util';
import { PaymentsRuntime } from './payments-runtime';
import { NotAMobilePhone, NotAnIdNumber } from './personal-fields';
import { approveCounterTopUp, rejectCounterTopUp } from './use-cases/counter-approval';
import { providerCallback } from './use-cases/provider-callback';
import { getPayment, listSupportAccess, listUserPayments, recordSupportAccess } from './use-cases/queries';
import { startPayment, type PaymentDevice } from './use-cases/start-payment';

type Envelope<C extends (typeof paymentsContract.COMMANDS)[number]> = CommandEnvelope<PayloadOf<C>>;

/** A sealed personal field of a command, protected for keeping (see PersonalFields), or the refusal of a field that does not open. */
function protectedOrRefused(
  command: CommandEnvelope,
  field: paymentsContract.SecretField,
  protect: () => ProtectedValue,
): ProtectedValue | CommandResult {
  try {
    return protect();
  } catch (error) {
    if (error instanceof FieldDecryptionError)
      return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, `${field} cannot be opened (${error.reason})`);
    if (error instanceof NotAMobilePhone || error instanceof NotAnIdNumber)
      return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
    throw error;
  }
}

/** The device a money-out payment comes from, as its command says. */
const deviceOf = (payload: { deviceId: string; stepUpCode?: string }): PaymentDevice => ({
  deviceId: payload.deviceId,
  stepUpCode: payload.stepUpCode,
});

/** What a money-out command carries for identity's check, encrypted for identity: kept in memory for the drive, never stored. */
const secretsOf = (payload: {
  paymentPassword: string;
  secondFactorCode?: string;
}): { paymentPassword: string; secondFactorCode?: string } =>
  payload.secondFactorCode === undefined
    ? { paymentPassword: payload.paymentPassword }
    : { paymentPassword: payload.paymentPassword, secondFactorCode: payload.secondFactorCode };

/**
 * The handlers that start a payment turn the payload into a payment request for `startPayment`; the
 * others hand the command to their use case under `use-cases/`, which lists the codes it answers with.
 */
@Controller()
export class PaymentsController {
  constructor(private readonly runtime: PaymentsRuntime) {}

  /** Codes: `paymentsContract.payMerchant.rejects`. */
  @CommandHandler(paymentsContract.payMerchant)
  payMerchant(command: Envelope<typeof paymentsContract.payMerchant>): Promise<CommandResult> {
    const p = command.payload;
    const request: PaymentRequest = {
      kind: 'merchant',
      paymentId: p.paymentId,
      userId: p.userId,
      walletId: p.walletId,
      merchantId: p.merchantId,
      channel: p.channel,
      amountMinor: parsePositiveMinor(p.amountMinor),
      description: p.description ?? '',
    };
    return startPayment(this.runtime, command, request, secretsOf(p), deviceOf(p));
  }

  /** Codes: `paymentsContract.topUpFromCard.rejects`. */
  @CommandHandler(paymentsContract.topUpFromCard)
  topUpFromCard(command: Envelope<typeof paymentsContract.topUpFromCard>): Promise<CommandResult> {
    const p = command.payload;
    return startPayment(
      this.runtime,
      command,
      {
        kind: 'topup',
        paymentId: p.paymentId,
        userId: p.userId,
        walletId: p.walletId,
        cardId: p.cardId,
        amountMinor: parsePositiveMinor(p.amountMinor),
      },
      {},
    );
  }

  /** Codes: `paymentsContract.transfer.rejects`. */
  @CommandHandler(paymentsContract.transfer)
  transfer(command: Envelope<typeof paymentsContract.transfer>): Promise<CommandResult> {
    const p = command.payload;
    // Never kept in plain text: opened, then encrypted, masked and fingerprinted here; encrypted for identity for the lookup.
    const recipientPhone = protectedOrRefused(command, 'recipientPhone', () =>
      this.runtime.personalFields.protectEncrypted(p.recipientPhone),
    );
    if ('status' in recipientPhone) return Promise.resolve(recipientPhone);
    const request: PaymentRequest = {
      kind: 'transfer',
      paymentId: p.paymentId,
      userId: p.userId,
      walletId: p.walletId,
      recipientPhone,
      amountMinor: parsePositiveMinor(p.amountMinor),
      description: p.description ?? '',
    };
    return startPayment(this.runtime, command, request, secretsOf(p), deviceOf(p));
  }

  /** Codes: `paymentsContract.withdraw.rejects`. */
  @CommandHandler(paymentsContract.withdraw)
  withdraw(command: Envelope<typeof paymentsContract.withdraw>): Promise<CommandResult> {
    const p = command.payload;
    return startPayment(
      this.runtime,
      command,
      {
        kind: 'withdrawal',
        paymentId: p.paymentId,
        userId: p.userId,
        walletId: p.walletId,
        cardId: p.cardId,
        amountMinor: parsePositiveMinor(p.amountMinor),
      },
      secretsOf(p),
      deviceOf(p),
    );
  }

  /** Codes: `paymentsContract.payBill.rejects`. */
  @CommandHandler(paymentsContract.payBill)
  payBill(command: Envelope<typeof paymentsContract.payBill>): Promise<CommandResult> {
    const p = command.payload;
    const billReference = protectedOrRefused(command, 'billReference', () =>
      this.runtime.personalFields.protectBillReference(p.billReference),
    );
    if ('status' in billReference) return Promise.resolve(billReference);
    const request: PaymentRequest = {
      kind: 'bill',
      paymentId: p.paymentId,
      userId: p.userId,
      walletId: p.walletId,
      billerId: p.billerId,
      billReference,
      amountMinor: parsePositiveMinor(p.amountMinor),
    };
    return startPayment(this.runtime, command, request, secretsOf(p), deviceOf(p));
  }

  /** Accepted at once with status awaiting_provider and the deadline. Codes: `paymentsContract.providerTopUp.rejects`. */
  @CommandHandler(paymentsContract.providerTopUp)
  providerTopUp(command: Envelope<typeof paymentsContract.providerTopUp>): Promise<CommandResult> {
    const p = command.payload;
    const deadline = new Date(this.runtime.clock.now().getTime() + this.runtime.providerDeadlineMs).toISOString();
    return startPayment(
      this.runtime,
      command,
      {
        kind: 'provider_topup',
        paymentId: p.paymentId,
        userId: p.userId,
        walletId: p.walletId,
        provider: p.provider,
        amountMinor: parsePositiveMinor(p.amountMinor),
        deadline,
      },
      {},
    );
  }

  @CommandHandler(paymentsContract.providerCallback)
  providerCallback(command: Envelope<typeof paymentsContract.providerCallback>): Promise<CommandResult> {
    return providerCallback(this.runtime, command);
  }

  /** Codes: `paymentsContract.counterTopUp.rejects`. */
  @CommandHandler(paymentsContract.counterTopUp)
  counterTopUp(command: Envelope<typeof paymentsContract.counterTopUp>): Promise<CommandResult> {
    const p = command.payload;
    const depositorId =
      p.depositorIdNumber === undefined
        ? undefined
        : protectedOrRefused(command, 'depositorIdNumber', () =>
            this.runtime.personalFields.protectIdNumber(p.depositorIdNumber as string),
          );
    if (depositorId !== undefined && 'status' in depositorId) return Promise.resolve(depositorId);
    return startPayment(
      this.runtime,
      command,
      {
        kind: 'counter',
        paymentId: p.paymentId,
        userId: p.userId,
        walletId: p.walletId,
        branchId: p.branchId,
        tellerId: p.tellerId,
        amountMinor: parsePositiveMinor(p.amountMinor),
        ...(depositorId === undefined ? {} : { depositorId }),
      },
      {},
    );
  }

  @CommandHandler(paymentsContract.approveCounterTopUp)
  approveCounterTopUp(command: Envelope<typeof paymentsContract.approveCounterTopUp>): Promise<CommandResult> {
    return approveCounterTopUp(this.runtime, command);
  }

  @CommandHandler(paymentsContract.rejectCounterTopUp)
  rejectCounterTopUp(command: Envelope<typeof paymentsContract.rejectCounterTopUp>): Promise<CommandResult> {
    return rejectCounterTopUp(this.runtime, command);
  }

  /** Codes: `paymentsContract.refundPayment.rejects`. */
  @CommandHandler(paymentsContract.refundPayment)
  refundPayment(command: Envelope<typeof paymentsContract.refundPayment>): Promise<CommandResult> {
    const p = command.payload;
    return startPayment(
      this.runtime,
      command,
      {
        kind: 'refund',
        paymentId: p.refundId,
        originalPaymentId: p.paymentId,
        amountMinor: parsePositiveMinor(p.amountMinor),
        reason: p.reason ?? '',
      },
      {},
    );
  }

  @CommandHandler(paymentsContract.getPayment)
  getPayment(command: Envelope<typeof paymentsContract.getPayment>): Promise<CommandResult> {
    return getPayment(this.runtime, command);
  }

  @CommandHandler(paymentsContract.listUserPayments)
  listUserPayments(command: Envelope<typeof paymentsContract.listUserPayments>): Promise<CommandResult> {
    return listUserPayments(this.runtime, command);
  }

  @CommandHandler(paymentsContract.listSupportAccess)
  listSupportAccess(command: Envelope<typeof paymentsContract.listSupportAccess>): Promise<CommandResult> {
    return listSupportAccess(this.runtime, command);
  }

  /** Codes: `paymentsContract.recordSupportAccess.rejects`. */
  @CommandHandler(paymentsContract.recordSupportAccess)
  recordSupportAccess(command: Envelope<typeof paymentsContract.recordSupportAccess>): Promise<CommandResult> {
    return recordSupportAccess(this.runtime, command);
  }
}
