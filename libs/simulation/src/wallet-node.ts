/**
 * One wallet instance: the service's own command handling (`WalletController` over `WalletLedger`,
 * the wallet decider through a `DeciderHandler`) on a connection to the shared store. Its caches (the
 * handler's folded states and remembered command ids, the ledger's locks) are lost when it crashes.
 *
 * The hold expiry (`HoldExpiry.expireDue`, which needs PostgreSQL) is played here as the service
 * does it: every poll interval, the holds due by the clock get an ExpireHold with a command id derived
 * from the hold, and their row is deleted unless the hold is not expired yet.
 */
import { walletContract, type CommandResult } from '@ledger/contracts';
import { rejected, type CommandEnvelope } from '@ledger/messaging';
import { nowInstant } from '@ledger/util';
import { WalletController, WalletLedger, type WalletRuntime } from '@ledger/wallet-service/testing';
import { WALLET_ERROR, type WalletPolicy } from '@ledger/wallet-domain';
import type { SimContext } from './context';
import type { Endpoint } from './network';
import type { ErrorSink, NodeOptions } from './payments-node';
import { ScheduledStore } from './scheduled-store';
import type { Owner, SimEvent } from './scheduler';
import type { HoldTimerTable } from './tables';

/** The expiry's poll interval and batch (the service's defaults). */
const EXPIRY_POLL_MS = 1_000;
const EXPIRY_BATCH = 100;

type Handler = (envelope: CommandEnvelope) => Promise<CommandResult>;

export class WalletNode implements Endpoint {
  readonly ledger: WalletLedger;
  private readonly handlers: ReadonlyMap<string, Handler>;
  private pollEvent: SimEvent | undefined;
  private lastPollAt = Number.NEGATIVE_INFINITY;

  private readonly ctx: SimContext;
  readonly owner: Owner;
  private readonly holds: HoldTimerTable;
  private readonly holdsChanged: () => void;
  private readonly error: ErrorSink;

  constructor(options: NodeOptions & { policy: WalletPolicy; holds: HoldTimerTable; holdsChanged(): void }) {
    const { ctx, owner, appended, policy } = options;
    this.ctx = ctx;
    this.owner = owner;
    this.holds = options.holds;
    this.holdsChanged = options.holdsChanged;
    this.error = options.error;
    this.ledger = new WalletLedger({ store: new ScheduledStore(ctx, owner, appended), policy });
    // The controller reads the ledger and the clock from its runtime; the rest of the runtime (Kafka,
    // PostgreSQL, the identity-event consumer) is not on the payment path.
    const runtime = { ledger: this.ledger, clock: ctx.scheduler.clock } as unknown as WalletRuntime;
    const controller = new WalletController(runtime);
    const as = <P>(handler: (envelope: CommandEnvelope<P>) => Promise<CommandResult>): Handler => handler.bind(controller) as Handler;
    this.handlers = new Map<string, Handler>([
      [walletContract.reserveFunds.type, as(controller.reserveFunds)],
      [walletContract.captureHold.type, as(controller.captureHold)],
      [walletContract.payFromWallet.type, as(controller.payFromWallet)],
      [walletContract.releaseHold.type, as(controller.releaseHold)],
      [walletContract.creditWallet.type, as(controller.creditWallet)],
      [walletContract.getWalletByUser.type, as(controller.getWalletByUser)],
      [walletContract.getBalance.type, as(controller.getBalance)],
    ]);
  }

  handle(envelope: CommandEnvelope): Promise<CommandResult> {
    const handler = this.handlers.get(envelope.type);
    if (!handler) return Promise.resolve(rejected(envelope, 'UNKNOWN_COMMAND', `the simulated wallet does not take ${envelope.type}`));
    return handler(envelope);
  }

  /** Plans the next expiry poll: every poll interval while a hold is due (a poll that would find nothing is skipped). */
  schedulePoll(): void {
    if (!this.owner.alive) return;
    const earliest = this.holds.earliestDue();
    if (earliest === undefined) {
      this.ctx.scheduler.cancel(this.pollEvent);
      this.pollEvent = undefined;
      return;
    }
    const now = this.ctx.scheduler.now;
    const at = Math.max(now, this.lastPollAt + EXPIRY_POLL_MS, earliest);
    if (this.pollEvent && !this.pollEvent.done && this.pollEvent.at <= at) return;
    this.ctx.scheduler.cancel(this.pollEvent);
    this.pollEvent = this.ctx.scheduler.after(at - now, 'expiry poll', () => void this.expireDue(), { owner: this.owner, early: true });
  }

  private async expireDue(): Promise<void> {
    this.pollEvent = undefined;
    this.lastPollAt = this.ctx.scheduler.now;
    const now = nowInstant(this.ctx.scheduler.clock);
    try {
      const rows = await this.tableOperation('due holds', () => this.holds.due(this.ctx.scheduler.now, EXPIRY_BATCH));
      for (const row of rows) {
        try {
          const id = `expire-timer:${row.walletId}:${row.holdId}`;
          const outcome = await this.ledger.execute(
            { type: 'ExpireHold', walletId: row.walletId, holdId: row.holdId, now },
            { commandId: id, correlationId: id, actor: 'system:wallet-expiry', occurredAt: now },
          );
          if (outcome.kind === 'rejected' && outcome.code === WALLET_ERROR.HOLD_NOT_EXPIRED) continue;
          await this.tableOperation('delete hold timer', () => this.holds.delete(row.walletId, row.holdId));
          this.holdsChanged();
        } catch (error) {
          this.error(`could not expire hold ${row.holdId} of wallet ${row.walletId}`, error);
        }
      }
    } catch (error) {
      this.error('expiry tick failed', error);
    }
    this.schedulePoll();
  }

  private tableOperation<T>(kind: string, work: () => T): Promise<T> {
    return new Promise<T>((resolve) => this.ctx.scheduler.after(this.ctx.ioLatency(), kind, () => resolve(work()), { owner: this.owner }));
  }
}
