/**
 * What the wallet's commands answer when accepted (each command's `accepted` in `wallet.ts`), as
 * `libs/wallet/service/src/wallet.controller.ts` builds it. A money command answers with the event it
 * recorded, without the idempotency bookkeeping (`publicData`: `{ event: <type>, ...data }`), and a
 * repeat answers with the original event. The controller's `{ walletId }` fallback answers only a
 * command that decided no event, which a money command never does (it records one, or replays one).
 */
import { Type } from '@sinclair/typebox';
import { AnsweredInstant, Count, Minor, PositiveMinor, Posting, answer } from './accepted-fields';

const WalletTier = Type.Union([Type.Literal('basic'), Type.Literal('verified'), Type.Literal('premium')]);
/** An opened wallet's status (an unopened one is answered WALLET_NOT_OPEN). */
const OpenedStatus = Type.Union([Type.Literal('active'), Type.Literal('frozen')]);
const Postings = Type.Array(Posting);

/** OpenWallet: the WalletOpened event. */
export const WalletOpenedAnswer = answer({
  event: Type.Literal('wallet.WalletOpened.v1'),
  walletId: Type.String(),
  userId: Type.String(),
  tier: WalletTier,
  openedAt: AnsweredInstant,
});

/** ReserveFunds: the FundsReserved event. */
export const FundsReservedAnswer = answer({
  event: Type.Literal('wallet.FundsReserved.v1'),
  walletId: Type.String(),
  holdId: Type.String(),
  amountMinor: PositiveMinor,
  expiresAt: AnsweredInstant,
  reference: Type.String(),
  counterparty: Type.String(),
  reservedAt: AnsweredInstant,
  /** The Asia/Shanghai day whose daily limit the reservation counts against. */
  debitDay: Type.String(),
});

/** CaptureHold and PayFromWallet: the HoldCaptured event, with the transaction and its postings. */
export const HoldCapturedAnswer = answer({
  event: Type.Literal('wallet.HoldCaptured.v1'),
  walletId: Type.String(),
  holdId: Type.String(),
  amountMinor: PositiveMinor,
  /** The rest of the hold, given back to the available balance ("0" for a full capture). */
  releasedMinor: Minor,
  counterparty: Type.String(),
  capturedAt: AnsweredInstant,
  transactionId: Type.String(),
  postings: Postings,
});

/** ReleaseHold: the HoldReleased event. */
export const HoldReleasedAnswer = answer({
  event: Type.Literal('wallet.HoldReleased.v1'),
  walletId: Type.String(),
  holdId: Type.String(),
  amountMinor: PositiveMinor,
  releasedAt: AnsweredInstant,
});

/** CreditWallet: the WalletCredited event, with the transaction and its postings. */
export const WalletCreditedAnswer = answer({
  event: Type.Literal('wallet.WalletCredited.v1'),
  walletId: Type.String(),
  creditId: Type.String(),
  amountMinor: PositiveMinor,
  reference: Type.String(),
  counterparty: Type.String(),
  creditedAt: AnsweredInstant,
  transactionId: Type.String(),
  postings: Postings,
});

/** FreezeWallet: `changed` is false when the wallet was frozen already. */
export const WalletFrozenAnswer = answer({ walletId: Type.String(), status: Type.Literal('frozen'), changed: Type.Boolean() });
/** UnfreezeWallet: `changed` is false when the wallet was not frozen. */
export const WalletUnfrozenAnswer = answer({ walletId: Type.String(), status: Type.Literal('active'), changed: Type.Boolean() });
/** ChangeWalletTier: `changed` is false when the wallet had that tier already. */
export const WalletTierAnswer = answer({ walletId: Type.String(), tier: WalletTier, changed: Type.Boolean() });

/** GetBalance (`WalletLedger.balanceView`): amounts as decimal strings of fen, the stream revision as a decimal string. */
export const BalanceAnswer = answer({
  walletId: Type.String(),
  userId: Type.String(),
  status: OpenedStatus,
  tier: WalletTier,
  totalMinor: Minor,
  heldMinor: Minor,
  availableMinor: Minor,
  openHolds: Type.Array(
    answer({ holdId: Type.String(), amountMinor: PositiveMinor, expiresAt: AnsweredInstant, reference: Type.String() }),
  ),
  revision: Count,
});

/** GetWalletByUser. */
export const WalletOfUserAnswer = answer({ userId: Type.String(), walletId: Type.String(), status: OpenedStatus, tier: WalletTier });
