import { Type, type TSchema } from '@sinclair/typebox';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The HTTP request and response bodies, as TypeBox schemas: validated at run time by `validate`
 * and rendered into the OpenAPI document by `openApiSchema`, so the two cannot disagree. Secrets
 * arrive here in plain text over TLS and leave only field-encrypted.
 */
const strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description === undefined ? {} : { description }) });

export const Phone = Type.String({
  minLength: 11,
  maxLength: 20,
  pattern: '^[+0-9 -]{11,20}$',
  description: 'mainland mobile number, e.g. 13812345678',
  examples: ['13812345678'],
});
const SmsCode = (description: string) => Type.String({ pattern: '^[0-9]{6}$', description });
const LoginPassword = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
const PaymentPassword = (description: string) => Type.String({ pattern: '^[0-9]{6}$', description });
const SecondFactorCode = Type.Optional(
  Type.String({ pattern: '^[0-9]{6}$', description: 'current TOTP code, when the second factor is enabled' }),
);
const DeviceId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'stable id of the app installation',
});
const Reason = Type.String({ minLength: 1, maxLength: 500 });
const Reference = Type.String({ minLength: 1, maxLength: 200, description: 'ticket or call recording id proving the caller was verified' });

export const UserIdParam = Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' });
export const CardIdParam = Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' });

export const VerificationCodeRequest = strict({
  phone: Phone,
  purpose: Type.Union([
    Type.Literal('registration'),
    Type.Literal('payment_password_reset'),
    Type.Literal('login_step_up'),
    Type.Literal('unfreeze'),
  ]),
});

export const RegisterRequest = strict({
  phone: Phone,
  code: SmsCode('the registration SMS code'),
  loginPassword: LoginPassword('8–20 letters and digits, not trivially guessable'),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  idNumber: Type.Optional(
    Type.String({ pattern: '^[0-9]{17}[0-9Xx]$', description: '18-character resident ID number (for a verified wallet)' }),
  ),
  deviceId: Type.Optional(DeviceId),
});

export const LoginRequest = strict({
  phone: Phone,
  loginPassword: LoginPassword('the login password'),
  deviceId: DeviceId,
  stepUpCode: Type.Optional(SmsCode('login_step_up SMS code, needed on a new device (answer STEP_UP_REQUIRED)')),
  secondFactorCode: SecondFactorCode,
});

const RefreshToken = Type.String({ minLength: 1, maxLength: 512, description: 'the refresh token from login or from the last refresh' });
export const RefreshSessionRequest = strict({ refreshToken: RefreshToken });
export const EndSessionRequest = strict({ refreshToken: RefreshToken });

export const SetPaymentPasswordRequest = strict({
  paymentPassword: PaymentPassword('6 digits, no repeats or runs'),
  secondFactorCode: SecondFactorCode,
});
export const ChangePaymentPasswordRequest = strict({
  paymentPassword: PaymentPassword('the current payment password'),
  newPaymentPassword: PaymentPassword('6 digits, no repeats or runs'),
  secondFactorCode: SecondFactorCode,
});
export const ResetPaymentPasswordRequest = strict({
  phone: Phone,
  code: SmsCode('payment_password_reset SMS code'),
  newPaymentPassword: PaymentPassword('6 digits, no repeats or runs'),
  secondFactorCode: SecondFactorCode,
});
export const ChangeLoginPasswordRequest = strict({
  loginPassword: LoginPassword('the current login password'),
  newLoginPassword: LoginPassword('8–20 letters and digits'),
  secondFactorCode: SecondFactorCode,
});
export const FreezeRequest = strict({ reason: Reason });
export const UserUnfreezeRequest = strict({
  code: SmsCode('unfreeze SMS code'),
  paymentPassword: PaymentPassword('the payment password'),
  secondFactorCode: SecondFactorCode,
});
export const SupportUnfreezeRequest = strict({ verificationReference: Reference });
export const SupportResetSecondFactorRequest = strict({ verificationReference: Reference });
export const EnableSecondFactorRequest = strict({}, 'no fields');
export const DisableSecondFactorRequest = strict({
  secondFactorCode: Type.String({ pattern: '^[0-9]{6}$', description: 'a current TOTP code of the authenticator' }),
  paymentPassword: PaymentPassword('the payment password'),
});
export const StaffLoginRequest = strict({
  agentId: Type.String({
    pattern: '^[A-Za-z0-9-]{1,64}$',
    description: 'the agent id from the staff registry (IDENTITY_STAFF, held by identity)',
  }),
  password: Type.String({ minLength: 1, maxLength: 128, description: "the agent's password" }),
  totpCode: Type.String({ pattern: '^[0-9]{6}$', description: "the current code of the agent's authenticator (mandatory for staff)" }),
});

export const BindCardRequest = strict({
  cardNumber: Type.String({ pattern: '^[0-9][0-9 ]{14,22}[0-9]$', description: 'full ICBC card number, 16–19 digits, spaces allowed' }),
  holderName: Type.String({ minLength: 1, maxLength: 100 }),
  reservedPhone: Phone,
});
export const UnbindCardRequest = strict({ paymentPassword: PaymentPassword('the payment password') });

// ---------------------------------------------------------------- responses (documentation)

const loose = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: true });
const Instant = Type.String({ description: 'ISO-8601 instant' });
const Amount = Type.String({ pattern: '^(0|-?[1-9][0-9]*)$', description: 'amount in fen as a decimal string ("12345" = 123.45 CNY)' });

export const VerificationCodeResponse = loose({
  codeId: Type.String(),
  expiresAt: Instant,
  resendAllowedAt: Instant,
  maskedPhone: Type.String(),
});
export const RegisterResponse = loose({
  userId: Type.String(),
  maskedPhone: Type.String(),
  identityLevel: Type.String(),
  registeredAt: Instant,
});
export const LoginResponse = loose({
  userId: Type.String(),
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String({
    description: 'EdDSA JWT from identity (issuer ledger-identity, audience ledger-app-api); send as Authorization: Bearer <token>',
  }),
  accessTokenExpiresAt: Instant,
  refreshToken: Type.String(),
  refreshTokenExpiresAt: Instant,
  newDevice: Type.Boolean(),
  frozen: Type.Boolean(),
});
export const RefreshSessionResponse = loose({
  userId: Type.String(),
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String({
    description: 'EdDSA JWT from identity (issuer ledger-identity, audience ledger-app-api); send as Authorization: Bearer <token>',
  }),
  accessTokenExpiresAt: Instant,
  refreshToken: Type.String({ description: 'the next refresh token; the one sent is now retired' }),
  refreshTokenExpiresAt: Instant,
});
export const EndSessionResponse = loose({ ended: Type.Literal(true) });
export const SecondFactorEnabledResponse = loose({
  userId: Type.String(),
  provisioningUri: Type.String({ description: 'otpauth:// URI for the authenticator app (show it as a QR code); returned only this once' }),
});
export const StaffLoginResponse = loose({
  agentId: Type.String(),
  role: Type.Union([Type.Literal('support'), Type.Literal('teller'), Type.Literal('supervisor')]),
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String({
    description:
      "EdDSA JWT from the staff issuer (ledger-staff, audience ledger-staff-api) with the agent's role; send as Authorization: Bearer <token>",
  }),
  accessTokenExpiresAt: Instant,
});
export const UserResponse = loose({ userId: Type.String() });
export const FreezeResponse = loose({ userId: Type.String(), frozenAt: Instant });
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

export const ProblemDetails = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'for people; never parse it' }),
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'stable code: branch on it' }),
    instance: Type.Optional(Type.String()),
    details: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'facts that go with the code (attemptsLeft, retryAfterMs, errors…)' }),
    ),
  },
  { description: 'RFC 9457 Problem Details (application/problem+json)' },
);

/** A TypeBox schema as a plain OpenAPI 3.1 (JSON Schema 2020-12) schema object: TypeBox's symbol keys dropped. */
export function openApiSchema(schema: TSchema): SchemaObject {
  return JSON.parse(JSON.stringify(schema)) as SchemaObject;
}

export const OpenWalletRequest = strict({}, 'no fields; the tier starts as configured for the identity level');

// ---------------------------------------------------------------- payments

/** Amounts in requests: positive fen as a decimal string (no sign, no fraction, no leading zero). */
const PositiveAmount = Type.String({
  pattern: '^[1-9][0-9]{0,17}$',
  description: 'positive amount in fen as a decimal string ("12345" = 123.45 CNY)',
  examples: ['2500'],
});
/** The client's payment id: the idempotency key. The same id with the same body returns the first outcome. */
export const PaymentIdField = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$',
  description:
    'client-generated payment id (e.g. a UUID): the idempotency key. Resend the same body with the same id after a timeout; another body with the same id → 409 IDEMPOTENCY_KEY_REUSED',
  examples: ['3f1c7a2e-4b1d-4f7e-9a51-0d2c8e6b9f10'],
});
export const PaymentIdParam = PaymentIdField;
const Code64 = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description });
const CardIdField = Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$', description: 'a bound card of mine (GET /users/{userId}/cards)' });
const Description = Type.Optional(Type.String({ maxLength: 256 }));
const PaymentStepUpCode = Type.Optional(
  Type.String({
    pattern: '^[0-9]{6}$',
    description:
      'login_step_up SMS code, for the first payment above the threshold from a new device (answer STEP_UP_REQUIRED); verified by identity (one use), after which the device is known',
  }),
);

export const PayMerchantRequest = strict({
  paymentId: PaymentIdField,
  merchantId: Code64('merchant id, e.g. m-canteen'),
  channel: Type.Union([Type.Literal('online'), Type.Literal('qr'), Type.Literal('pos')], {
    description: 'online, offline QR code or POS terminal',
  }),
  amountMinor: PositiveAmount,
  description: Description,
  paymentPassword: PaymentPassword('the payment password'),
  stepUpCode: PaymentStepUpCode,
});
export const CardTopUpRequest = strict({ paymentId: PaymentIdField, cardId: CardIdField, amountMinor: PositiveAmount });
export const ProviderTopUpRequest = strict({
  paymentId: PaymentIdField,
  provider: Type.Union([Type.Literal('alipay'), Type.Literal('wechat')]),
  amountMinor: PositiveAmount,
});
export const TransferRequest = strict({
  paymentId: PaymentIdField,
  recipientPhone: Phone,
  amountMinor: PositiveAmount,
  description: Description,
  paymentPassword: PaymentPassword('the payment password'),
  stepUpCode: PaymentStepUpCode,
});
export const BillPaymentRequest = strict({
  paymentId: PaymentIdField,
  billerId: Code64('biller id: b-power, b-water, b-mobile'),
  billReference: Type.String({ minLength: 1, maxLength: 64, description: 'the account or bill number at the biller' }),
  amountMinor: PositiveAmount,
  paymentPassword: PaymentPassword('the payment password'),
  stepUpCode: PaymentStepUpCode,
});
export const WithdrawalRequest = strict({
  paymentId: PaymentIdField,
  cardId: CardIdField,
  amountMinor: PositiveAmount,
  paymentPassword: PaymentPassword('the payment password'),
  stepUpCode: PaymentStepUpCode,
});
export const CounterTopUpRequest = strict({
  paymentId: PaymentIdField,
  branchId: Code64('the branch where the cash was paid in'),
  amountMinor: PositiveAmount,
});
export const CounterTopUpApprovalRequest = strict({});
export const CounterTopUpRejectionRequest = strict({
  reason: Type.String({ minLength: 1, maxLength: 256, description: 'why the cash is handed back (recorded)' }),
});
export const ProviderCallbackRequest = strict({
  paymentId: PaymentIdField,
  provider: Type.Union([Type.Literal('alipay'), Type.Literal('wechat')]),
  providerReference: Type.String({ minLength: 1, maxLength: 128 }),
  amountMinor: PositiveAmount,
  signature: Type.String({
    pattern: '^[0-9a-f]{64}$',
    description: 'hex HMAC-SHA256(provider secret, "<provider>|<paymentId>|<providerReference>|<amountMinor>")',
  }),
});
export const MaintenanceRequest = Type.Union(
  [
    strict({
      on: Type.Literal(true),
      until: Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
        description: 'end of the window (ISO-8601)',
      }),
      message: Type.String({ minLength: 1, maxLength: 500 }),
    }),
    strict({ on: Type.Literal(false) }),
  ],
  { description: 'open a maintenance window (registration answers 503 SYSTEM_MAINTENANCE until `until`) or close it' },
);

const Posting = Type.Object({ account: Type.String(), amountMinor: Amount });
export const PaymentResponse = loose({
  paymentId: Type.String(),
  status: Type.String({
    description:
      'completed; pending (not known yet: GET the payment or resend); awaiting_provider (provider top-up); awaiting_approval (counter top-up above the threshold, until approvalDeadline); failed (a rejection recorded)',
  }),
  transactionIds: Type.Optional(Type.Array(Type.String())),
  postings: Type.Optional(Type.Array(Posting, { description: 'double-entry postings of the ledger, summing to 0' })),
});
export const PaymentStatusResponse = loose({
  paymentId: Type.String(),
  kind: Type.String(),
  status: Type.String(),
  amountMinor: Amount,
  failure: Type.Optional(loose({ code: Type.String(), message: Type.String() })),
  transactionIds: Type.Optional(Type.Array(Type.String())),
  postings: Type.Optional(Type.Array(Posting)),
});
export const MaintenanceResponse = loose({
  on: Type.Boolean(),
  until: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  message: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const ListPaymentsQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^([1-9]|[1-9][0-9]|100)$', description: '1..100, default 20' })),
    before: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
export const AgentIdParam = Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' });
export const StaffActionListResponse = loose({
  agentId: Type.String(),
  actions: Type.Array(
    loose({
      action: Type.String({
        description: 'the event type, e.g. identity.AccountFrozen.v1, payments.CounterTopUpApproved.v1, identity.StaffLoginFailed.v1',
      }),
      role: Type.String({ description: 'support, teller or supervisor (the role acted in), or login (a login attempt)' }),
      stream: Type.String({ description: 'what was acted on, e.g. user-<userId>, payment-<paymentId>, staff-<agentId>' }),
      subjectUserId: Type.Optional(Type.String()),
      occurredAt: Instant,
      commandId: Type.Optional(Type.String()),
    }),
  ),
  nextCursor: Type.Optional(Type.String({ description: 'the before of the next page' })),
});
export const PaymentListResponse = loose({
  userId: Type.String(),
  payments: Type.Array(
    loose({
      paymentId: Type.String(),
      kind: Type.String(),
      amountMinor: Amount,
      counterparty: Type.String({ description: 'merchant, biller, card, provider, branch or the masked recipient phone' }),
      status: Type.String({ description: 'pending, completed or failed' }),
      failureCode: Type.Optional(Type.String()),
      createdAt: Instant,
      updatedAt: Instant,
    }),
  ),
  nextCursor: Type.Optional(Type.String()),
});
export const SupportAccessResponse = loose({
  userId: Type.String(),
  entries: Type.Array(
    loose({
      agentId: Type.String({ description: 'the support agent who looked' }),
      userId: Type.String(),
      viewed: loose({
        kind: Type.String({
          description: '"list" (the payment list, with its page parameters limit? and before?) or "payment" (one payment, paymentId)',
        }),
        limit: Type.Optional(Type.Integer()),
        before: Type.Optional(Type.String()),
        paymentId: Type.Optional(Type.String()),
      }),
      at: Instant,
    }),
  ),
  nextCursor: Type.Optional(Type.String()),
});
