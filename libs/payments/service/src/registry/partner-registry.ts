/**
 * The registry of merchants and billers as this instance sees it: every `registry-*` stream folded
 * in memory (a few thousand small streams at most), read in full at start and then every two
 * seconds, so a change made through another instance arrives within that; a change made here is in
 * before it is answered. A payment's start reads it through `directory` (the decider's
 * `PartnerDirectory`); the merchant API checks keys against it.
 *
 * An empty registry is seeded once with the launch merchants and billers (`MERCHANTS`, `BILLERS`),
 * with command ids derived from their ids, so instances that start together seed them once.
 */
import { Logger } from '@nestjs/common';
import {
  DeciderHandler,
  START,
  eventIdFor,
  type CommandMetadata,
  type DecisionOutcome,
  type EventStore,
  type RecordedEvent,
} from '@ledger/event-store';
import {
  BILLERS,
  MERCHANTS,
  REGISTRY_CATEGORY,
  REGISTRY_EVENT_TYPES,
  billerStreamOf,
  merchantEntryOf,
  merchantStreamOf,
  registryDecider,
  type BillerEntry,
  type MerchantEntry,
  type PartnerDirectory,
  type RegisteredMerchant,
  type RegistryCommand,
  type RegistryEvent,
  type RegistryState,
} from '@ledger/payments-domain';
import { nowInstant, type Clock } from '@ledger/util';
import { paymentsStoreCodec } from '../payment-codec';
import type { MerchantKeys } from './merchant-keys';

const codec = paymentsStoreCodec<RegistryEvent>('registry', new Set(REGISTRY_EVENT_TYPES));
/** The registry is small: it is read in pages of this many events. */
const PAGE = 1_000;
/** How soon a change made through another instance reaches this one. */
const REGISTRY_POLL_INTERVAL_MS = 2_000;

interface Folded {
  state: RegistryState;
  revision: bigint;
}

export class PartnerRegistry {
  private readonly logger = new Logger('payments-registry');
  private readonly streams = new Map<string, Folded>();
  private readonly handler: DeciderHandler<RegistryCommand, RegistryEvent, RegistryState>;
  /** Where the registry has been read to (the store's cursor), and the timer and read that follow it. */
  private cursor = START;
  private follower: NodeJS.Timeout | undefined;
  private following: Promise<void> | undefined;

  /** What a payment's start reads: merchants (suspended ones do not accept the wallet) and billers taking payments. */
  readonly directory: PartnerDirectory = {
    merchant: (merchantId) => {
      const state = this.streams.get(merchantStreamOf(merchantId))?.state;
      return state?.kind === 'merchant' ? merchantEntryOf(state) : undefined;
    },
    biller: (billerId) => {
      const state = this.streams.get(billerStreamOf(billerId))?.state;
      return state?.kind === 'biller' && !state.suspended ? state.biller : undefined;
    },
  };

  constructor(
    private readonly store: EventStore,
    private readonly keys: MerchantKeys,
    private readonly clock: Clock,
  ) {
    this.handler = new DeciderHandler({ store, decider: registryDecider, codec });
  }

  async start(): Promise<void> {
    await this.catchUp();
    if (this.streams.size === 0) await this.seed();
    // Read on a timer, not as a store subscription: a subscription is woken by every append to the
    // payments store (every payment step), which cost a read per append for a registry that
    // changes a few times a day. Changes made here are folded in at once (`execute`).
    this.follower = setInterval(() => {
      if (this.following !== undefined) return;
      this.following = this.catchUp()
        .catch((error: unknown) => this.logger.warn(`the registry could not be read, trying again: ${String(error)}`))
        .finally(() => (this.following = undefined));
    }, REGISTRY_POLL_INTERVAL_MS);
    this.follower.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.follower);
    this.follower = undefined;
    await this.following;
  }

  /** Folds in every registry event after the last one read (each at most once, `fold`). */
  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.store.readCategory(REGISTRY_CATEGORY, { from: this.cursor, limit: PAGE });
      for (const record of page.events) this.fold(record);
      this.cursor = page.next;
      if (page.isEnd) return;
    }
  }

  /** Decides a registry command on its stream; the change is in the directory before this returns. */
  async execute(command: RegistryCommand, metadata: CommandMetadata): Promise<DecisionOutcome<RegistryEvent>> {
    const stream = 'merchantId' in command ? merchantStreamOf(command.merchantId) : billerStreamOf(command.billerId);
    const outcome = await this.handler.handle(stream, command, metadata);
    if (outcome.kind === 'accepted') for (const record of await this.store.readStream(stream)) this.fold(record);
    return outcome;
  }

  merchant(merchantId: string): RegisteredMerchant | undefined {
    const state = this.streams.get(merchantStreamOf(merchantId))?.state;
    return state?.kind === 'merchant' ? state : undefined;
  }

  /** Every merchant and biller, for listings. */
  all(): { merchants: RegisteredMerchant[]; billers: Array<BillerEntry & { suspended: boolean }> } {
    const merchants: RegisteredMerchant[] = [];
    const billers: Array<BillerEntry & { suspended: boolean }> = [];
    for (const { state } of this.streams.values()) {
      if (state.kind === 'merchant') merchants.push(state);
      if (state.kind === 'biller') billers.push({ ...state.biller, suspended: state.suspended });
    }
    const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return {
      merchants: merchants.sort((a, b) => byId(a.merchantId, b.merchantId)),
      billers: billers.sort((a, b) => byId(a.billerId, b.billerId)),
    };
  }

  /** The id of the key when `sealedKey` is a live API key of the merchant and the merchant is not suspended (its keys then do not work); else undefined. */
  authenticates(merchantId: string, sealedKey: string): string | undefined {
    const merchant = this.merchant(merchantId);
    if (merchant === undefined || merchant.suspended) return undefined;
    const key = this.keys.candidates(sealedKey);
    if (key === undefined) return undefined;
    const recorded = merchant.apiKeys[key.keyId];
    return recorded !== undefined && key.hashes.includes(recorded) ? key.keyId : undefined;
  }

  /** A stored event folded in, once: a stream's events are applied in revision order, each at most once. */
  private fold(record: RecordedEvent): void {
    const folded = this.streams.get(record.stream) ?? { state: registryDecider.initialState(), revision: -1n };
    if (record.revision <= folded.revision) return;
    this.streams.set(record.stream, { state: registryDecider.evolve(folded.state, codec.decode(record)), revision: record.revision });
  }

  private async seed(): Promise<void> {
    const now = nowInstant(this.clock);
    const seeded = (id: string) => {
      const commandId = eventIdFor('registry-seed', id, 0);
      return { commandId, correlationId: commandId, actor: 'system:payments', occurredAt: now };
    };
    for (const merchant of MERCHANTS) {
      await this.execute(onboarding(merchant, now), seeded(`merchant:${merchant.merchantId}`));
      // A launch merchant that does not take the wallet is on the registry, suspended.
      if (!merchant.acceptsWallet)
        await this.execute(
          { type: 'SuspendMerchant', merchantId: merchant.merchantId, reason: 'does not take the wallet', now },
          seeded(`merchant-suspension:${merchant.merchantId}`),
        );
    }
    for (const biller of BILLERS) await this.execute({ type: 'OnboardBiller', ...biller, now }, seeded(`biller:${biller.billerId}`));
    this.logger.log(`seeded the registry with ${MERCHANTS.length} merchants and ${BILLERS.length} billers`);
  }
}

/** A launch merchant as an onboarding (one that does not take the wallet is then suspended). */
function onboarding(merchant: MerchantEntry, now: string): RegistryCommand {
  return {
    type: 'OnboardMerchant',
    merchantId: merchant.merchantId,
    name: merchant.name,
    channels: merchant.channels,
    settlement: merchant.settlement,
    settlementAccount: 'seed',
    now,
  };
}
