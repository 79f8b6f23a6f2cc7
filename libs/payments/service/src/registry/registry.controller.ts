/**
 * The registry's and the merchant API's Kafka handlers: staff onboard, re-channel, suspend and
 * resume merchants and billers and issue merchant API keys (the transport lets only the gateway's
 * supervisors send them); anyone may list who takes the wallet; a user looks a bill up before paying
 * it; the gateway checks a merchant's key before it acts as the merchant, and a merchant lists its
 * payments. A merchant's refunds go through RefundPayment (payments.controller.ts).
 */
import { Controller } from '@nestjs/common';
import { TRANSPORT_ERROR, actorIdOf, paymentsContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { commandMetadata } from '@ledger/event-store';
import { CommandHandler, accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { BillerUnavailable, PAYMENT_ERROR, type RegisteredMerchant, type RegistryCommand } from '@ledger/payments-domain';
import { InvalidPageCursor, nowInstant, type Instant } from '@ledger/util';
import { PaymentsRuntime } from '../payments-runtime';

type Envelope<C extends (typeof paymentsContract.COMMANDS)[number]> = CommandEnvelope<PayloadOf<C>>;

/** What staff see of a merchant (never its key hashes). */
const merchantView = (merchant: RegisteredMerchant) => ({
  merchantId: merchant.merchantId,
  name: merchant.name,
  channels: merchant.channels,
  settlement: merchant.settlement,
  settlementAccount: merchant.settlementAccount,
  suspended: merchant.suspended,
  apiKeys: Object.keys(merchant.apiKeys).sort(),
});

@Controller()
export class RegistryController {
  constructor(private readonly runtime: PaymentsRuntime) {}

  /** Codes: `paymentsContract.onboardMerchant.rejects`. */
  @CommandHandler(paymentsContract.onboardMerchant)
  onboardMerchant(command: Envelope<typeof paymentsContract.onboardMerchant>): Promise<CommandResult> {
    return this.change(command, (now) => ({ type: 'OnboardMerchant', ...command.payload, now }));
  }

  /** Codes: `paymentsContract.changeMerchantChannels.rejects`. */
  @CommandHandler(paymentsContract.changeMerchantChannels)
  changeMerchantChannels(command: Envelope<typeof paymentsContract.changeMerchantChannels>): Promise<CommandResult> {
    return this.change(command, (now) => ({ type: 'ChangeMerchantChannels', ...command.payload, now }));
  }

  /** Codes: `paymentsContract.suspendMerchant.rejects`. */
  @CommandHandler(paymentsContract.suspendMerchant)
  suspendMerchant(command: Envelope<typeof paymentsContract.suspendMerchant>): Promise<CommandResult> {
    return this.change(command, (now) => ({ type: 'SuspendMerchant', ...command.payload, now }));
  }

  /** Codes: `paymentsContract.resumeMerchant.rejects`. */
  @CommandHandler(paymentsContract.resumeMerchant)
  resumeMerchant(command: Envelope<typeof paymentsContract.resumeMerchant>): Promise<CommandResult> {
    return this.change(command, (now) => ({ type: 'ResumeMerchant', ...command.payload, now }));
  }

  /** Codes: `paymentsContract.onboardBiller.rejects`. */
  @CommandHandler(paymentsContract.onboardBiller)
  onboardBiller(command: Envelope<typeof paymentsContract.onboardBiller>): Promise<CommandResult> {
    return this.change(command, (now) => ({ type: 'OnboardBiller', ...command.payload, now }));
  }

  /** Codes: `paymentsContract.suspendBiller.rejects`. */
  @CommandHandler(paymentsContract.suspendBiller)
  suspendBiller(command: Envelope<typeof paymentsContract.suspendBiller>): Promise<CommandResult> {
    return this.change(command, (now) => ({ type: 'SuspendBiller', ...command.payload, now }));
  }

  /** Codes: `paymentsContract.resumeBiller.rejects`. */
  @CommandHandler(paymentsContract.resumeBiller)
  resumeBiller(command: Envelope<typeof paymentsContract.resumeBiller>): Promise<CommandResult> {
    return this.change(command, (now) => ({ type: 'ResumeBiller', ...command.payload, now }));
  }

  /**
   * Codes: `paymentsContract.issueMerchantApiKey.rejects`. The key is in this answer only: a
   * redelivered command finds its key issued already and answers without it (it cannot be shown
   * again; revoke it and issue another).
   */
  @CommandHandler(paymentsContract.issueMerchantApiKey)
  async issueMerchantApiKey(command: Envelope<typeof paymentsContract.issueMerchantApiKey>): Promise<CommandResult> {
    const { merchantId } = command.payload;
    const key = this.runtime.merchantKeys.issue();
    const now = nowInstant(this.runtime.clock);
    const outcome = await this.runtime.registry.execute(
      { type: 'IssueMerchantApiKey', merchantId, keyId: key.keyId, keyHash: key.keyHash, now },
      commandMetadata(command, now),
    );
    if (outcome.kind === 'rejected') return rejectedBy(command, outcome.rejection);
    const issued = outcome.events.find((event) => event.type === 'MerchantApiKeyIssued');
    const keyId = issued?.type === 'MerchantApiKeyIssued' ? issued.data.keyId : key.keyId;
    return accepted(command, { merchantId, keyId, ...(outcome.duplicate ? {} : { apiKey: key.sealedForGateway }) });
  }

  /** Codes: `paymentsContract.revokeMerchantApiKey.rejects`. */
  @CommandHandler(paymentsContract.revokeMerchantApiKey)
  async revokeMerchantApiKey(command: Envelope<typeof paymentsContract.revokeMerchantApiKey>): Promise<CommandResult> {
    const now = nowInstant(this.runtime.clock);
    const outcome = await this.runtime.registry.execute(
      { type: 'RevokeMerchantApiKey', ...command.payload, now },
      commandMetadata(command, now),
    );
    return outcome.kind === 'rejected' ? rejectedBy(command, outcome.rejection) : accepted(command, { ...command.payload });
  }

  /** Anyone: who takes the wallet now. A supervisor also sees suspended entries and how each merchant is paid. */
  @CommandHandler(paymentsContract.listPartners)
  listPartners(command: Envelope<typeof paymentsContract.listPartners>): Promise<CommandResult> {
    const { merchants, billers } = this.runtime.registry.all();
    if (actorIdOf(command.actor, 'supervisor') !== undefined)
      return Promise.resolve(accepted(command, { merchants: merchants.map(merchantView), billers }));
    return Promise.resolve(
      accepted(command, {
        merchants: merchants
          .filter((m) => !m.suspended && m.channels.length > 0)
          .map(({ merchantId, name, channels }) => ({ merchantId, name, channels })),
        billers: billers.filter((b) => !b.suspended).map(({ suspended: _suspended, ...biller }) => biller),
      }),
    );
  }

  /** Codes: `paymentsContract.lookUpBill.rejects`. */
  @CommandHandler(paymentsContract.lookUpBill)
  async lookUpBill(command: Envelope<typeof paymentsContract.lookUpBill>): Promise<CommandResult> {
    const { billerId } = command.payload;
    const biller = this.runtime.registry.directory.biller(billerId);
    if (biller === undefined) return rejected(command, PAYMENT_ERROR.BILLER_NOT_SUPPORTED, `biller ${billerId} does not take payments`);
    let reference: string;
    try {
      reference = this.runtime.personalFields.forBiller(this.runtime.personalFields.protectBillReference(command.payload.billReference));
    } catch {
      return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, 'billReference cannot be opened');
    }
    try {
      const bill = await this.runtime.biller.checkBill(billerId, reference);
      if (!bill.found) return rejected(command, PAYMENT_ERROR.BILL_NOT_FOUND, `${biller.name} knows no such bill`);
      return accepted(command, {
        billerId,
        found: true,
        exactAmount: biller.exactAmount,
        ...(bill.amountDueMinor === undefined ? {} : { amountDueMinor: bill.amountDueMinor.toString() }),
      });
    } catch (error) {
      if (error instanceof BillerUnavailable)
        return rejected(command, PAYMENT_ERROR.BILLER_UNAVAILABLE, `${biller.name} did not answer; try again`);
      throw error;
    }
  }

  /** Codes: `paymentsContract.authenticateMerchant.rejects`. */
  @CommandHandler(paymentsContract.authenticateMerchant)
  authenticateMerchant(command: Envelope<typeof paymentsContract.authenticateMerchant>): Promise<CommandResult> {
    const { merchantId, apiKey } = command.payload;
    const keyId = this.runtime.registry.authenticates(merchantId, apiKey);
    return Promise.resolve(
      keyId === undefined
        ? rejected(command, PAYMENT_ERROR.MERCHANT_KEY_INVALID, `not a live API key of merchant ${merchantId}`)
        : accepted(command, { merchantId, keyId }),
    );
  }

  /** FORBIDDEN (another merchant), INVALID_COMMAND (a malformed cursor). */
  @CommandHandler(paymentsContract.listMerchantPayments)
  async listMerchantPayments(command: Envelope<typeof paymentsContract.listMerchantPayments>): Promise<CommandResult> {
    const { merchantId, limit, before } = command.payload;
    const merchant = actorIdOf(command.actor, 'merchant');
    if (merchant !== undefined && merchant !== merchantId)
      return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not list the payments of ${merchantId}`);
    try {
      return accepted(command, { ...(await this.runtime.userPayments.listForMerchant(merchantId, limit, before)) });
    } catch (error) {
      if (error instanceof InvalidPageCursor) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
      throw error;
    }
  }

  /** A registry change decided now, answered with the entry as it then stands. */
  private async change(command: CommandEnvelope, build: (now: Instant) => RegistryCommand): Promise<CommandResult> {
    const now = nowInstant(this.runtime.clock);
    const registryCommand = build(now);
    const outcome = await this.runtime.registry.execute(registryCommand, commandMetadata(command, now));
    if (outcome.kind === 'rejected') return rejectedBy(command, outcome.rejection);
    if ('merchantId' in registryCommand) {
      const merchant = this.runtime.registry.merchant(registryCommand.merchantId);
      return accepted(command, merchant === undefined ? {} : merchantView(merchant));
    }
    const biller = this.runtime.registry.all().billers.find((entry) => entry.billerId === registryCommand.billerId);
    return accepted(command, { ...biller });
  }
}
