/**
 * The wallet service's core, free of Nest and Kafka: runs wallet commands through the pure decider
 * and the event store (`DeciderHandler`: load → fold → decide → append with the expected revision),
 * one command at a time per wallet, and implements what spans more than one stream (OpenWallet's
 * one-wallet-per-user reservation). The Kafka controller, the expiry timer, the identity-event
 * consumer and the benchmark all drive this class.
 */
import { createHash } from 'node:crypto';
import { DeciderHandler, WrongExpectedRevision, type CommandMetadata, type EventStore } from '@ledger/event-store';
import {
  balancesOf,
  createWalletDecider,
  idempotencyKeyOf,
  openHolds,
  resultFor,
  type OpenWallet,
  type WalletCommand,
  type WalletDecider,
  type WalletEvent,
  type WalletPolicy,
  type WalletPrerequisites,
  type WalletState,
  type WalletTier,
} from '@ledger/wallet-domain';
import { KeyedMutex } from '@ledger/util';
import { walletCodec } from './wallet-codec';

/** The stream of one wallet aggregate. */
export const walletStream = (walletId: string) => `wallet-${walletId}`;
/** The reservation stream that makes a user's wallet unique: created once, with "no stream". */
export const userReservationStream = (userId: string) => `walletuser-${userId}`;
export const WALLET_USER_RESERVED = 'wallet.WalletUserReserved.v1';

export type LedgerOutcome =
  | {
      readonly kind: 'accepted';
      /** The events of the command; for a replay, the original event of its idempotency key. */
      readonly events: WalletEvent[];
      /** True when the command repeated an earlier one (same command id, or same key and payload). */
      readonly replayed: boolean;
      readonly revision: bigint | undefined;
    }
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };

/** What the wallet knows about a user from identity and cards events (see `UpstreamEvents`). */
export interface UserFacts extends WalletPrerequisites {
  /** identity.AccountFrozen.v1 seen without a later AccountUnfrozen. */
  readonly identityFrozen: boolean;
  /** Registered with a verified ID number, or verified since (identity.IdentityVerified.v1): the wallet's tier is `verified`. */
  readonly identityVerified: boolean;
}

/** The tier a wallet opens with, and is raised to, from what identity verified about its user. */
export const tierForIdentity = (facts: Pick<UserFacts, 'identityVerified'>): 'basic' | 'verified' =>
  facts.identityVerified ? 'verified' : 'basic';

export interface UserFactsSource {
  factsOf(userId: string): Promise<UserFacts>;
}

export interface WalletLedgerOptions {
  store: EventStore;
  policy: WalletPolicy;
  /** Attempts per command when another instance appended first (bounded). */
  maxAttempts?: number;
  /** Wallet states kept in memory (LRU). */
  cacheSize?: number;
}

export class WalletLedger {
  readonly decider: WalletDecider;
  private readonly handler: DeciderHandler<WalletCommand, WalletEvent, WalletState>;
  private readonly mutex = new KeyedMutex();

  constructor(private readonly options: WalletLedgerOptions) {
    this.decider = createWalletDecider(options.policy);
    this.handler = new DeciderHandler({
      store: options.store,
      decider: this.decider,
      codec: walletCodec,
      maxAttempts: options.maxAttempts ?? 10,
      cacheSize: options.cacheSize ?? 20_000,
    });
  }

  /**
   * Decides one command on its wallet's stream and appends the result. Throws `InvalidWalletCommand`
   * for malformed input (the caller answers INVALID_COMMAND) and `ConcurrencyRetriesExhausted` when
   * other writers kept winning (the transport retries). `check` runs on the current state first,
   * inside the wallet's lock, to refuse actors who may not touch this wallet.
   */
  async execute(
    command: WalletCommand,
    metadata: CommandMetadata,
    check?: (state: WalletState) => LedgerOutcome | undefined,
  ): Promise<LedgerOutcome> {
    const stream = walletStream(command.walletId);
    return this.mutex.run(stream, async () => {
      if (check) {
        // Who may touch a wallet never changes once it is open, so this instance's cached state of an
        // open wallet answers; an unopened one is read again (it may have been opened elsewhere since).
        let { state } = await this.handler.loadCached(stream);
        if (state.status === 'unopened') state = (await this.handler.load(stream)).state;
        const refused = check(state);
        if (refused) return refused;
      }
      const outcome = await this.handler.handle(stream, command, metadata);
      if (outcome.kind === 'rejected') {
        const { code, message, details } = outcome.rejection;
        return details === undefined ? { kind: 'rejected', code, message } : { kind: 'rejected', code, message, details };
      }
      if (outcome.events.length === 0) {
        // `decide` answers a repeated idempotency key (another command id, same payload) with no
        // events; the original outcome is remembered in the state for the life of the stream.
        const key = idempotencyKeyOf(command);
        const original = key === undefined ? undefined : resultFor((await this.handler.load(stream)).state, key);
        if (original) return { kind: 'accepted', events: [original], replayed: true, revision: outcome.lastRevision };
      }
      return { kind: 'accepted', events: outcome.events, replayed: outcome.duplicate, revision: outcome.lastRevision };
    });
  }

  /** The wallet's current state and revision (read through the same lock as commands). */
  async stateOf(walletId: string): Promise<{ state: WalletState; revision: bigint | undefined }> {
    const stream = walletStream(walletId);
    return this.mutex.run(stream, async () => {
      const loaded = await this.handler.load(stream);
      return { state: loaded.state, revision: loaded.revision };
    });
  }

  /** The wallet id reserved for a user, if any. */
  async walletIdOf(userId: string): Promise<string | undefined> {
    const [reservation] = await this.options.store.readStream(userReservationStream(userId), { limit: 1 });
    const walletId = reservation?.data.walletId;
    return typeof walletId === 'string' ? walletId : undefined;
  }

  /**
   * OpenWallet (开通). The wallet id is derived from the command id, so a retried command opens the
   * same wallet. Steps:
   * 1. A user with a reserved wallet goes straight to step 3 with that wallet (WALLET_ALREADY_OPEN,
   *    or the completion of an open that crashed between steps 2 and 3).
   * 2. Prerequisites missing → the decider's WALLET_PREREQUISITES_MISSING, nothing written. Else
   *    reserve `walletuser-<userId>` with "no stream": of two concurrent opens exactly one wins;
   *    the loser reads the winner's wallet id and continues with it.
   * 3. OpenWallet on `wallet-<walletId>` through the decider.
   *
   * Codes: WALLET_PREREQUISITES_MISSING (details.missing), WALLET_ALREADY_OPEN (details.walletId).
   */
  async open(
    userId: string,
    tier: WalletTier,
    facts: UserFacts,
    metadata: CommandMetadata,
    now: string,
  ): Promise<LedgerOutcome & { walletId: string }> {
    const prerequisites: WalletPrerequisites = {
      registered: facts.registered,
      paymentPasswordSet: facts.paymentPasswordSet,
      cardBound: facts.cardBound,
    };
    const reserved = await this.walletIdOf(userId);
    let walletId = reserved ?? derivedWalletId(metadata.commandId);
    const command = (): OpenWallet => ({ type: 'OpenWallet', walletId, userId, tier, prerequisites, now });
    const missing = !prerequisites.registered || !prerequisites.paymentPasswordSet || !prerequisites.cardBound;
    if (reserved === undefined) {
      if (missing) return { ...(await this.execute(command(), metadata)), walletId };
      try {
        await this.options.store.append(
          userReservationStream(userId),
          [
            {
              id: derivedUuid(`${metadata.commandId}\u0000reservation`),
              type: WALLET_USER_RESERVED,
              data: { userId, walletId },
              metadata: eventMetadata(metadata),
            },
          ],
          { expectedRevision: 'no_stream' },
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
        walletId = (await this.walletIdOf(userId)) ?? walletId;
      }
    }
    const outcome = await this.execute(command(), metadata);
    if (outcome.kind === 'rejected' && outcome.code === 'WALLET_ALREADY_OPEN')
      return { ...outcome, details: { ...outcome.details, walletId }, walletId };
    return { ...outcome, walletId };
  }

  /** Balances as decimal strings, for queries. */
  static balanceView(walletId: string, state: WalletState, revision: bigint | undefined): Record<string, unknown> {
    const balances = balancesOf(state);
    return {
      walletId,
      userId: state.status === 'unopened' ? undefined : state.userId,
      status: state.status,
      tier: state.status === 'unopened' ? undefined : state.tier,
      totalMinor: balances.totalMinor.toString(),
      heldMinor: balances.heldMinor.toString(),
      availableMinor: balances.availableMinor.toString(),
      openHolds: openHolds(state).map((hold) => ({
        holdId: hold.holdId,
        amountMinor: hold.amountMinor.toString(),
        expiresAt: hold.expiresAt,
        reference: hold.reference,
      })),
      revision: revision?.toString(),
    };
  }
}

function eventMetadata(metadata: CommandMetadata) {
  return {
    correlationId: metadata.correlationId,
    causationId: metadata.commandId,
    commandId: metadata.commandId,
    actor: metadata.actor,
    occurredAt: metadata.occurredAt,
    schemaVersion: 1,
  };
}

/** A UUID (RFC 9562 version-8 layout) derived from a string: the same input, the same id. */
export function derivedUuid(input: string): string {
  const bytes = createHash('sha256').update(input).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The wallet id an OpenWallet command creates: derived from its command id, so retries agree. */
export function derivedWalletId(commandId: string): string {
  return derivedUuid(`wallet:${commandId}`);
}
