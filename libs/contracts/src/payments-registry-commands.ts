/**
 * The payments contract's merchant and biller registry (staff), the app's view of it, and the
 * merchant API (re-exported through `payments-commands.ts`). A merchant calls with one of its API
 * keys; the gateway has payments check it (AuthenticateMerchant, the key sealed for payments) and
 * then asserts `merchant:<merchantId>`, as it asserts `user:<userId>` from a verified token.
 */
import { Type } from '@sinclair/typebox';
import { ENCRYPTED_FIELD_PATTERN, defineCommand } from './command';
import { CONTEXT, Channel, object } from './payments-fields';

export const MerchantId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
export const BillerId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Channels = Type.Array(Channel, { minItems: 0, maxItems: 3, uniqueItems: true });
const Reason = Type.String({ minLength: 1, maxLength: 256 });
/** A merchant API key, sealed for payments at the edge: a key never travels in clear. */
const SealedApiKey = Type.String({
  pattern: ENCRYPTED_FIELD_PATTERN,
  maxLength: 4096,
  description: 'the API key, sealed for payments (secretAad merchantApiKey)',
});
const MERCHANT =
  "Actor: merchant:<merchantId> (the gateway asserts it once payments.AuthenticateMerchant.v1 accepted the merchant's key; its own only), or an internal system:<name>.";
const STAFF = 'Actor: supervisor:<agentId> (recorded on the registry stream).';

export const onboardMerchant = defineCommand({
  type: 'payments.OnboardMerchant.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['ALREADY_ONBOARDED'],
  description:
    `Registry: onboards a merchant (stream registry-merchant.<merchantId>): the channels it takes the wallet on, how it is paid (wallet: its account is in the wallet ledger; acquirer: an outside acquirer approves each payment) and its settlement account. ${STAFF} ` +
    'Accepted data: the merchant. Key: merchantId. Codes: ALREADY_ONBOARDED.',
  payload: object({
    merchantId: MerchantId,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    channels: Channels,
    settlement: Type.Union([Type.Literal('wallet'), Type.Literal('acquirer')]),
    settlementAccount: Type.String({ minLength: 4, maxLength: 64, pattern: '^[A-Za-z0-9 -]+$' }),
  }),
});

export const changeMerchantChannels = defineCommand({
  type: 'payments.ChangeMerchantChannels.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['NOT_ONBOARDED'],
  description: `Registry: the channels a merchant takes the wallet on from now on (payments already started keep theirs). ${STAFF} Accepted data: the merchant. Key: merchantId. Codes: NOT_ONBOARDED.`,
  payload: object({ merchantId: MerchantId, channels: Channels }),
});

export const suspendMerchant = defineCommand({
  type: 'payments.SuspendMerchant.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['NOT_ONBOARDED', 'ALREADY_SUSPENDED'],
  description: `Registry: suspends a merchant: new payments to it fail as to a merchant that does not take the wallet, and its API keys stop working, until it is resumed. ${STAFF} Accepted data: the merchant. Key: merchantId. Codes: NOT_ONBOARDED, ALREADY_SUSPENDED.`,
  payload: object({ merchantId: MerchantId, reason: Reason }),
});

export const resumeMerchant = defineCommand({
  type: 'payments.ResumeMerchant.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['NOT_ONBOARDED', 'NOT_SUSPENDED'],
  description: `Registry: resumes a suspended merchant. ${STAFF} Accepted data: the merchant. Key: merchantId. Codes: NOT_ONBOARDED, NOT_SUSPENDED.`,
  payload: object({ merchantId: MerchantId }),
});

export const issueMerchantApiKey = defineCommand({
  type: 'payments.IssueMerchantApiKey.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['NOT_ONBOARDED', 'TOO_MANY_API_KEYS'],
  description:
    `Registry: issues an API key for the merchant API. Only the key's keyed hash is recorded; the key itself is in the answer once, sealed for the gateway (secretAad merchantApiKey). ${STAFF} ` +
    'Accepted data: merchantId, keyId, apiKey (sealed). Key: merchantId. Codes: NOT_ONBOARDED, TOO_MANY_API_KEYS (5 live keys at most).',
  payload: object({ merchantId: MerchantId }),
});

export const revokeMerchantApiKey = defineCommand({
  type: 'payments.RevokeMerchantApiKey.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['NOT_ONBOARDED', 'API_KEY_NOT_FOUND'],
  description: `Registry: revokes one of a merchant's API keys at once. ${STAFF} Accepted data: merchantId, keyId. Key: merchantId. Codes: NOT_ONBOARDED, API_KEY_NOT_FOUND.`,
  payload: object({ merchantId: MerchantId, keyId: Type.String({ pattern: '^[a-z0-9]{12}$' }) }),
});

export const onboardBiller = defineCommand({
  type: 'payments.OnboardBiller.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['ALREADY_ONBOARDED'],
  description: `Registry: onboards a biller (stream registry-biller.<billerId>); exactAmount: its bills must be paid exactly (utilities), else any amount (phone top-ups). ${STAFF} Accepted data: the biller. Key: billerId. Codes: ALREADY_ONBOARDED.`,
  payload: object({
    billerId: BillerId,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    category: Type.Union([Type.Literal('electricity'), Type.Literal('water'), Type.Literal('gas'), Type.Literal('phone')]),
    exactAmount: Type.Boolean(),
  }),
});

export const suspendBiller = defineCommand({
  type: 'payments.SuspendBiller.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['NOT_ONBOARDED', 'ALREADY_SUSPENDED'],
  description: `Registry: suspends a biller: new bill payments to it fail as to an unknown biller until it is resumed. ${STAFF} Accepted data: the biller. Key: billerId. Codes: NOT_ONBOARDED, ALREADY_SUSPENDED.`,
  payload: object({ billerId: BillerId, reason: Reason }),
});

export const resumeBiller = defineCommand({
  type: 'payments.ResumeBiller.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: ['NOT_ONBOARDED', 'NOT_SUSPENDED'],
  description: `Registry: resumes a suspended biller. ${STAFF} Accepted data: the biller. Key: billerId. Codes: NOT_ONBOARDED, NOT_SUSPENDED.`,
  payload: object({ billerId: BillerId }),
});

export const listPartners = defineCommand({
  type: 'payments.ListPartners.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'supervisor', 'anonymous'], internal: ['system'] },
  rejects: [],
  description:
    'Query: the merchants that take the wallet (merchantId, name, channels) and the billers that take payments (billerId, name, category, exactAmount), as the registry stands; ' +
    'a supervisor also sees suspended ones (suspended: true) and each merchant’s settlement and settlement account. Accepted data: merchants[], billers[]. Key: "registry".',
  payload: object({}),
});

export const lookUpBill = defineCommand({
  type: 'payments.LookUpBill.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['BILLER_NOT_SUPPORTED', 'BILL_NOT_FOUND', 'BILLER_UNAVAILABLE'],
  description:
    'Query: asks the biller what a bill (or a phone number to top up) is due, before paying it. Actor user:<userId>. Accepted data: billerId, found, amountDueMinor? (absent: any amount), exactAmount. ' +
    'Key: billerId. Codes: BILLER_NOT_SUPPORTED (unknown or suspended), BILL_NOT_FOUND, BILLER_UNAVAILABLE (no answer: try again).',
  payload: object({
    billerId: BillerId,
    billReference: Type.String({
      pattern: ENCRYPTED_FIELD_PATTERN,
      maxLength: 4096,
      description: 'the bill reference, encrypted for payments (secretAad billReference)',
    }),
  }),
});

export const authenticateMerchant = defineCommand({
  type: 'payments.AuthenticateMerchant.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['MERCHANT_KEY_INVALID'],
  description:
    'Merchant API: checks that apiKey (sealed for payments at the edge, secretAad merchantApiKey) is a live API key of the merchant and that the merchant is not suspended. ' +
    'The gateway asks before it acts as merchant:<merchantId> on the merchant routes. Accepted data: merchantId, keyId. Key: merchantId. Codes: MERCHANT_KEY_INVALID.',
  payload: object({ merchantId: MerchantId, apiKey: SealedApiKey }),
});

export const listMerchantPayments = defineCommand({
  type: 'payments.ListMerchantPayments.v1',
  context: CONTEXT,
  senders: { gateway: ['merchant'], internal: ['system'] },
  rejects: [],
  description:
    `Merchant API query: the merchant's payments and its refunds (once granted), newest first, from the read model (eventually consistent). ${MERCHANT} ` +
    'limit 1..100 (default 20); before = the nextCursor of the previous page. Accepted data: merchantId, payments[] (paymentId, kind merchant|refund, amountMinor, status, failureCode?, createdAt, updatedAt), nextCursor?. ' +
    'Key: merchantId. Codes: FORBIDDEN (another merchant), INVALID_COMMAND (a malformed cursor).',
  payload: object({
    merchantId: MerchantId,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    before: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  }),
});
