import { nowInstant } from '@ledger/util';
/**
 * The wallet's Kafka command handlers (`wallet.commands.from.*`): thin adapters from a validated payload to
 * a domain command run by `WalletLedger`, and from its outcome to exactly one result.
 *
 * Every handler may also answer INVALID_COMMAND (input the schema cannot express, e.g. a
 * counterparty equal to the wallet itself) and, from the transport, PROCESSING_FAILED.
 * Who: the transport has already refused any sender or actor kind the command's contract does not
 * list (`senders` in `@ledger/contracts`: money moves only from payments, users' and staff's actors
 * only from the gateway). Here, besides: `user:<id>` acts only on their own wallet (payments reserves
 * and pays as the payer); `support:<id>` freezes, unfreezes and changes tiers; `system:` acts on any
 * wallet it may reach. Otherwise FORBIDDEN.
 */
import { Controller } from '@nestjs/common';
import { TRANSPORT_ERROR, actorIdOf, walletContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import {
  InvalidWalletCommand,
  WALLET_ERROR,
  WALLET_EVENT,
  type AccountId,
  type WalletCommand,
  type WalletEvent,
  type WalletState,
} from '@ledger/wallet-domain';
import { commandMetadata, type CommandMetadata } from '@ledger/event-store';
import { WalletLedger, tierForIdentity, type LedgerOutcome } from './wallet-ledger';
import { WalletRuntime } from './wallet-runtime';

const FORBIDDEN = walletContract.WALLET_SERVICE_ERROR.FORBIDDEN;
type Envelope<C extends (typeof walletContract.COMMANDS)[number]> = CommandEnvelope<PayloadOf<C>>;

const actorUserId = (actor: string): string | undefined => actorIdOf(actor, 'user');
const isSupport = (actor: string) => actorIdOf(actor, 'support') !== undefined;
const isSystem = (actor: string) => actorIdOf(actor, 'system') !== undefined;

/** Event data without the internal idempotency bookkeeping: the deterministic result of a command. */
function publicData(event: WalletEvent): Record<string, unknown> {
  const { idempotencyKey: _key, payloadFingerprint: _fingerprint, ...data } = event.data as unknown as Record<string, unknown>;
  return { event: event.type, ...data };
}

/** The hold a ReserveFunds or PayFromWallet payload asks for (both carry the same fields). */
function holdOf(p: PayloadOf<typeof walletContract.reserveFunds>) {
  return {
    walletId: p.walletId,
    holdId: p.holdId,
    amountMinor: BigInt(p.amountMinor),
    expiresAt: p.expiresAt,
    reference: p.reference,
    counterparty: p.counterparty as AccountId,
  };
}

/** The capture among a payment's events (PayFromWallet records the reservation first). */
function capturedData(events: WalletEvent[]): Record<string, unknown> {
  const captured = events.find((event) => event.type === WALLET_EVENT.HoldCaptured);
  if (captured === undefined)
    throw new Error(`a payment from the wallet recorded no capture: ${events.map((event) => event.type).join(', ')}`);
  return publicData(captured);
}

@Controller()
export class WalletController {
  constructor(private readonly runtime: WalletRuntime) {}

  private get ledger(): WalletLedger {
    return this.runtime.ledger;
  }

  private now(): string {
    return nowInstant(this.runtime.clock);
  }

  private metadata(command: CommandEnvelope): CommandMetadata {
    return commandMetadata(command);
  }

  /** FORBIDDEN for a user acting on another user's wallet (unopened wallets are left to the decider). */
  private ownerOnly(command: CommandEnvelope): (state: WalletState) => LedgerOutcome | undefined {
    const userId = actorUserId(command.actor);
    return (state) => {
      if (userId === undefined || state.status === 'unopened' || state.userId === userId) return undefined;
      return { kind: 'rejected', code: FORBIDDEN, message: `${command.actor} may not act on this wallet` };
    };
  }

  private async run(
    command: CommandEnvelope,
    domain: WalletCommand,
    check?: (state: WalletState) => LedgerOutcome | undefined,
    data?: (events: WalletEvent[]) => Record<string, unknown>,
  ): Promise<CommandResult> {
    try {
      const outcome = await this.ledger.execute(domain, this.metadata(command), check);
      if (outcome.kind === 'rejected') return rejected(command, outcome.code, outcome.message, outcome.details);
      const [first] = outcome.events;
      return accepted(command, data ? data(outcome.events) : first ? publicData(first) : { walletId: domain.walletId });
    } catch (error) {
      if (error instanceof InvalidWalletCommand) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
      throw error;
    }
  }

  /** Codes: `walletContract.openWallet.rejects`. */
  @CommandHandler(walletContract.openWallet)
  async openWallet(command: Envelope<typeof walletContract.openWallet>): Promise<CommandResult> {
    const { userId } = command.payload;
    const actorUser = actorUserId(command.actor);
    if (actorUser !== undefined && actorUser !== userId)
      return rejected(command, FORBIDDEN, `${command.actor} may not open the wallet of another user`);
    const facts = await this.runtime.upstream.factsOf(userId);
    try {
      // The identity level decides a user's tier (registered or verified with an ID number: `verified`);
      // only a system may open at another tier.
      const tier = actorUser === undefined ? (command.payload.tier ?? tierForIdentity(facts)) : tierForIdentity(facts);
      const outcome = await this.ledger.open(userId, tier, facts, this.metadata(command), this.now());
      if (outcome.kind === 'rejected') return rejected(command, outcome.code, outcome.message, outcome.details);
      if (facts.identityFrozen && !outcome.replayed) {
        // The account was frozen before the wallet existed: the wallet starts frozen too.
        const now = this.now();
        await this.ledger.execute(
          {
            type: 'FreezeWallet',
            walletId: outcome.walletId,
            now,
            source: 'identity',
            reason: 'identity account frozen before the wallet was opened',
          },
          { ...this.metadata(command), commandId: `open-freeze:${outcome.walletId}`, occurredAt: now },
        );
      }
      const opened = outcome.events[0];
      return accepted(command, opened ? publicData(opened) : { walletId: outcome.walletId, userId });
    } catch (error) {
      if (error instanceof InvalidWalletCommand) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
      throw error;
    }
  }

  /** Codes: `walletContract.reserveFunds.rejects`. */
  @CommandHandler(walletContract.reserveFunds)
  reserveFunds(command: Envelope<typeof walletContract.reserveFunds>): Promise<CommandResult> {
    return this.run(command, { type: 'ReserveFunds', ...holdOf(command.payload), now: this.now() }, this.ownerOnly(command));
  }

  /** Codes: `walletContract.captureHold.rejects`. */
  @CommandHandler(walletContract.captureHold)
  captureHold(command: Envelope<typeof walletContract.captureHold>): Promise<CommandResult> {
    const p = command.payload;
    return this.run(
      command,
      { type: 'CaptureHold', walletId: p.walletId, holdId: p.holdId, amountMinor: BigInt(p.amountMinor), now: this.now() },
      this.ownerOnly(command),
    );
  }

  /**
   * Answers with the capture (its transaction and postings), also for a repeat.
   * Codes: `walletContract.payFromWallet.rejects`.
   */
  @CommandHandler(walletContract.payFromWallet)
  payFromWallet(command: Envelope<typeof walletContract.payFromWallet>): Promise<CommandResult> {
    return this.run(command, { type: 'PayFromWallet', ...holdOf(command.payload), now: this.now() }, this.ownerOnly(command), capturedData);
  }

  /** Codes: `walletContract.releaseHold.rejects`. */
  @CommandHandler(walletContract.releaseHold)
  releaseHold(command: Envelope<typeof walletContract.releaseHold>): Promise<CommandResult> {
    const p = command.payload;
    return this.run(command, { type: 'ReleaseHold', walletId: p.walletId, holdId: p.holdId, now: this.now() }, this.ownerOnly(command));
  }

  /** Codes: `walletContract.creditWallet.rejects`. */
  @CommandHandler(walletContract.creditWallet)
  async creditWallet(command: Envelope<typeof walletContract.creditWallet>): Promise<CommandResult> {
    if (actorUserId(command.actor) !== undefined)
      return rejected(command, FORBIDDEN, 'money is credited by the payments service, not by users');
    const p = command.payload;
    return this.run(command, {
      type: 'CreditWallet',
      walletId: p.walletId,
      creditId: p.creditId,
      amountMinor: BigInt(p.amountMinor),
      reference: p.reference,
      counterparty: p.counterparty as AccountId,
      now: this.now(),
    });
  }

  /** Codes: `walletContract.freezeWallet.rejects`. Freezing a frozen wallet is accepted with changed=false. */
  @CommandHandler(walletContract.freezeWallet)
  async freezeWallet(command: Envelope<typeof walletContract.freezeWallet>): Promise<CommandResult> {
    if (!isSupport(command.actor)) return rejected(command, FORBIDDEN, 'only support staff freeze wallets by command');
    const p = command.payload;
    return this.run(
      command,
      { type: 'FreezeWallet', walletId: p.walletId, reason: p.reason, source: 'support', now: this.now() },
      undefined,
      (events) => ({ walletId: p.walletId, status: 'frozen', changed: events.length > 0 }),
    );
  }

  /** Codes: `walletContract.unfreezeWallet.rejects`. */
  @CommandHandler(walletContract.unfreezeWallet)
  async unfreezeWallet(command: Envelope<typeof walletContract.unfreezeWallet>): Promise<CommandResult> {
    if (!isSupport(command.actor)) return rejected(command, FORBIDDEN, 'only support staff unfreeze wallets by command');
    const p = command.payload;
    return this.run(
      command,
      { type: 'UnfreezeWallet', walletId: p.walletId, reason: p.reason, source: 'support', now: this.now() },
      undefined,
      (events) => ({ walletId: p.walletId, status: 'active', changed: events.length > 0 }),
    );
  }

  /** Codes: `walletContract.changeWalletTier.rejects`. */
  @CommandHandler(walletContract.changeWalletTier)
  async changeWalletTier(command: Envelope<typeof walletContract.changeWalletTier>): Promise<CommandResult> {
    if (!isSupport(command.actor) && !isSystem(command.actor))
      return rejected(command, FORBIDDEN, 'tiers are changed by support or by the system');
    const p = command.payload;
    return this.run(command, { type: 'ChangeWalletTier', walletId: p.walletId, tier: p.tier, now: this.now() }, undefined, (events) => ({
      walletId: p.walletId,
      tier: p.tier,
      changed: events.length > 0,
    }));
  }

  /** Query. Codes: `walletContract.getBalance.rejects`. */
  @CommandHandler(walletContract.getBalance)
  async getBalance(command: Envelope<typeof walletContract.getBalance>): Promise<CommandResult> {
    const { walletId } = command.payload;
    const { state, revision } = await this.ledger.stateOf(walletId);
    if (state.status === 'unopened') return rejected(command, WALLET_ERROR.WALLET_NOT_OPEN, `wallet ${walletId} is not open`, { walletId });
    const refused = this.ownerOnly(command)(state);
    if (refused?.kind === 'rejected') return rejected(command, refused.code, refused.message);
    return accepted(command, WalletLedger.balanceView(walletId, state, revision));
  }

  /** Query. Codes: `walletContract.getWalletByUser.rejects`. */
  @CommandHandler(walletContract.getWalletByUser)
  async getWalletByUser(command: Envelope<typeof walletContract.getWalletByUser>): Promise<CommandResult> {
    const { userId } = command.payload;
    const actorUser = actorUserId(command.actor);
    if (actorUser !== undefined && actorUser !== userId)
      return rejected(command, FORBIDDEN, `${command.actor} may not look up another user's wallet`);
    const walletId = await this.ledger.walletIdOf(userId);
    const state = walletId === undefined ? undefined : (await this.ledger.stateOf(walletId)).state;
    if (walletId === undefined || state === undefined || state.status === 'unopened')
      return rejected(command, WALLET_ERROR.WALLET_NOT_OPEN, `user ${userId} has no open wallet`, { userId });
    return accepted(command, { userId, walletId, status: state.status, tier: state.tier });
  }
}
