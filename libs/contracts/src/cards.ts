/**
 * The cards context's public contract: its command payload schemas (what arrives on
 * `cards.commands`) and the events it publishes on `cards.events` that other contexts consume.
 *
 * The full card number, the holder's name and the reserved phone never travel in plain text: the
 * edge (the gateway) encrypts each (the card number here as the example) with the
 * field keyring (AES-256-GCM with a key id, `@ledger/crypto` `encryptField`) and the associated data
 * `secretAad('cardNumber')`, so the ciphertext cannot be replayed as another field. The cards
 * service decrypts it only in memory. The payment password of UnbindCard is encrypted for the
 * identity service (associated data `identity:paymentPassword`, see `identityContract.secretAad`):
 * the cards service forwards it unopened to `identity.VerifyPaymentPassword.v1`. So is the
 * optional second-factor code of BindCard and UnbindCard (`identity:secondFactorCode`), forwarded
 * unopened to `identity.VerifySecondFactor.v1` and `identity.VerifyPaymentPassword.v1`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ENCRYPTED_FIELD_PATTERN, defineCommand } from './command';
import { SECOND_FACTOR_REJECTS } from './identity-fields';

export const CONTEXT = 'cards';

export type SecretField = 'cardNumber' | 'holderName' | 'reservedPhone';

/** The associated data an encrypted cards field is bound to, e.g. `cards:cardNumber`. */
export function secretAad(field: SecretField): string {
  return `cards:${field}`;
}

/**
 * A secret field, never plaintext: sealed for this context's public key by the gateway
 * (`seal:v1:…`, see `@ledger/crypto` sealField) or encrypted with the services' field keyring
 * (`enc:v1:<kid>:<iv>:<ciphertext>:<tag>`) by another service.
 */
export const EncryptedString = (description: string) => Type.String({ pattern: ENCRYPTED_FIELD_PATTERN, maxLength: 4096, description });

const UserId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
const CardId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' });
const Instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', description: 'ISO-8601 UTC instant' });

const strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });

/** A user with the second factor on proves it to bind or unbind a card: the code is identity's to check, so it travels encrypted for identity. */
const SecondFactorCode = Type.Optional(
  EncryptedString(
    'TOTP code, or one of the one-time recovery codes (xxxxx-xxxxx), encrypted for identity (associated data identity:secondFactorCode); forwarded unopened',
  ),
);
/** How identity's second-factor refusals reach the caller of a card command. */
const SECOND_FACTOR_REFUSALS =
  "identity's second-factor codes unchanged when the user's factor is on (SECOND_FACTOR_REQUIRED without secondFactorCode, INVALID_SECOND_FACTOR with attemptsLeft, SECOND_FACTOR_LOCKED)";

// ---------------------------------------------------------------- commands (key = userId)

export const bindCard = defineCommand({
  type: 'cards.BindCard.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'NOT_CARD_OWNER',
    'INVALID_INPUT',
    'INVALID_CARD_NUMBER',
    'CARD_NOT_SUPPORTED',
    'CARD_EXPIRED',
    'CARD_BLOCKED',
    'CARD_HOLDER_MISMATCH',
    'RESERVED_PHONE_MISMATCH',
    'CARD_ALREADY_BOUND',
    'CARD_BOUND_TO_ANOTHER_USER',
    'TOO_MANY_CARDS',
    'CARD_BINDING_IN_PROGRESS',
    'ISSUER_UNAVAILABLE',
    'IDENTITY_UNAVAILABLE',
    'USER_NOT_FOUND',
    ...SECOND_FACTOR_REJECTS,
  ],
  description:
    'Binds an ICBC bank card to the user (actor user:<userId>). The first card becomes the default. Key: userId. ' +
    'Identity checks the second factor first (identity.VerifySecondFactor.v1, after the number and the card count were checked, before the issuer is asked). ' +
    'Accepted data: cardId, maskedNumber, last4, issuer, cardType, isDefault. ' +
    'Rejects NOT_CARD_OWNER, INVALID_INPUT, INVALID_CARD_NUMBER, CARD_NOT_SUPPORTED, CARD_EXPIRED, CARD_BLOCKED, CARD_HOLDER_MISMATCH, RESERVED_PHONE_MISMATCH, ' +
    'CARD_ALREADY_BOUND, CARD_BOUND_TO_ANOTHER_USER, TOO_MANY_CARDS, CARD_BINDING_IN_PROGRESS, ISSUER_UNAVAILABLE, IDENTITY_UNAVAILABLE (the second factor could not be checked; nothing changed), ' +
    `USER_NOT_FOUND, ${SECOND_FACTOR_REFUSALS}.`,
  payload: strict({
    userId: UserId,
    cardNumber: EncryptedString('the full card number, 16–19 digits (spaces allowed), encrypted with associated data cards:cardNumber'),
    holderName: EncryptedString(
      'the card holder’s name as the bank knows it (1–100 characters), encrypted with associated data cards:holderName',
    ),
    reservedPhone: EncryptedString(
      'the mobile number reserved with the bank for this card (预留手机号), encrypted with associated data cards:reservedPhone',
    ),
    secondFactorCode: SecondFactorCode,
  }),
});

export const unbindCard = defineCommand({
  type: 'cards.UnbindCard.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'NOT_CARD_OWNER',
    'CARD_NOT_FOUND',
    'IDENTITY_UNAVAILABLE',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
    'PAYMENT_PASSWORD_NOT_SET',
    'ACCOUNT_FROZEN',
    'USER_NOT_FOUND',
    'INVALID_INPUT',
    ...SECOND_FACTOR_REJECTS,
  ],
  description:
    'Unbinds a card after identity verified the payment password and, when the user has the second factor on, secondFactorCode (actor user:<userId>). ' +
    'Unbinding the default card moves the default to another active card. Key: userId. ' +
    'Accepted data: cardId, remainingCards, defaultCardId, lastCardOfOpenWallet. ' +
    "Rejects NOT_CARD_OWNER, CARD_NOT_FOUND, IDENTITY_UNAVAILABLE, and identity's codes unchanged: WRONG_PAYMENT_PASSWORD (attemptsLeft), PAYMENT_PASSWORD_LOCKED (lockedUntil), " +
    `PAYMENT_PASSWORD_NOT_SET, ACCOUNT_FROZEN, USER_NOT_FOUND, FORBIDDEN, INVALID_INPUT, ${SECOND_FACTOR_REFUSALS}.`,
  payload: strict({
    userId: UserId,
    cardId: CardId,
    paymentPassword: EncryptedString('6 digits, encrypted for identity (associated data identity:paymentPassword); forwarded unopened'),
    secondFactorCode: SecondFactorCode,
  }),
});

export const setDefaultCard = defineCommand({
  type: 'cards.SetDefaultCard.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['NOT_CARD_OWNER', 'CARD_NOT_FOUND', 'CARD_SUSPENDED'],
  description:
    'Chooses the default card (actor user:<userId>). Key: userId. Accepted data: defaultCardId. Rejects NOT_CARD_OWNER, CARD_NOT_FOUND, CARD_SUSPENDED.',
  payload: strict({ userId: UserId, cardId: CardId }),
});

export const listCards = defineCommand({
  type: 'cards.ListCards.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'] },
  rejects: ['NOT_CARD_OWNER'],
  description:
    "Query: the user's cards with masked numbers only (**** **** **** 1234), from the read model (eventually consistent). Actor user:<userId>, support:<id> or system:<service>. Key: userId. " +
    'Accepted data: userId, defaultCardId, cards[{ cardId, maskedNumber, last4, issuer, cardType, holderNameMasked, expiresOn, status, isDefault, boundAt }]. Rejects NOT_CARD_OWNER.',
  payload: strict({ userId: UserId }),
});

export const checkCard = defineCommand({
  type: 'cards.CheckCard.v1',
  context: CONTEXT,
  senders: { payments: ['system'] },
  rejects: ['NOT_CARD_OWNER', 'CARD_NOT_FOUND', 'CARD_EXPIRED', 'CARD_BLOCKED', 'ISSUER_UNAVAILABLE'],
  description:
    'Asks the issuer whether a bound card can be used now (payments, before charging or paying out; actor system:<service> or user:<owner>). ' +
    'An expired or blocked card is suspended (cards.CardSuspended.v1); a suspended card the issuer reports active again is reinstated. ' +
    'userId is optional: without it the owner is found in the read model. Key: userId (or cardId). ' +
    'Accepted data: userId, cardId, status "active", cardToken, last4, issuer, cardType. Rejects NOT_CARD_OWNER, CARD_NOT_FOUND, CARD_EXPIRED, CARD_BLOCKED (details.suspended), ISSUER_UNAVAILABLE.',
  payload: strict({ cardId: CardId, userId: Type.Optional(UserId) }),
});

export const COMMANDS = [bindCard, unbindCard, setDefaultCard, listCards, checkCard] as const;

/**
 * Stable rejection codes the cards service answers with, besides the transport's (`INVALID_COMMAND`,
 * `UNKNOWN_COMMAND`, `PROCESSING_FAILED`, `TIMEOUT`) and identity's codes passed through by
 * BindCard and UnbindCard. The meaning of each is in apps/cards/README.md.
 */
export const ERROR_CODES = [
  'INVALID_CARD_NUMBER',
  'CARD_NOT_SUPPORTED',
  'CARD_EXPIRED',
  'CARD_BLOCKED',
  'CARD_HOLDER_MISMATCH',
  'RESERVED_PHONE_MISMATCH',
  'CARD_ALREADY_BOUND',
  'CARD_BOUND_TO_ANOTHER_USER',
  'TOO_MANY_CARDS',
  'CARD_NOT_FOUND',
  'NOT_CARD_OWNER',
  'CARD_SUSPENDED',
  'CARD_BINDING_IN_PROGRESS',
  'ISSUER_UNAVAILABLE',
  'IDENTITY_UNAVAILABLE',
  'INVALID_INPUT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

// ---------------------------------------------------------------- published events (cards.events)

/**
 * The events other contexts follow. Message key = the stream id (`cards-<userId>`), value = the data,
 * metadata in headers (message-id = event id, for dedupe). Every event carries `userId` and
 * `cardId`. Neither the card number nor its fingerprint nor the issuer's token is published:
 * payments obtain the token from `cards.CheckCard.v1` right before they use a card. Consumers should
 * ignore fields they do not know.
 */
export const EVENT_TYPES = {
  CardBound: 'cards.CardBound.v1',
  CardUnbound: 'cards.CardUnbound.v1',
  DefaultCardChanged: 'cards.DefaultCardChanged.v1',
  CardSuspended: 'cards.CardSuspended.v1',
  CardReinstated: 'cards.CardReinstated.v1',
} as const;

const loose = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: true });
const CardType = Type.Union([Type.Literal('debit'), Type.Literal('credit')]);

export const CardBoundData = loose({
  userId: Type.String(),
  cardId: Type.String(),
  last4: Type.String({ pattern: '^\\d{4}$' }),
  issuer: Type.String(),
  cardType: CardType,
  holderNameMasked: Type.String({ description: 'e.g. *三' }),
  expiresOn: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
  boundAt: Instant,
});

export const CardUnboundData = loose({
  userId: Type.String(),
  cardId: Type.String(),
  last4: Type.String({ pattern: '^\\d{4}$' }),
  wasDefault: Type.Boolean(),
  remainingCards: Type.Integer({ minimum: 0 }),
  lastCardOfOpenWallet: Type.Boolean(),
  unboundAt: Instant,
});

export const DefaultCardChangedData = loose({
  userId: Type.String(),
  cardId: Type.String(),
  previousCardId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([
    Type.Literal('first_card'),
    Type.Literal('chosen_by_user'),
    Type.Literal('default_unbound'),
    Type.Literal('default_suspended'),
    Type.Literal('card_reinstated'),
  ]),
  changedAt: Instant,
});

export const CardSuspendedData = loose({
  userId: Type.String(),
  cardId: Type.String(),
  reason: Type.Union([Type.Literal('expired'), Type.Literal('blocked')]),
  suspendedAt: Instant,
});

export const CardReinstatedData = loose({ userId: Type.String(), cardId: Type.String(), reinstatedAt: Instant });

export const PUBLISHED_EVENTS: Readonly<Record<(typeof EVENT_TYPES)[keyof typeof EVENT_TYPES], TSchema>> = {
  [EVENT_TYPES.CardBound]: CardBoundData,
  [EVENT_TYPES.CardUnbound]: CardUnboundData,
  [EVENT_TYPES.DefaultCardChanged]: DefaultCardChangedData,
  [EVENT_TYPES.CardSuspended]: CardSuspendedData,
  [EVENT_TYPES.CardReinstated]: CardReinstatedData,
};

export type CardBoundData = Static<typeof CardBoundData>;
export type CardUnboundData = Static<typeof CardUnboundData>;
export type DefaultCardChangedData = Static<typeof DefaultCardChangedData>;
export type CardSuspendedData = Static<typeof CardSuspendedData>;
export type CardReinstatedData = Static<typeof CardReinstatedData>;
