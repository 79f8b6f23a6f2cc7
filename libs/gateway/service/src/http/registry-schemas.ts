/** The HTTP schemas of the merchant and biller registry (staff), the directory, bill look-ups and the merchant API. */
import { Type } from '@sinclair/typebox';
import { Code64, PaymentIdField, PositiveAmount } from './payments-schemas';
import { Amount, Instant, loose, strict } from './schema-fields';

export const MerchantIdParam = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
export const BillerIdParam = MerchantIdParam;
export const ApiKeyIdParam = Type.String({ pattern: '^[a-z0-9]{12}$' });
export const DayParam = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
  description: 'an Asia/Shanghai day, YYYY-MM-DD',
});
const Channels = Type.Array(Type.Union([Type.Literal('online'), Type.Literal('qr'), Type.Literal('pos')]), {
  maxItems: 3,
  uniqueItems: true,
});
const Reason = Type.String({ minLength: 1, maxLength: 256 });

export const OnboardMerchantRequest = strict({
  merchantId: Code64('the new merchant id, e.g. m-tea-house'),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  channels: Channels,
  settlement: Type.Union([Type.Literal('wallet'), Type.Literal('acquirer')], {
    description: 'wallet: its account is in the wallet ledger; acquirer: an outside acquirer approves each payment',
  }),
  settlementAccount: Type.String({
    minLength: 4,
    maxLength: 64,
    pattern: '^[A-Za-z0-9 -]+$',
    description: 'the bank account it is paid out to',
  }),
});
export const MerchantChannelsRequest = strict({ channels: Channels });
export const SuspensionRequest = strict({ reason: Reason });
export const ResumptionRequest = strict({});
export const OnboardBillerRequest = strict({
  billerId: Code64('the new biller id, e.g. b-gas'),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  category: Type.Union([Type.Literal('electricity'), Type.Literal('water'), Type.Literal('gas'), Type.Literal('phone')]),
  exactAmount: Type.Boolean({ description: 'its bills must be paid exactly (utilities); false: any amount (phone top-ups)' }),
});
export const BillLookupRequest = strict({
  billerId: Code64('the biller'),
  billReference: Type.String({ minLength: 1, maxLength: 64, description: 'the account or bill number at the biller' }),
});
export const MerchantRefundRequest = strict({
  refundId: PaymentIdField,
  paymentId: PaymentIdField,
  amountMinor: PositiveAmount,
  reason: Type.Optional(Type.String({ maxLength: 256 })),
});

export const MerchantResponse = loose({
  merchantId: Type.String(),
  name: Type.String(),
  channels: Type.Array(Type.String()),
  settlement: Type.Optional(Type.String()),
  settlementAccount: Type.Optional(Type.String()),
  suspended: Type.Optional(Type.Boolean()),
  apiKeys: Type.Optional(Type.Array(Type.String(), { description: 'ids of the live API keys' })),
});
export const BillerResponse = loose({
  billerId: Type.String(),
  name: Type.String(),
  category: Type.String(),
  exactAmount: Type.Boolean(),
  suspended: Type.Optional(Type.Boolean()),
});
export const DirectoryResponse = loose({ merchants: Type.Array(MerchantResponse), billers: Type.Array(BillerResponse) });
export const ApiKeyResponse = loose({
  merchantId: Type.String(),
  keyId: Type.String(),
  apiKey: Type.Optional(
    Type.String({ description: 'mk_<keyId>_<secret>: shown once, kept nowhere; absent when a retried request finds it issued already' }),
  ),
});
export const ApiKeyRevokedResponse = loose({ merchantId: Type.String(), keyId: Type.String() });
export const BillLookupResponse = loose({
  billerId: Type.String(),
  found: Type.Boolean(),
  exactAmount: Type.Boolean(),
  amountDueMinor: Type.Optional(Amount),
});
export const MerchantPaymentsResponse = loose({
  merchantId: Type.String(),
  payments: Type.Array(
    loose({
      paymentId: Type.String(),
      kind: Type.String({ description: 'merchant (a payment to me) or refund (one I made)' }),
      amountMinor: Amount,
      status: Type.String(),
      failureCode: Type.Optional(Type.String()),
      createdAt: Instant,
      updatedAt: Instant,
    }),
  ),
  nextCursor: Type.Optional(Type.String()),
});
export const SettlementResponse = loose({
  merchantId: Type.String(),
  day: Type.String(),
  payments: Type.Integer(),
  grossMinor: Amount,
  refunds: Type.Integer(),
  refundedMinor: Amount,
  netMinor: Amount,
});
