import {
  PostgresCheckpointStore,
  applyMigrations,
  startTransactionalProjection,
  type EventStore,
  type RecordedEvent,
  type Subscription,
} from '@ledger/event-store';
import { CARDS_EVENT, maskCardNumber, type CardView } from '@ledger/cards-domain';
import type { Pool, PoolClient } from 'pg';
import { READ_MODEL_SCHEMA } from '../config';

/**
 * Read models of the cards service in PostgreSQL:
 * - `cards_read.cards`: one row per bound card (last four, issuer, type, masked holder name,
 *   status, default flag), fed by a catch-up subscription on the event store's `cards` category;
 *   what ListCards answers from and where CheckCard finds a card's owner;
 * - `cards_read.open_wallets`: users whose wallet is open, learned from `wallet.events`
 *   (see WalletFollower); UnbindCard reports "last card of an open wallet" from it.
 *
 * No column holds a card number, a fingerprint or the issuer's token: the list needs none of them.
 * The subscription checkpoints manually, in the same transaction as the rows it changes, so after a
 * crash the read model and its checkpoint never disagree. The checkpoint lives next to the read
 * model (`cards_read.checkpoints`), not in the event store, because the store may be KurrentDB.
 * Every change is idempotent, so replaying from zero (drop the schema) rebuilds the same rows.
 * (The spec names TypeORM for read models; it is not a dependency of this workspace, and these
 * tables need nothing beyond `pg`.)
 */
export const READ_MODEL_SUBSCRIPTION = 'cards-read-model';
/** A user has at most a handful of cards (the domain caps them); the bound protects the query anyway. */
const MAX_LISTED_CARDS = 100;

const CARDS = `${READ_MODEL_SCHEMA}.cards`;

export interface ListedCard extends CardView {
  readonly expiresOn: string;
  readonly boundAt: string;
}

interface CardRow {
  card_id: string;
  last4: string;
  issuer: string;
  card_type: 'debit' | 'credit';
  holder_name_masked: string;
  expires_on: string;
  status: 'active' | 'suspended';
  is_default: boolean;
  bound_at: Date;
}

export class CardsReadModel {
  readonly checkpoints: PostgresCheckpointStore;
  private subscription?: Subscription;

  constructor(private readonly pool: Pool) {
    this.checkpoints = new PostgresCheckpointStore(pool, READ_MODEL_SCHEMA);
  }

  async migrate(): Promise<void> {
    await applyMigrations(this.pool, {
      component: 'cards-read-model',
      schema: READ_MODEL_SCHEMA,
      migrations: [
        {
          version: 1,
          description: "users' cards, open wallets and the projection checkpoints",
          up: `CREATE TABLE IF NOT EXISTS ${READ_MODEL_SCHEMA}.checkpoints (
        name text PRIMARY KEY, cursor text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS ${CARDS} (
        card_id text PRIMARY KEY,
        user_id text NOT NULL,
        last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
        issuer text NOT NULL,
        card_type text NOT NULL,
        holder_name_masked text NOT NULL,
        expires_on text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'suspended')),
        suspension_reason text,
        is_default boolean NOT NULL DEFAULT false,
        bound_at timestamptz NOT NULL,
        -- The CardBound event's store position: binding order even when two cards share an instant.
        bound_position bigint NOT NULL,
        updated_at timestamptz NOT NULL);
      CREATE INDEX IF NOT EXISTS cards_by_user ON ${CARDS} (user_id, bound_position);
      CREATE TABLE IF NOT EXISTS ${READ_MODEL_SCHEMA}.open_wallets (
        user_id text PRIMARY KEY, wallet_id text NOT NULL, opened_at timestamptz NOT NULL)`,
        },
      ],
    });
  }

  start(store: EventStore, onError: (error: unknown) => void): void {
    this.subscription = startTransactionalProjection({
      store,
      pool: this.pool,
      name: READ_MODEL_SUBSCRIPTION,
      category: 'cards',
      checkpoints: this.checkpoints,
      batchSize: 200,
      onError,
      apply: (client, event) => this.apply(client, event),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private async apply(client: PoolClient, event: RecordedEvent): Promise<void> {
    const data = event.data as Record<string, unknown>;
    const cardId = String(data['cardId']);
    switch (event.type) {
      case CARDS_EVENT.CardBound:
        await client.query(
          `INSERT INTO ${CARDS} (card_id, user_id, last4, issuer, card_type, holder_name_masked, expires_on, status, bound_at, bound_position, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $8) ON CONFLICT (card_id) DO NOTHING`,
          [
            cardId,
            data['userId'],
            data['last4'],
            data['issuer'],
            data['cardType'],
            data['holderNameMasked'],
            data['expiresOn'],
            data['boundAt'],
            event.position.toString(),
          ],
        );
        return;
      case CARDS_EVENT.CardUnbound:
        await client.query(`DELETE FROM ${CARDS} WHERE card_id = $1`, [cardId]);
        return;
      case CARDS_EVENT.DefaultCardChanged:
        // One statement, so the user never has two defaults, even for a moment.
        await client.query(`UPDATE ${CARDS} SET is_default = (card_id = $2), updated_at = $3 WHERE user_id = $1`, [
          data['userId'],
          cardId,
          data['changedAt'],
        ]);
        return;
      case CARDS_EVENT.CardSuspended:
        // The domain clears the default of a suspended card (a DefaultCardChanged may follow).
        await client.query(
          `UPDATE ${CARDS} SET status = 'suspended', suspension_reason = $2, is_default = false, updated_at = $3 WHERE card_id = $1`,
          [cardId, data['reason'], data['suspendedAt']],
        );
        return;
      case CARDS_EVENT.CardReinstated:
        await client.query(`UPDATE ${CARDS} SET status = 'active', suspension_reason = NULL, updated_at = $2 WHERE card_id = $1`, [
          cardId,
          data['reinstatedAt'],
        ]);
        return;
      default:
        return;
    }
  }

  /** The user's cards in binding order, masked. */
  async list(userId: string): Promise<ListedCard[]> {
    const { rows } = await this.pool.query<CardRow>(
      `SELECT card_id, last4, issuer, card_type, holder_name_masked, expires_on, status, is_default, bound_at
       FROM ${CARDS} WHERE user_id = $1 ORDER BY bound_position LIMIT ${MAX_LISTED_CARDS}`,
      [userId],
    );
    return rows.map((row) => ({
      cardId: row.card_id,
      maskedNumber: maskCardNumber(row.last4),
      last4: row.last4,
      issuer: row.issuer,
      cardType: row.card_type,
      holderNameMasked: row.holder_name_masked,
      expiresOn: row.expires_on,
      status: row.status,
      isDefault: row.is_default,
      boundAt: row.bound_at.toISOString(),
    }));
  }

  /** The owner of a bound card, if the read model has seen it. */
  async ownerOf(cardId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ user_id: string }>(`SELECT user_id FROM ${CARDS} WHERE card_id = $1`, [cardId]);
    return rows[0]?.user_id;
  }

  async isWalletOpen(userId: string): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM ${READ_MODEL_SCHEMA}.open_wallets WHERE user_id = $1`, [userId]);
    return rows.length > 0;
  }

  async recordWalletOpened(userId: string, walletId: string, openedAt: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.open_wallets (user_id, wallet_id, opened_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING`,
      [userId, walletId, openedAt],
    );
  }
}
