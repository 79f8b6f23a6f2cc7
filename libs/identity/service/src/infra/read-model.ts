import {
  PostgresCheckpointStore,
  applyMigrations,
  startTransactionalProjection,
  type EventStore,
  type RecordedEvent,
  type Subscription,
} from '@ledger/event-store';
import { IDENTITY_EVENT } from '@ledger/identity-domain';
import type { Pool, PoolClient } from 'pg';
import { READ_MODEL_SCHEMA } from '../config';

/**
 * Read models of the identity service in PostgreSQL, fed by a catch-up subscription on the event
 * store's `user` category:
 * - `identity_read.users`: phone fingerprint → user id, status (active/frozen), masked phone,
 *   registration time; what `FindUserByPhone` (transfers) and support screens read;
 * - `identity_read.risk_alerts`: every alert raised, for the risk desk.
 *
 * The subscription checkpoints manually, in the same transaction as the rows it changes, so after
 * a crash the read model and its checkpoint never disagree. The checkpoint lives next to the read
 * model (`identity_read.checkpoints`), not in the event store, because the store may be KurrentDB.
 * Every change is an idempotent upsert keyed by the user, so replaying from zero (drop the schema)
 * rebuilds the same rows.
 *
 * (The spec names TypeORM for read models; it is not a dependency of this workspace yet, and these
 * two tables need nothing beyond `pg`.)
 *
 * Sessions and their refresh tokens are not here: they are event-sourced (`session-<id>` streams).
 */
export const READ_MODEL_SUBSCRIPTION = 'identity-read-model';

export interface UserView {
  userId: string;
  maskedPhone: string;
  status: 'active' | 'frozen';
  identityLevel: string;
  registeredAt: string;
}

export class IdentityReadModel {
  readonly checkpoints: PostgresCheckpointStore;
  private subscription?: Subscription;

  constructor(private readonly pool: Pool) {
    this.checkpoints = new PostgresCheckpointStore(pool, READ_MODEL_SCHEMA);
  }

  async migrate(): Promise<void> {
    await applyMigrations(this.pool, {
      component: 'identity-read-model',
      schema: READ_MODEL_SCHEMA,
      migrations: [
        {
          version: 1,
          description: 'users, risk alerts and the projection checkpoints',
          up: `CREATE TABLE IF NOT EXISTS ${READ_MODEL_SCHEMA}.checkpoints (
        name text PRIMARY KEY, cursor text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS ${READ_MODEL_SCHEMA}.users (
        user_id text PRIMARY KEY,
        phone_hash text NOT NULL UNIQUE,
        masked_phone text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'frozen')),
        identity_level text NOT NULL,
        payment_password_set boolean NOT NULL DEFAULT false,
        second_factor_enabled boolean NOT NULL DEFAULT false,
        frozen_at timestamptz,
        freeze_reason text,
        registered_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL);
      CREATE TABLE IF NOT EXISTS ${READ_MODEL_SCHEMA}.risk_alerts (
        event_id uuid PRIMARY KEY, user_id text NOT NULL, signal text NOT NULL, severity text NOT NULL,
        description text NOT NULL, source text NOT NULL, raised_at timestamptz NOT NULL)`,
        },
      ],
    });
  }

  start(store: EventStore, onError: (error: unknown) => void): void {
    this.subscription = startTransactionalProjection({
      store,
      pool: this.pool,
      name: READ_MODEL_SUBSCRIPTION,
      category: 'user',
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
    const userId = String(data['userId']);
    const at = String(data['at'] ?? data['registeredAt'] ?? event.metadata.occurredAt);
    const users = `${READ_MODEL_SCHEMA}.users`;
    // Only the types the views show; every other user event leaves them unchanged.
    switch (event.type) {
      case IDENTITY_EVENT.UserRegistered:
        await client.query(
          `INSERT INTO ${users} (user_id, phone_hash, masked_phone, status, identity_level, registered_at, updated_at)
           VALUES ($1, $2, $3, 'active', $4, $5, $5) ON CONFLICT (user_id) DO NOTHING`,
          [userId, data['phoneHash'], data['maskedPhone'], data['identityLevel'], data['registeredAt']],
        );
        return;
      case IDENTITY_EVENT.AccountFrozen:
        await client.query(
          `UPDATE ${users} SET status = 'frozen', frozen_at = $2, freeze_reason = $3, updated_at = $2 WHERE user_id = $1`,
          [userId, at, data['reason']],
        );
        return;
      case IDENTITY_EVENT.AccountUnfrozen:
        await client.query(
          `UPDATE ${users} SET status = 'active', frozen_at = NULL, freeze_reason = NULL, updated_at = $2 WHERE user_id = $1`,
          [userId, at],
        );
        return;
      case IDENTITY_EVENT.PaymentPasswordSet:
        await client.query(`UPDATE ${users} SET payment_password_set = true, updated_at = $2 WHERE user_id = $1`, [userId, at]);
        return;
      case IDENTITY_EVENT.SecondFactorEnabled:
      case IDENTITY_EVENT.SecondFactorDisabled:
        await client.query(`UPDATE ${users} SET second_factor_enabled = $3, updated_at = $2 WHERE user_id = $1`, [
          userId,
          at,
          event.type === IDENTITY_EVENT.SecondFactorEnabled,
        ]);
        return;
      case IDENTITY_EVENT.RiskAlertRaised:
        await client.query(
          `INSERT INTO ${READ_MODEL_SCHEMA}.risk_alerts (event_id, user_id, signal, severity, description, source, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
          [event.id, userId, data['signal'], data['severity'], data['description'], data['source'], at],
        );
        return;
      default:
        return;
    }
  }

  /** The user registered with one of these phone fingerprints (one per key of the pepper ring). */
  async findByPhoneHash(phoneHashes: readonly string[]): Promise<UserView | undefined> {
    const { rows } = await this.pool.query<{
      user_id: string;
      masked_phone: string;
      status: 'active' | 'frozen';
      identity_level: string;
      registered_at: Date;
    }>(
      `SELECT user_id, masked_phone, status, identity_level, registered_at FROM ${READ_MODEL_SCHEMA}.users WHERE phone_hash = ANY($1) LIMIT 1`,
      [phoneHashes],
    );
    const row = rows[0];
    return row === undefined
      ? undefined
      : {
          userId: row.user_id,
          maskedPhone: row.masked_phone,
          status: row.status,
          identityLevel: row.identity_level,
          registeredAt: row.registered_at.toISOString(),
        };
  }
}
