/**
 * The wallet context's public contract: its command payload schemas (what arrives on
 * `wallet.commands`) and the events it publishes on `wallet.events` that other contexts consume.
 *
 * Amounts are decimal strings of fen (`"12345"` = 123.45 yuan): JSON has no integer type wide
 * enough, and a float must never carry money. Instants are ISO-8601 strings with an offset.
 * Message keys: the wallet id for every command addressed to a wallet (so one wallet's commands
 * stay in order on one partition), the user id for OpenWallet and GetWalletByUser.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { defineCommand } from './command';
import {
  BalanceAnswer,
  FundsReservedAnswer,
  HoldCapturedAnswer,
  HoldReleasedAnswer,
  WalletCreditedAnswer,
  WalletFrozenAnswer,
  WalletOfUserAnswer,
  WalletOpenedAnswer,
  WalletTierAnswer,
  WalletUnfrozenAnswer,
} from './wallet-accepted';

export const CONTEXT = 'wallet';

/** A positive whole number of fen, at most 18 digits (the largest amount an event can carry). */
export const AmountMinor = Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'positive amount in fen, as a decimal string' });
/** A signed amount of fen, as it appears in postings ("-100": what the account gives). */
export const SignedAmountMinor = Type.String({ pattern: '^(0|-?[1-9][0-9]{0,17})$' });
/** An ISO-8601 instant with an explicit offset (`2026-11-22T10:00:00Z`). */
export const Instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$' });
/** A wallet id doubles as a ledger account segment (`wallet:<id>`), so it has the same alphabet. */
export const WalletId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' });
/** Ids chosen by callers (user, hold, credit): non-empty, bounded, no whitespace. */
export const ExternalId = Type.String({ pattern: '^[^\\s]{1,128}$' });
/** A ledger account id (see `@ledger/wallet-domain` `AccountId`). */
export const AccountId = Type.String({
  pattern:
    '^((wallet|merchant|biller|clearing:card|cash:branch):[A-Za-z0-9][A-Za-z0-9._-]{0,127}|clearing:provider:(alipay|wechat)|clearing:(transfer|refund))$',
});
export const Tier = Type.Union([Type.Literal('basic'), Type.Literal('verified'), Type.Literal('premium')]);
const Text = (maxLength: number) => Type.String({ maxLength });

const object = <T extends Record<string, TSchema>>(properties: T) => Type.Object(properties, { additionalProperties: false });

export const openWallet = defineCommand({
  type: 'wallet.OpenWallet.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['WALLET_PREREQUISITES_MISSING', 'WALLET_ALREADY_OPEN'],
  description:
    'Activates (开通) the wallet of a user who is registered, has a payment password and a bound card (learned from identity and cards events). ' +
    'Key: userId. Accepted data: walletId, userId, tier. Codes: WALLET_PREREQUISITES_MISSING (details.missing), WALLET_ALREADY_OPEN (details.walletId).',
  payload: object({ userId: ExternalId, tier: Type.Optional(Tier) }),
  accepted: WalletOpenedAnswer,
});

export const reserveFunds = defineCommand({
  type: 'wallet.ReserveFunds.v1',
  context: CONTEXT,
  senders: { payments: ['user'] },
  rejects: [
    'WALLET_NOT_OPEN',
    'WALLET_FROZEN',
    'INSUFFICIENT_FUNDS',
    'LIMIT_EXCEEDED',
    'HOLD_EXPIRY_PASSED',
    'INVALID_AMOUNT',
    'IDEMPOTENCY_KEY_REUSED',
  ],
  description:
    'Holds funds for a payment until captured, released or expired at expiresAt. Idempotent by holdId. Key: walletId. ' +
    'Codes: WALLET_NOT_OPEN, WALLET_FROZEN, INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, HOLD_EXPIRY_PASSED, INVALID_AMOUNT, IDEMPOTENCY_KEY_REUSED, FORBIDDEN.',
  payload: object({
    walletId: WalletId,
    holdId: ExternalId,
    amountMinor: AmountMinor,
    expiresAt: Instant,
    reference: Text(512),
    counterparty: AccountId,
  }),
  accepted: FundsReservedAnswer,
});

export const captureHold = defineCommand({
  type: 'wallet.CaptureHold.v1',
  context: CONTEXT,
  senders: { payments: ['system'] },
  rejects: [
    'WALLET_NOT_OPEN',
    'HOLD_NOT_FOUND',
    'HOLD_ALREADY_SETTLED',
    'CAPTURE_EXCEEDS_HOLD',
    'INVALID_AMOUNT',
    'IDEMPOTENCY_KEY_REUSED',
  ],
  description:
    'Takes amountMinor (≤ reserved) of a hold; the rest goes back to the available balance. Idempotent by holdId. Key: walletId. ' +
    'Codes: WALLET_NOT_OPEN, HOLD_NOT_FOUND, HOLD_ALREADY_SETTLED, CAPTURE_EXCEEDS_HOLD, INVALID_AMOUNT, IDEMPOTENCY_KEY_REUSED, FORBIDDEN.',
  payload: object({ walletId: WalletId, holdId: ExternalId, amountMinor: AmountMinor }),
  accepted: HoldCapturedAnswer,
});

export const payFromWallet = defineCommand({
  type: 'wallet.PayFromWallet.v1',
  context: CONTEXT,
  senders: { payments: ['user'] },
  rejects: [
    'WALLET_NOT_OPEN',
    'WALLET_FROZEN',
    'INSUFFICIENT_FUNDS',
    'LIMIT_EXCEEDED',
    'HOLD_EXPIRY_PASSED',
    'HOLD_ALREADY_SETTLED',
    'INVALID_AMOUNT',
    'IDEMPOTENCY_KEY_REUSED',
  ],
  description:
    'Pays a counterparty inside the ledger at once: the reservation and its capture decided together (the same FundsReserved and HoldCaptured events, one append), ' +
    'for a payment that waits for no outside party in between. Idempotent by holdId. Key: walletId. Accepted data: the capture (event HoldCaptured, transactionId, postings, …). ' +
    'Codes: WALLET_NOT_OPEN, WALLET_FROZEN, INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, HOLD_EXPIRY_PASSED, HOLD_ALREADY_SETTLED, INVALID_AMOUNT, IDEMPOTENCY_KEY_REUSED, FORBIDDEN.',
  payload: object({
    walletId: WalletId,
    holdId: ExternalId,
    amountMinor: AmountMinor,
    expiresAt: Instant,
    reference: Text(512),
    counterparty: AccountId,
  }),
  accepted: HoldCapturedAnswer,
});

export const releaseHold = defineCommand({
  type: 'wallet.ReleaseHold.v1',
  context: CONTEXT,
  senders: { payments: ['system'] },
  rejects: ['WALLET_NOT_OPEN', 'HOLD_NOT_FOUND', 'HOLD_ALREADY_SETTLED', 'IDEMPOTENCY_KEY_REUSED'],
  description:
    'Gives a whole hold back. Idempotent by holdId. Key: walletId. Codes: WALLET_NOT_OPEN, HOLD_NOT_FOUND, HOLD_ALREADY_SETTLED, IDEMPOTENCY_KEY_REUSED, FORBIDDEN.',
  payload: object({ walletId: WalletId, holdId: ExternalId }),
  accepted: HoldReleasedAnswer,
});

export const creditWallet = defineCommand({
  type: 'wallet.CreditWallet.v1',
  context: CONTEXT,
  senders: { payments: ['system'] },
  rejects: ['WALLET_NOT_OPEN', 'WALLET_FROZEN', 'BALANCE_CAP_EXCEEDED', 'INVALID_AMOUNT', 'IDEMPOTENCY_KEY_REUSED'],
  description:
    'Incoming money (top-up, incoming transfer, refund) from a counterparty account. Idempotent by creditId. Key: walletId. ' +
    'Codes: WALLET_NOT_OPEN, WALLET_FROZEN (under the reject policy), BALANCE_CAP_EXCEEDED, INVALID_AMOUNT, IDEMPOTENCY_KEY_REUSED.',
  payload: object({ walletId: WalletId, creditId: ExternalId, amountMinor: AmountMinor, reference: Text(512), counterparty: AccountId }),
  accepted: WalletCreditedAnswer,
});

export const freezeWallet = defineCommand({
  type: 'wallet.FreezeWallet.v1',
  context: CONTEXT,
  senders: { gateway: ['support'] },
  rejects: ['WALLET_NOT_OPEN'],
  description:
    'Support freezes a wallet (actor support:<id>): every reservation is refused until unfrozen. Key: walletId. Codes: WALLET_NOT_OPEN, FORBIDDEN.',
  payload: object({ walletId: WalletId, reason: Text(512) }),
  accepted: WalletFrozenAnswer,
});

export const unfreezeWallet = defineCommand({
  type: 'wallet.UnfreezeWallet.v1',
  context: CONTEXT,
  senders: { gateway: ['support'] },
  rejects: ['WALLET_NOT_OPEN'],
  description:
    'Support unfreezes a wallet (actor support:<id>); balance and history are intact. Key: walletId. Codes: WALLET_NOT_OPEN, FORBIDDEN.',
  payload: object({ walletId: WalletId, reason: Text(512) }),
  accepted: WalletUnfrozenAnswer,
});

export const changeWalletTier = defineCommand({
  type: 'wallet.ChangeWalletTier.v1',
  context: CONTEXT,
  senders: { gateway: ['support'], internal: ['system'] },
  rejects: ['WALLET_NOT_OPEN'],
  description:
    'Moves the wallet to another tier with other limits (actor support:<id> or system:<service>). Key: walletId. Codes: WALLET_NOT_OPEN, FORBIDDEN.',
  payload: object({ walletId: WalletId, tier: Tier }),
  accepted: WalletTierAnswer,
});

export const getBalance = defineCommand({
  type: 'wallet.GetBalance.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'], internal: ['system'] },
  rejects: ['WALLET_NOT_OPEN'],
  description:
    'Query: accepted data { walletId, userId, status, tier, totalMinor, heldMinor, availableMinor, openHolds, revision } with amounts as decimal strings. ' +
    'Key: walletId. Codes: WALLET_NOT_OPEN, FORBIDDEN.',
  payload: object({ walletId: WalletId }),
  accepted: BalanceAnswer,
});

export const getWalletByUser = defineCommand({
  type: 'wallet.GetWalletByUser.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support', 'teller'], payments: ['system'], internal: ['system'] },
  rejects: ['WALLET_NOT_OPEN'],
  description: "Query: the user's wallet id (accepted data { userId, walletId }). Key: userId. Codes: WALLET_NOT_OPEN, FORBIDDEN.",
  payload: object({ userId: ExternalId }),
  accepted: WalletOfUserAnswer,
});

export const COMMANDS = [
  openWallet,
  reserveFunds,
  captureHold,
  payFromWallet,
  releaseHold,
  creditWallet,
  freezeWallet,
  unfreezeWallet,
  changeWalletTier,
  getBalance,
  getWalletByUser,
] as const;

/**
 * Every stable rejection code the wallet service answers with, besides the transport's: the
 * domain's (`WALLET_ERROR` in `@ledger/wallet-domain`, where each is explained) and the service's
 * own. `libs/wallet/service/src/wallet-contract.spec.ts` checks the list against both.
 */
export const ERROR_CODES = [
  'WALLET_PREREQUISITES_MISSING',
  'WALLET_ALREADY_OPEN',
  'WALLET_NOT_OPEN',
  'WALLET_FROZEN',
  'INSUFFICIENT_FUNDS',
  'LIMIT_EXCEEDED',
  'BALANCE_CAP_EXCEEDED',
  'HOLD_NOT_FOUND',
  'HOLD_ALREADY_SETTLED',
  'HOLD_NOT_EXPIRED',
  'HOLD_EXPIRY_PASSED',
  'CAPTURE_EXCEEDS_HOLD',
  'INVALID_AMOUNT',
  'IDEMPOTENCY_KEY_REUSED',
  'FORBIDDEN',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes the wallet service answers besides the domain's (`WALLET_ERROR` in `@ledger/wallet-domain`). */
export const WALLET_SERVICE_ERROR = {
  /** The actor may not do this: another user's wallet, or a support action by someone without the role. */
  FORBIDDEN: 'FORBIDDEN',
} as const;

// ─── Events on `wallet.events` (key = stream `wallet-<walletId>`, data = the JSON below) ────────────

export const EVENT_TYPES = {
  WalletOpened: 'wallet.WalletOpened.v1',
  FundsReserved: 'wallet.FundsReserved.v1',
  HoldCaptured: 'wallet.HoldCaptured.v1',
  HoldReleased: 'wallet.HoldReleased.v1',
  HoldExpired: 'wallet.HoldExpired.v1',
  WalletCredited: 'wallet.WalletCredited.v1',
  WalletFrozen: 'wallet.WalletFrozen.v1',
  WalletUnfrozen: 'wallet.WalletUnfrozen.v1',
  WalletTierChanged: 'wallet.WalletTierChanged.v1',
} as const;

const Posting = Type.Object({ account: AccountId, amountMinor: SignedAmountMinor });
const Idempotency = { idempotencyKey: Type.String(), payloadFingerprint: Type.String() };
const FreezeSource = Type.Union([Type.Literal('identity'), Type.Literal('support')]);

/** Event data schemas, by event type. Money movements carry their double-entry postings (sum 0). */
export const eventData = {
  [EVENT_TYPES.WalletOpened]: Type.Object({ walletId: WalletId, userId: Type.String(), tier: Tier, openedAt: Instant }),
  [EVENT_TYPES.FundsReserved]: Type.Object({
    walletId: WalletId,
    holdId: Type.String(),
    amountMinor: AmountMinor,
    expiresAt: Instant,
    reference: Type.String(),
    counterparty: AccountId,
    reservedAt: Instant,
    debitDay: Type.String(),
    ...Idempotency,
  }),
  [EVENT_TYPES.HoldCaptured]: Type.Object({
    walletId: WalletId,
    holdId: Type.String(),
    amountMinor: AmountMinor,
    releasedMinor: Type.String({ pattern: '^(0|[1-9][0-9]{0,17})$' }),
    counterparty: AccountId,
    capturedAt: Instant,
    transactionId: Type.String(),
    postings: Type.Array(Posting),
    ...Idempotency,
  }),
  [EVENT_TYPES.HoldReleased]: Type.Object({
    walletId: WalletId,
    holdId: Type.String(),
    amountMinor: AmountMinor,
    releasedAt: Instant,
    ...Idempotency,
  }),
  [EVENT_TYPES.HoldExpired]: Type.Object({
    walletId: WalletId,
    holdId: Type.String(),
    amountMinor: AmountMinor,
    expiredAt: Instant,
    ...Idempotency,
  }),
  [EVENT_TYPES.WalletCredited]: Type.Object({
    walletId: WalletId,
    creditId: Type.String(),
    amountMinor: AmountMinor,
    reference: Type.String(),
    counterparty: AccountId,
    creditedAt: Instant,
    transactionId: Type.String(),
    postings: Type.Array(Posting),
    ...Idempotency,
  }),
  [EVENT_TYPES.WalletFrozen]: Type.Object({ walletId: WalletId, reason: Type.String(), source: FreezeSource, frozenAt: Instant }),
  [EVENT_TYPES.WalletUnfrozen]: Type.Object({ walletId: WalletId, reason: Type.String(), source: FreezeSource, unfrozenAt: Instant }),
  [EVENT_TYPES.WalletTierChanged]: Type.Object({ walletId: WalletId, fromTier: Tier, toTier: Tier, changedAt: Instant }),
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];
export type EventDataOf<T extends EventType> = Static<(typeof eventData)[T]>;
