/**
 * The analysts' read models as TypeORM entities, all in the PostgreSQL schema `analytics`.
 *
 * Amounts are `numeric(38,0)` of fen, which TypeORM (like `pg`) hands over as decimal strings: never
 * a JS number. Every column is a pure function of the events (no `now()`), so a rebuild from
 * position zero produces byte-identical rows and the checksums can prove it. The tables are created
 * by the explicit migrations in `./migrations`, never by `synchronize`.
 */
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ANALYTICS_SCHEMA = 'analytics';

/** `wallet_balances`: one row per wallet, from the wallet events. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'wallet_balances' })
export class WalletBalance {
  @PrimaryColumn({ name: 'wallet_id', type: 'text' }) walletId!: string;
  @Column({ name: 'user_id', type: 'text', nullable: true }) userId!: string | null;
  @Column({ type: 'text', nullable: true }) tier!: string | null;
  /** `active` or `frozen`. */
  @Column({ type: 'text', nullable: true }) status!: string | null;
  /** Money the bank owes the user (captures already taken off). */
  @Column({ name: 'balance_minor', type: 'numeric', precision: 38, scale: 0 }) balanceMinor!: string;
  /** Reserved by open holds; available = balance − held. */
  @Column({ name: 'held_minor', type: 'numeric', precision: 38, scale: 0 }) heldMinor!: string;
  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true }) openedAt!: Date | null;
  @Column({ name: 'last_event_at', type: 'timestamptz' }) lastEventAt!: Date;
  @Column({ name: 'event_count', type: 'bigint' }) eventCount!: string;
}

/** `journal_entries`: every posting of every ledger transaction (`transactionOf`), one row per leg. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'journal_entries' })
@Index('journal_entries_account_idx', ['account', 'occurredAt'])
export class JournalEntry {
  @PrimaryColumn({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @PrimaryColumn({ type: 'int' }) leg!: number;
  @Column({ type: 'text' }) account!: string;
  /** Signed: what the account gains. */
  @Column({ name: 'amount_minor', type: 'numeric', precision: 38, scale: 0 }) amountMinor!: string;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ type: 'text' }) stream!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
}

/** `trial_balance`: the balance of every ledger account, summed from the journal. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'trial_balance' })
export class TrialBalanceRow {
  @PrimaryColumn({ type: 'text' }) account!: string;
  @Column({ name: 'balance_minor', type: 'numeric', precision: 38, scale: 0 }) balanceMinor!: string;
  /** Sum of the positive postings (what the account received). */
  @Column({ name: 'inflow_minor', type: 'numeric', precision: 38, scale: 0 }) inflowMinor!: string;
  /** Sum of the negative postings, as a positive number (what the account gave). */
  @Column({ name: 'outflow_minor', type: 'numeric', precision: 38, scale: 0 }) outflowMinor!: string;
  @Column({ type: 'bigint' }) postings!: string;
}

/** `payments`: one row per payment stream, with its outcome (none yet = `pending`). */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'payments' })
export class PaymentRow {
  @PrimaryColumn({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ type: 'text', nullable: true }) kind!: string | null;
  @Column({ name: 'amount_minor', type: 'numeric', precision: 38, scale: 0, nullable: true }) amountMinor!: string | null;
  @Column({ name: 'initiated_at', type: 'timestamptz', nullable: true }) initiatedAt!: Date | null;
  /** `pending`, `completed` or `failed`. */
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'failure_code', type: 'text', nullable: true }) failureCode!: string | null;
  @Column({ name: 'outcome_at', type: 'timestamptz', nullable: true }) outcomeAt!: Date | null;
  /** How many outcome events the stream holds: exactly 1 once finished (an invariant). */
  @Column({ name: 'outcome_count', type: 'int' }) outcomeCount!: number;
  /** The payer (none for a refund: it is the merchant's). */
  @Column({ name: 'user_id', type: 'text', nullable: true }) userId!: string | null;
  /** The other side as the payer sees it (`shownCounterpartyOf`): `merchant:M1`, `phone:138****5678`, … */
  @Column({ type: 'text', nullable: true }) counterparty!: string | null;
}

/** `payment_outcomes_daily`: outcomes and failure reasons per Asia/Shanghai day and payment kind. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'payment_outcomes_daily' })
export class PaymentOutcomeDaily {
  @PrimaryColumn({ type: 'date' }) day!: string;
  @PrimaryColumn({ type: 'text' }) kind!: string;
  /** `completed` or `failed`. */
  @PrimaryColumn({ type: 'text' }) outcome!: string;
  /** The failure code; '' for completed payments. */
  @PrimaryColumn({ name: 'failure_code', type: 'text' }) failureCode!: string;
  @Column({ type: 'bigint' }) payments!: string;
  /** Amount moved by completed payments (failed ones moved nothing). */
  @Column({ name: 'amount_minor', type: 'numeric', precision: 38, scale: 0 }) amountMinor!: string;
}

/**
 * `statement_lines`: every entry of every wallet (credits, captured debits, holds and their release
 * or expiry), with its counterparty, the payment that made it, and the balances after it.
 */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'statement_lines' })
@Index('statement_lines_user_idx', ['userId', 'occurredAt'])
export class StatementLine {
  @PrimaryColumn({ name: 'wallet_id', type: 'text' }) walletId!: string;
  /** 1, 2, … per wallet, in stream order. */
  @PrimaryColumn({ type: 'bigint' }) seq!: string;
  /** From the wallet's WalletOpened. */
  @Column({ name: 'user_id', type: 'text', nullable: true }) userId!: string | null;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  /** `credit`, `debit` (a captured hold), `hold`, `release` or `expiry`. */
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) counterparty!: string;
  /** The change of the balance, signed: positive for a credit, negative for a debit, 0 for a hold, release or expiry. */
  @Column({ name: 'amount_minor', type: 'numeric', precision: 38, scale: 0 }) amountMinor!: string;
  /** The change of the held amount, signed: positive for a hold, negative when a hold is captured, released or expires. */
  @Column({ name: 'held_minor', type: 'numeric', precision: 38, scale: 0 }) heldMinor!: string;
  @Column({ name: 'balance_after_minor', type: 'numeric', precision: 38, scale: 0 }) balanceAfterMinor!: string;
  @Column({ name: 'available_after_minor', type: 'numeric', precision: 38, scale: 0 }) availableAfterMinor!: string;
  /** The ledger transaction of a credit or debit; none for a hold, release or expiry (they post nothing). */
  @Column({ name: 'transaction_id', type: 'text', nullable: true }) transactionId!: string | null;
  @Column({ name: 'hold_id', type: 'text', nullable: true }) holdId!: string | null;
  /** The credit's reference, or the reservation's for the entries of a hold. */
  @Column({ type: 'text', nullable: true }) reference!: string | null;
  /** The payment that asked for the hold or credit (`paymentIdOfWalletEntry`); none for one no payment asked for. */
  @Column({ name: 'payment_id', type: 'text', nullable: true }) paymentId!: string | null;
}

/** `statement_holds`: every reservation (its reference names the payment), for the debit lines. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'statement_holds' })
export class StatementHold {
  @PrimaryColumn({ name: 'wallet_id', type: 'text' }) walletId!: string;
  @PrimaryColumn({ name: 'hold_id', type: 'text' }) holdId!: string;
  @Column({ type: 'text' }) reference!: string;
  @Column({ type: 'text' }) counterparty!: string;
  @Column({ name: 'amount_minor', type: 'numeric', precision: 38, scale: 0 }) amountMinor!: string;
  @Column({ name: 'reserved_at', type: 'timestamptz' }) reservedAt!: Date;
}

/** `statement_wallets`: the statement's running state per wallet (owner, balance, last line). */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'statement_wallets' })
@Index('statement_wallets_user_idx', ['userId'])
export class StatementWallet {
  @PrimaryColumn({ name: 'wallet_id', type: 'text' }) walletId!: string;
  @Column({ name: 'user_id', type: 'text', nullable: true }) userId!: string | null;
  @Column({ name: 'balance_minor', type: 'numeric', precision: 38, scale: 0 }) balanceMinor!: string;
  @Column({ name: 'held_minor', type: 'numeric', precision: 38, scale: 0 }) heldMinor!: string;
  @Column({ type: 'bigint' }) lines!: string;
}

/** `wallet_holds`: every hold (reservation) with its expiry and how it closed. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'wallet_holds' })
export class WalletHoldRow {
  @PrimaryColumn({ name: 'wallet_id', type: 'text' }) walletId!: string;
  @PrimaryColumn({ name: 'hold_id', type: 'text' }) holdId!: string;
  /** The payment id of the reservation. */
  @Column({ type: 'text' }) reference!: string;
  @Column({ name: 'amount_minor', type: 'numeric', precision: 38, scale: 0 }) amountMinor!: string;
  @Column({ name: 'reserved_at', type: 'timestamptz' }) reservedAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  /** `open`, `captured`, `released` or `expired`. */
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
}

/** `merchant_daily_volume`: completed merchant payments and refunds per merchant and Asia/Shanghai day. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'merchant_daily_volume' })
export class MerchantDailyVolume {
  @PrimaryColumn({ type: 'date' }) day!: string;
  @PrimaryColumn({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'bigint' }) payments!: string;
  @Column({ name: 'gross_minor', type: 'numeric', precision: 38, scale: 0 }) grossMinor!: string;
  @Column({ type: 'bigint' }) refunds!: string;
  @Column({ name: 'refunded_minor', type: 'numeric', precision: 38, scale: 0 }) refundedMinor!: string;
  /** gross − refunded (refunds counted on the day they completed). */
  @Column({ name: 'net_minor', type: 'numeric', precision: 38, scale: 0 }) netMinor!: string;
}

/** `user_cards`: card binding per user (the funnel's "card bound" step). */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'user_cards' })
export class UserCardsRow {
  @PrimaryColumn({ name: 'user_id', type: 'text' }) userId!: string;
  @Column({ name: 'first_bound_at', type: 'timestamptz', nullable: true }) firstBoundAt!: Date | null;
  @Column({ name: 'cards_bound', type: 'int' }) cardsBound!: number;
  @Column({ name: 'cards_unbound', type: 'int' }) cardsUnbound!: number;
}

/** `identity_users`: registration, freeze status and alert counts per user (from identity events). */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'identity_users' })
export class IdentityUser {
  @PrimaryColumn({ name: 'user_id', type: 'text' }) userId!: string;
  @Column({ name: 'registered_at', type: 'timestamptz', nullable: true }) registeredAt!: Date | null;
  @Column({ name: 'identity_level', type: 'text', nullable: true }) identityLevel!: string | null;
  /** `active` or `frozen`. */
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'status_since', type: 'timestamptz', nullable: true }) statusSince!: Date | null;
  @Column({ type: 'int' }) freezes!: number;
  @Column({ name: 'risk_alerts', type: 'int' }) riskAlerts!: number;
  /** e.g. `138****5678`, shown as the sender of a transfer on the recipient's statement. */
  @Column({ name: 'masked_phone', type: 'text', nullable: true }) maskedPhone!: string | null;
}

/** `risk_alerts`: every RiskAlertRaised. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'risk_alerts' })
@Index('risk_alerts_user_idx', ['userId', 'occurredAt'])
export class RiskAlertRow {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'user_id', type: 'text' }) userId!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ type: 'text' }) signal!: string;
  @Column({ type: 'text' }) severity!: string;
  @Column({ type: 'text' }) description!: string;
  @Column({ type: 'text' }) source!: string;
}

/** `account_freezes`: every AccountFrozen / AccountUnfrozen, with who did it. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'account_freezes' })
@Index('account_freezes_user_idx', ['userId', 'occurredAt'])
export class AccountFreezeRow {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'user_id', type: 'text' }) userId!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  /** `frozen` or `unfrozen`. */
  @Column({ type: 'text' }) action!: string;
  /** `user`, `support` or `risk`. */
  @Column({ name: 'actor_kind', type: 'text' }) actorKind!: string;
  /** The support agent or the risk rule, when there is one. */
  @Column({ name: 'actor_ref', type: 'text', nullable: true }) actorRef!: string | null;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
}

/** A staff action's columns (`staff_actions_<source>`): who of the staff did what, to whom, when. */
abstract class StaffActionColumns {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId!: string;
  /** The event's position in its store: the order of the events one decision recorded at one instant. */
  @Column({ type: 'bigint' }) seq!: string;
  @Column({ name: 'agent_id', type: 'text' }) agentId!: string;
  /** `support`, `teller`, `supervisor` (the actor's kind), or `login` for a login attempt. */
  @Column({ type: 'text' }) role!: string;
  /** The event type, e.g. `identity.AccountFrozen.v1`. */
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'text' }) stream!: string;
  @Column({ name: 'subject_user_id', type: 'text', nullable: true }) subjectUserId!: string | null;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'command_id', type: 'text', nullable: true }) commandId!: string | null;
}

/** `staff_actions_identity`: freezes, unfreezes, second-factor resets, maintenance windows, staff logins. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'staff_actions_identity' })
@Index('staff_actions_identity_agent_idx', ['agentId', 'occurredAt', 'seq'])
export class IdentityStaffActionRow extends StaffActionColumns {}

/** `staff_actions_payments`: counter deposits, their approvals and rejections, support look-ups of payments. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'staff_actions_payments' })
@Index('staff_actions_payments_agent_idx', ['agentId', 'occurredAt', 'seq'])
export class PaymentsStaffActionRow extends StaffActionColumns {}

/**
 * `invariant_alerts`: the live invariant checks' alerts, one row per alert key (`<invariant>:<subject>`)
 * with its current state, and the outbox of `ops.alerts` (`publishedAt` null: not yet acknowledged by
 * the broker). Operational state, not a read model: no projection writes it and a replay leaves it be.
 */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'invariant_alerts' })
export class InvariantAlertRow {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'text' }) invariant!: string;
  @Column({ type: 'text' }) subject!: string;
  /** `raised` or `cleared`. */
  @Column({ type: 'text' }) state!: string;
  /** `critical` or `warning`. */
  @Column({ type: 'text' }) severity!: string;
  @Column({ type: 'text' }) summary!: string;
  /** The first violating ids (at most `ALERT_DETAILS_MAX`) as of the last check. */
  @Column({ type: 'jsonb' }) details!: string[];
  @Column({ name: 'details_total', type: 'int' }) detailsTotal!: number;
  /** When the current breach was first seen (kept when it clears). */
  @Column({ name: 'first_seen_at', type: 'timestamptz' }) firstSeenAt!: Date;
  /** When the alert entered its current state. */
  @Column({ name: 'changed_at', type: 'timestamptz' }) changedAt!: Date;
  /** The last check that confirmed the current state. */
  @Column({ name: 'checked_at', type: 'timestamptz' }) checkedAt!: Date;
  /** The alert event of the current state: its `alertId` and `message-id`. */
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt!: Date | null;
}

/** Where each projection's catch-up subscription stands; written in the read model's transaction. */
@Entity({ schema: ANALYTICS_SCHEMA, name: 'projector_checkpoints' })
export class ProjectorCheckpoint {
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) cursor!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export const ANALYTICS_ENTITIES = [
  WalletBalance,
  JournalEntry,
  TrialBalanceRow,
  PaymentRow,
  PaymentOutcomeDaily,
  StatementLine,
  StatementHold,
  StatementWallet,
  WalletHoldRow,
  MerchantDailyVolume,
  UserCardsRow,
  IdentityUser,
  RiskAlertRow,
  AccountFreezeRow,
  IdentityStaffActionRow,
  PaymentsStaffActionRow,
  InvariantAlertRow,
  ProjectorCheckpoint,
];
