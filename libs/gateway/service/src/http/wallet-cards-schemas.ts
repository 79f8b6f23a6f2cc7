/** The HTTP schemas of the wallet and the bound cards: opening the wallet, its balance, binding, listing and unbinding cards. */
import { Type } from '@sinclair/typebox';
import { SecondFactorCode } from './identity-schemas';
import { Amount, Instant, PaymentPassword, Phone, loose, strict } from './schema-fields';

export const CardIdParam = Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' });

export const BindCardRequest = strict({
  cardNumber: Type.String({ pattern: '^[0-9][0-9 ]{14,22}[0-9]$', description: 'full ICBC card number, 16–19 digits, spaces allowed' }),
  holderName: Type.String({ minLength: 1, maxLength: 100 }),
  reservedPhone: Phone,
  // With the second factor on, binding and unbinding a card ask for it (answer SECOND_FACTOR_REQUIRED).
  secondFactorCode: SecondFactorCode,
});
export const UnbindCardRequest = strict({ paymentPassword: PaymentPassword('the payment password'), secondFactorCode: SecondFactorCode });
export const OpenWalletRequest = strict({}, 'no fields; the tier starts as configured for the identity level');

export const WalletOpenedResponse = loose({ walletId: Type.String(), userId: Type.String(), tier: Type.String() });
export const BalanceResponse = loose({
  walletId: Type.String(),
  userId: Type.String(),
  status: Type.String(),
  tier: Type.String(),
  totalMinor: Amount,
  heldMinor: Amount,
  availableMinor: Amount,
  currency: Type.Literal('CNY'),
});
export const CardResponse = loose({
  cardId: Type.String(),
  maskedNumber: Type.String(),
  last4: Type.String(),
  issuer: Type.String(),
  cardType: Type.String(),
  isDefault: Type.Boolean(),
});
export const CardListResponse = loose({
  userId: Type.String(),
  defaultCardId: Type.Union([Type.String(), Type.Null()]),
  cards: Type.Array(CardResponse),
});
export const UnbindCardResponse = loose({
  cardId: Type.String(),
  remainingCards: Type.Number(),
  defaultCardId: Type.Union([Type.String(), Type.Null()]),
});
export const DefaultCardResponse = loose({ defaultCardId: Type.String() });

export const StatementResponse = loose({
  userId: Type.String(),
  walletId: Type.String(),
  entries: Type.Array(
    loose({
      seq: Type.Integer({ description: '1, 2, … in the order the wallet recorded its entries' }),
      at: Instant,
      kind: Type.String({
        description: 'credit, debit (a payment captured), hold (money set aside), release or expiry (a hold given back)',
      }),
      amountMinor: Type.String({
        description: 'the change of the balance in fen, signed: "+" never written, "-" for a debit, "0" for a hold, release or expiry',
      }),
      heldMinor: Type.String({ description: 'the change of the held amount in fen, signed' }),
      balanceAfterMinor: Amount,
      availableAfterMinor: Amount,
      counterparty: Type.String({
        description:
          'the other side: merchant:<id>, biller:<id>, card:<cardId>, provider:<name>, branch:<id>, phone:<masked> for a transfer either way, or the ledger account',
      }),
      paymentId: Type.Optional(Type.String()),
      paymentKind: Type.Optional(Type.String()),
      transactionId: Type.Optional(Type.String({ description: 'the ledger transaction of a credit or debit' })),
    }),
  ),
  nextCursor: Type.Optional(Type.String()),
});

/** `?asOf=<ISO-8601 instant>` (UTC, `Z` or an offset). */
export const BalanceAsOfQuery = strict({
  asOf: Type.String({
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
    description: 'ISO-8601 instant, e.g. 2026-12-01T00:00:00Z',
  }),
});
export const BalanceAsOfResponse = loose({
  userId: Type.String(),
  walletId: Type.String(),
  asOf: Instant,
  status: Type.String({ description: 'unopened (before the wallet was opened), active or frozen' }),
  totalMinor: Amount,
  heldMinor: Amount,
  availableMinor: Amount,
  events: Type.Integer({ description: 'how many wallet events were folded' }),
});
