/** The HTTP schemas of the wallet and the bound cards: opening the wallet, its balance, binding, listing and unbinding cards. */
import { Type } from '@sinclair/typebox';
import { Amount, PaymentPassword, Phone, loose, strict } from './schema-fields';

export const CardIdParam = Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' });

export const BindCardRequest = strict({
  cardNumber: Type.String({ pattern: '^[0-9][0-9 ]{14,22}[0-9]$', description: 'full ICBC card number, 16–19 digits, spaces allowed' }),
  holderName: Type.String({ minLength: 1, maxLength: 100 }),
  reservedPhone: Phone,
});
export const UnbindCardRequest = strict({ paymentPassword: PaymentPassword('the payment password') });
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
