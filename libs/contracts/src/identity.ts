/**
 * The identity context's public contract: its command payload schemas (what arrives on
 * `identity.commands`) and the events it publishes on `identity.events` that other contexts consume.
 *
 * Secret fields (passwords, SMS and dynamic codes, the ID card number) never travel in plain text:
 * the edge (the gateway) encrypts each one with the field keyring (AES-256-GCM with a key id, see
 * `@ledger/crypto` `encryptField`) and the associated data `secretAad(field)`, so a ciphertext made
 * for one field cannot be replayed as another. The identity service decrypts them only in memory.
 * Results that carry secrets (tokens, the second-factor provisioning URI) are encrypted the same way.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ENCRYPTED_FIELD_PATTERN, defineCommand } from './command';

export const CONTEXT = 'identity';

/** The associated data an encrypted identity field is bound to, e.g. `identity:loginPassword`. */
export function secretAad(field: SecretField): string {
  return `identity:${field}`;
}

export type SecretField =
  | 'phone'
  | 'name'
  | 'code'
  | 'loginPassword'
  | 'newLoginPassword'
  | 'paymentPassword'
  | 'newPaymentPassword'
  | 'idNumber'
  | 'secondFactorCode'
  | 'stepUpCode'
  | 'accessToken'
  | 'refreshToken'
  | 'provisioningUri'
  | 'staffPassword'
  | 'staffAuthenticatorCode'
  | 'staffClientAddress';

/**
 * A secret field, never plaintext: sealed for this context's public key by the gateway
 * (`seal:v1:…`, see `@ledger/crypto` sealField) or encrypted with the services' field keyring
 * (`enc:v1:<kid>:<iv>:<ciphertext>:<tag>`) by another service.
 */
export const EncryptedString = (description: string) => Type.String({ pattern: ENCRYPTED_FIELD_PATTERN, maxLength: 4096, description });

const UserId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
/**
 * A mainland China mobile number (`+86`, spaces and dashes are tolerated and normalized), encrypted
 * for identity like every personal field: a number never travels in clear on the bus.
 */
const Phone = EncryptedString('the mobile number, e.g. 13812345678, encrypted for identity (field phone)');
const DeviceId = Type.String({ minLength: 1, maxLength: 128 });
// A pattern rather than `format: 'date-time'`: TypeBox checks formats only once registered.
const Instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', description: 'ISO-8601 UTC instant' });

export const VerificationPurpose = Type.Union([Type.Literal('registration'), Type.Literal('payment_password_reset'), Type.Literal('login_step_up'), Type.Literal('unfreeze')]);
export type VerificationPurpose = Static<typeof VerificationPurpose>;

export const PaymentPasswordPurpose = Type.Union([
  Type.Literal('payment'),
  Type.Literal('transfer'),
  Type.Literal('bill_payment'),
  Type.Literal('top_up'),
  Type.Literal('withdrawal'),
  Type.Literal('bind_card'),
  Type.Literal('unbind_card'),
  Type.Literal('change_payment_password'),
  Type.Literal('unfreeze'),
  Type.Literal('disable_second_factor'),
]);
export type PaymentPasswordPurpose = Static<typeof PaymentPasswordPurpose>;

const RiskSignal = Type.Union([
  Type.Literal('repeated_login_failures'),
  Type.Literal('payment_password_locked'),
  Type.Literal('second_factor_locked'),
  Type.Literal('suspicious_login'),
  Type.Literal('suspicious_transactions'),
]);
const RiskSeverity = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);

const strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: false });

// ---------------------------------------------------------------- commands (key = a keyed hash of the phone, or userId)

export const requestVerificationCode = defineCommand({
  type: 'identity.RequestVerificationCode.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['RESEND_TOO_SOON', 'TOO_MANY_CODES', 'PHONE_ALREADY_REGISTERED', 'USER_NOT_FOUND', 'INVALID_INPUT'],
  description:
    'Sends a 6-digit SMS code for a purpose; a resend after the cooldown replaces the previous code. Key: a keyed hash of the phone (messageKeyOf), never the number. ' +
    'Rejects RESEND_TOO_SOON, TOO_MANY_CODES, PHONE_ALREADY_REGISTERED (registration), USER_NOT_FOUND (other purposes), INVALID_INPUT.',
  payload: strict({ phone: Phone, purpose: VerificationPurpose }),
});

export const registerUser = defineCommand({
  type: 'identity.RegisterUser.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['USER_ALREADY_EXISTS', 'PHONE_ALREADY_REGISTERED', 'INVALID_CODE', 'CODE_EXPIRED', 'CODE_ATTEMPTS_EXHAUSTED', 'CODE_ALREADY_USED', 'CODE_NOT_REQUESTED', 'WEAK_PASSWORD', 'SYSTEM_MAINTENANCE', 'INVALID_INPUT'],
  description:
    'Opens an identity with a phone, its registration code and a login password (+ ID number for a verified wallet). Key: a keyed hash of the phone (messageKeyOf), never the number. ' +
    'Rejects PHONE_ALREADY_REGISTERED, INVALID_CODE, CODE_EXPIRED, CODE_ATTEMPTS_EXHAUSTED, CODE_ALREADY_USED, CODE_NOT_REQUESTED, WEAK_PASSWORD, SYSTEM_MAINTENANCE, INVALID_INPUT.',
  payload: strict({
    phone: Phone,
    code: EncryptedString('the registration SMS code'),
    loginPassword: EncryptedString('8–20 letters and digits'),
    name: EncryptedString('the holder’s name (1–100 characters), encrypted for identity (field name)'),
    idNumber: Type.Optional(EncryptedString('18-character resident ID number')),
    deviceId: Type.Optional(DeviceId),
  }),
});

export const login = defineCommand({
  type: 'identity.Login.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['INVALID_CREDENTIALS', 'LOGIN_LOCKED', 'STEP_UP_REQUIRED', 'INVALID_CODE', 'SECOND_FACTOR_REQUIRED', 'INVALID_SECOND_FACTOR', 'SECOND_FACTOR_LOCKED', 'INVALID_INPUT', 'CODE_EXPIRED', 'CODE_ATTEMPTS_EXHAUSTED', 'CODE_ALREADY_USED', 'CODE_NOT_REQUESTED'],
  description:
    'Issues an access token (an EdDSA JWT signed with the key only identity holds) and a refresh token, both encrypted in the result. A new device needs a login_step_up SMS code. Key: a keyed hash of the phone (messageKeyOf), never the number. ' +
    'Rejects INVALID_CREDENTIALS, LOGIN_LOCKED, STEP_UP_REQUIRED, INVALID_CODE (and the other code failures), SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED, INVALID_INPUT.',
  payload: strict({
    phone: Phone,
    loginPassword: EncryptedString('the login password'),
    deviceId: DeviceId,
    stepUpCode: Type.Optional(EncryptedString('login_step_up SMS code, for a new device')),
    secondFactorCode: Type.Optional(EncryptedString('TOTP code, when the second factor is enabled')),
  }),
});

export const setPaymentPassword = defineCommand({
  type: 'identity.SetPaymentPassword.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'PAYMENT_PASSWORD_ALREADY_SET', 'WEAK_PASSWORD', 'SECOND_FACTOR_REQUIRED', 'INVALID_SECOND_FACTOR', 'SECOND_FACTOR_LOCKED'],
  description: 'Sets the first 6-digit payment password. Key: userId. Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_ALREADY_SET, WEAK_PASSWORD, second-factor codes, FORBIDDEN.',
  payload: strict({ userId: UserId, paymentPassword: EncryptedString('6 digits'), secondFactorCode: Type.Optional(EncryptedString('TOTP code')) }),
});

export const changePaymentPassword = defineCommand({
  type: 'identity.ChangePaymentPassword.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'PAYMENT_PASSWORD_NOT_SET', 'WEAK_PASSWORD', 'WRONG_PAYMENT_PASSWORD', 'PAYMENT_PASSWORD_LOCKED', 'SECOND_FACTOR_REQUIRED', 'INVALID_SECOND_FACTOR', 'SECOND_FACTOR_LOCKED'],
  description:
    'Replaces the payment password, proving the old one. Key: userId. Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, WEAK_PASSWORD, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, second-factor codes, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    paymentPassword: EncryptedString('the current payment password'),
    newPaymentPassword: EncryptedString('6 digits'),
    secondFactorCode: Type.Optional(EncryptedString('TOTP code')),
  }),
});

export const resetPaymentPassword = defineCommand({
  type: 'identity.ResetPaymentPassword.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['USER_NOT_FOUND', 'PAYMENT_PASSWORD_NOT_SET', 'WEAK_PASSWORD', 'INVALID_INPUT', 'INVALID_CODE', 'CODE_EXPIRED', 'CODE_ATTEMPTS_EXHAUSTED', 'CODE_ALREADY_USED', 'CODE_NOT_REQUESTED', 'SECOND_FACTOR_REQUIRED', 'INVALID_SECOND_FACTOR', 'SECOND_FACTOR_LOCKED'],
  description:
    '"Forgot payment password": a payment_password_reset SMS code to the bound phone sets a new one and lifts a lock. Key: a keyed hash of the phone (messageKeyOf), never the number. ' +
    'Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, WEAK_PASSWORD, the code failures, second-factor codes, INVALID_INPUT.',
  payload: strict({
    phone: Phone,
    code: EncryptedString('payment_password_reset SMS code'),
    newPaymentPassword: EncryptedString('6 digits'),
    secondFactorCode: Type.Optional(EncryptedString('TOTP code')),
  }),
});

export const changeLoginPassword = defineCommand({
  type: 'identity.ChangeLoginPassword.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'WEAK_PASSWORD', 'INVALID_CREDENTIALS', 'LOGIN_LOCKED', 'SECOND_FACTOR_REQUIRED', 'INVALID_SECOND_FACTOR', 'SECOND_FACTOR_LOCKED'],
  description: 'Replaces the login password. Key: userId. Rejects USER_NOT_FOUND, WEAK_PASSWORD, INVALID_CREDENTIALS, LOGIN_LOCKED, second-factor codes, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    loginPassword: EncryptedString('the current login password'),
    newLoginPassword: EncryptedString('8–20 letters and digits'),
    secondFactorCode: Type.Optional(EncryptedString('TOTP code')),
  }),
});

export const verifyPaymentPassword = defineCommand({
  type: 'identity.VerifyPaymentPassword.v1',
  context: CONTEXT,
  senders: { payments: ['system'], cards: ['system'] },
  rejects: ['USER_NOT_FOUND', 'PAYMENT_PASSWORD_NOT_SET', 'ACCOUNT_FROZEN', 'WRONG_PAYMENT_PASSWORD', 'PAYMENT_PASSWORD_LOCKED'],
  description:
    'Checks the payment password for a purpose (cards and payments call it). Accepted with `verified: true`. Key: userId. ' +
    'Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, ACCOUNT_FROZEN (money-moving purposes), WRONG_PAYMENT_PASSWORD (attemptsLeft), PAYMENT_PASSWORD_LOCKED (lockedUntil), FORBIDDEN.',
  payload: strict({ userId: UserId, paymentPassword: EncryptedString('6 digits'), purpose: PaymentPasswordPurpose }),
});

export const verifyStepUpCode = defineCommand({
  type: 'identity.VerifyStepUpCode.v1',
  context: CONTEXT,
  senders: { payments: ['system'] },
  rejects: ['USER_NOT_FOUND', 'INVALID_CODE', 'CODE_EXPIRED', 'CODE_ATTEMPTS_EXHAUSTED', 'CODE_ALREADY_USED', 'CODE_NOT_REQUESTED', 'INVALID_INPUT'],
  description:
    'SMS step-up of a payment from a new device (payments call it): consumes the user\'s login_step_up code (one use, attempts limited) and records the device as known. Accepted with `verified: true`. Key: userId. ' +
    'Rejects USER_NOT_FOUND, INVALID_CODE, CODE_EXPIRED, CODE_ATTEMPTS_EXHAUSTED, CODE_ALREADY_USED, CODE_NOT_REQUESTED, INVALID_INPUT, FORBIDDEN.',
  payload: strict({ userId: UserId, deviceId: DeviceId, stepUpCode: EncryptedString('login_step_up SMS code') }),
});

export const enableSecondFactor = defineCommand({
  type: 'identity.EnableSecondFactor.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'SECOND_FACTOR_ALREADY_ENABLED'],
  description: 'Turns on TOTP (RFC 6238); the result carries the otpauth:// provisioning URI once, encrypted. Key: userId. Rejects USER_NOT_FOUND, SECOND_FACTOR_ALREADY_ENABLED, FORBIDDEN.',
  payload: strict({ userId: UserId }),
});

export const disableSecondFactor = defineCommand({
  type: 'identity.DisableSecondFactor.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'SECOND_FACTOR_NOT_ENABLED', 'SECOND_FACTOR_REQUIRED', 'INVALID_SECOND_FACTOR', 'SECOND_FACTOR_LOCKED', 'PAYMENT_PASSWORD_NOT_SET', 'WRONG_PAYMENT_PASSWORD', 'PAYMENT_PASSWORD_LOCKED'],
  description:
    'Turns TOTP off with a current dynamic code and, when given, the payment password (checked first, counting towards its lockout; the gateway always sends it). Key: userId. ' +
    'Rejects USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED, SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED, PAYMENT_PASSWORD_NOT_SET, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, FORBIDDEN.',
  payload: strict({ userId: UserId, secondFactorCode: Type.Optional(EncryptedString('TOTP code')), paymentPassword: Type.Optional(EncryptedString('the payment password')) }),
});

export const resetSecondFactor = defineCommand({
  type: 'identity.ResetSecondFactor.v1',
  context: CONTEXT,
  senders: { gateway: ['support'] },
  rejects: ['USER_NOT_FOUND', 'SECOND_FACTOR_NOT_ENABLED'],
  description: 'Customer service removes a lost authenticator after verifying the caller (actor support:<agentId>). Key: userId. Rejects USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED, FORBIDDEN.',
  payload: strict({ userId: UserId, verificationReference: Type.String({ minLength: 1, maxLength: 200 }) }),
});

export const freezeAccount = defineCommand({
  type: 'identity.FreezeAccount.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'], internal: ['risk'] },
  rejects: ['USER_NOT_FOUND', 'ALREADY_FROZEN'],
  description:
    'Freezes the wallet at once (lost phone): no money can move. The actor header says who: user:<userId>, support:<agentId> or risk:<ruleId>. Key: userId. ' +
    'Rejects USER_NOT_FOUND, ALREADY_FROZEN, FORBIDDEN.',
  payload: strict({ userId: UserId, reason: Type.String({ minLength: 1, maxLength: 500 }) }),
});

export const unfreezeAccount = defineCommand({
  type: 'identity.UnfreezeAccount.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'] },
  rejects: ['USER_NOT_FOUND', 'NOT_FROZEN', 'UNFREEZE_REQUIRES_SUPPORT', 'PAYMENT_PASSWORD_NOT_SET', 'WRONG_PAYMENT_PASSWORD', 'PAYMENT_PASSWORD_LOCKED', 'INVALID_INPUT', 'INVALID_CODE', 'CODE_EXPIRED', 'CODE_ATTEMPTS_EXHAUSTED', 'CODE_ALREADY_USED', 'CODE_NOT_REQUESTED', 'SECOND_FACTOR_REQUIRED', 'INVALID_SECOND_FACTOR', 'SECOND_FACTOR_LOCKED'],
  description:
    'Lifts a freeze: by the user (actor user:<userId>) with an unfreeze SMS code and the payment password, or by support (actor support:<agentId>) with a verification reference. Key: userId. ' +
    'Rejects USER_NOT_FOUND, NOT_FROZEN, UNFREEZE_REQUIRES_SUPPORT, the code failures, PAYMENT_PASSWORD_NOT_SET, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, second-factor codes, INVALID_INPUT, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    code: Type.Optional(EncryptedString('unfreeze SMS code (user path)')),
    paymentPassword: Type.Optional(EncryptedString('payment password (user path)')),
    secondFactorCode: Type.Optional(EncryptedString('TOTP code (user path, when enabled)')),
    verificationReference: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'support path: ticket or call recording id' })),
  }),
});

export const raiseRiskAlert = defineCommand({
  type: 'identity.RaiseRiskAlert.v1',
  context: CONTEXT,
  senders: { payments: ['system'], internal: ['risk', 'system'] },
  rejects: ['USER_NOT_FOUND'],
  description: 'A risk rule reports a pattern (actor risk:<ruleId> or system:<service>); with `protect` the account is also frozen. Key: userId. Rejects USER_NOT_FOUND, FORBIDDEN.',
  payload: strict({ userId: UserId, signal: RiskSignal, severity: RiskSeverity, description: Type.String({ minLength: 1, maxLength: 500 }), protect: Type.Boolean() }),
});

export const setMaintenanceMode = defineCommand({
  type: 'identity.SetMaintenanceMode.v1',
  context: CONTEXT,
  senders: { gateway: ['support'], operator: ['system'] },
  rejects: ['INVALID_INPUT'],
  description: 'Operators (actor support:<id> or system:<name>) open a maintenance window (registration is refused until `until`) or close it. Key: "maintenance". Rejects FORBIDDEN, INVALID_INPUT.',
  payload: Type.Union([
    strict({ on: Type.Literal(true), until: Instant, message: Type.String({ minLength: 1, maxLength: 500 }) }),
    strict({ on: Type.Literal(false) }),
  ]),
});

export const refreshSession = defineCommand({
  type: 'identity.RefreshSession.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_EXPIRED', 'REFRESH_TOKEN_REUSED', 'SESSION_REVOKED', 'ACCOUNT_FROZEN', 'INVALID_INPUT'],
  description:
    'Exchanges a refresh token for a new access token and a new refresh token (rotation: the presented one is then retired). A retired token presented again revokes the whole session (theft detection). Key: the session id (the refresh token\'s part before the dot). ' +
    'Rejects INVALID_REFRESH_TOKEN, REFRESH_TOKEN_EXPIRED, REFRESH_TOKEN_REUSED, SESSION_REVOKED, ACCOUNT_FROZEN, INVALID_INPUT.',
  payload: strict({ refreshToken: EncryptedString('the refresh token from login or the last refresh') }),
});

export const endSession = defineCommand({
  type: 'identity.EndSession.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED', 'INVALID_INPUT'],
  description:
    'Logout: revokes the session of a refresh token; its refresh tokens are refused from then on (access tokens run out within their 15 minutes). Ending an ended session changes nothing. Key: the session id. ' +
    'Rejects INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED, INVALID_INPUT.',
  payload: strict({ refreshToken: EncryptedString('a refresh token of the session') }),
});

export const logInStaff = defineCommand({
  type: 'identity.LogInStaff.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['INVALID_CREDENTIALS', 'LOGIN_LOCKED', 'RATE_LIMITED', 'INVALID_INPUT'],
  description:
    'Staff login: an agent of the staff registry (IDENTITY_STAFF) proves the password and a current code of their authenticator (the second factor is mandatory; a code opens one session only). ' +
    'Accepted data: agentId, role (support|teller|supervisor), accessToken (a staff-issuer EdDSA JWT, encrypted), accessTokenExpiresAt. Every attempt is recorded on staff-<agentId>, so the lock holds for every gateway and identity instance. Key: agentId. ' +
    'Rejects INVALID_CREDENTIALS (an unknown agent, a wrong password, a wrong, stale or reused code: one answer), LOGIN_LOCKED (details.until), RATE_LIMITED (too many attempts from the client address, across instances; details.retryAfterMs), INVALID_INPUT.',
  payload: strict({
    agentId: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }),
    password: EncryptedString('the staff password (field staffPassword)'),
    authenticatorCode: EncryptedString('the current 6-digit code of the authenticator (field staffAuthenticatorCode)'),
    clientAddress: EncryptedString("the client's IP address as the gateway saw it (field staffClientAddress): attempts per address are limited across every instance"),
  }),
});

export const findUserByPhone = defineCommand({
  type: 'identity.FindUserByPhone.v1',
  context: CONTEXT,
  senders: { payments: ['system'], internal: ['system'] },
  rejects: ['USER_NOT_FOUND', 'INVALID_INPUT'],
  description: 'Query (for transfers): the user a phone belongs to, from the read model (eventually consistent). Key: a keyed hash of the phone, never the number. Rejects USER_NOT_FOUND, INVALID_INPUT.',
  payload: strict({ phone: Phone }),
});

export const COMMANDS = [
  requestVerificationCode,
  registerUser,
  login,
  setPaymentPassword,
  changePaymentPassword,
  resetPaymentPassword,
  changeLoginPassword,
  verifyPaymentPassword,
  verifyStepUpCode,
  enableSecondFactor,
  disableSecondFactor,
  resetSecondFactor,
  freezeAccount,
  unfreezeAccount,
  raiseRiskAlert,
  setMaintenanceMode,
  findUserByPhone,
  refreshSession,
  endSession,
  logInStaff,
] as const;

// ---------------------------------------------------------------- published events (identity.events)

/**
 * The events other contexts follow, with their data schemas. Message key = the stream id
 * (`user-<userId>`), value = the data, metadata in headers (message-id = event id, for dedupe).
 * Hash fields (`phoneHash`) are keyed hashes, never plaintext; phones and names are published
 * masked only; consumers should ignore fields they do not know.
 */
export const EVENT_TYPES = {
  UserRegistered: 'identity.UserRegistered.v1',
  PaymentPasswordSet: 'identity.PaymentPasswordSet.v1',
  PaymentPasswordReset: 'identity.PaymentPasswordReset.v1',
  PaymentPasswordLocked: 'identity.PaymentPasswordLocked.v1',
  AccountFrozen: 'identity.AccountFrozen.v1',
  AccountUnfrozen: 'identity.AccountUnfrozen.v1',
  RiskAlertRaised: 'identity.RiskAlertRaised.v1',
} as const;

const loose = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: true });

export const UserRegisteredData = loose({
  userId: Type.String(),
  phoneHash: Type.String({ description: 'keyed fingerprint of the phone (HMAC-SHA-256)' }),
  maskedPhone: Type.String({ description: 'e.g. 138****5678' }),
  maskedName: Type.String({ description: 'e.g. *三: the name itself stays in the identity service' }),
  identityLevel: Type.Union([Type.Literal('basic'), Type.Literal('verified')]),
  registeredAt: Instant,
});

export const PaymentPasswordSetData = loose({ userId: Type.String(), at: Instant });
export const PaymentPasswordResetData = loose({ userId: Type.String(), at: Instant });
export const PaymentPasswordLockedData = loose({ userId: Type.String(), lockedUntil: Instant, at: Instant });

const FreezeActor = Type.Union([
  Type.Object({ kind: Type.Literal('user') }),
  Type.Object({ kind: Type.Literal('support'), agentId: Type.String() }),
  Type.Object({ kind: Type.Literal('risk'), ruleId: Type.String() }),
]);

export const AccountFrozenData = loose({ userId: Type.String(), reason: Type.String(), actor: FreezeActor, at: Instant });

export const AccountUnfrozenData = loose({
  userId: Type.String(),
  actor: Type.Union([Type.Object({ kind: Type.Literal('user') }), Type.Object({ kind: Type.Literal('support'), agentId: Type.String(), verificationReference: Type.String() })]),
  at: Instant,
});

export const RiskAlertRaisedData = loose({ userId: Type.String(), signal: RiskSignal, severity: RiskSeverity, description: Type.String(), source: Type.String(), at: Instant });

export const PUBLISHED_EVENTS: Readonly<Record<(typeof EVENT_TYPES)[keyof typeof EVENT_TYPES], TSchema>> = {
  [EVENT_TYPES.UserRegistered]: UserRegisteredData,
  [EVENT_TYPES.PaymentPasswordSet]: PaymentPasswordSetData,
  [EVENT_TYPES.PaymentPasswordReset]: PaymentPasswordResetData,
  [EVENT_TYPES.PaymentPasswordLocked]: PaymentPasswordLockedData,
  [EVENT_TYPES.AccountFrozen]: AccountFrozenData,
  [EVENT_TYPES.AccountUnfrozen]: AccountUnfrozenData,
  [EVENT_TYPES.RiskAlertRaised]: RiskAlertRaisedData,
};

export type UserRegisteredData = Static<typeof UserRegisteredData>;
export type AccountFrozenData = Static<typeof AccountFrozenData>;
export type AccountUnfrozenData = Static<typeof AccountUnfrozenData>;
export type RiskAlertRaisedData = Static<typeof RiskAlertRaisedData>;

/**
 * Stable rejection codes the identity service answers with, besides the transport's
 * (`INVALID_COMMAND`, `UNKNOWN_COMMAND`, `PROCESSING_FAILED`, `TIMEOUT`). The meaning of each is in
 * apps/identity/README.md.
 */
export const ERROR_CODES = [
  'RESEND_TOO_SOON',
  'TOO_MANY_CODES',
  'INVALID_CODE',
  'CODE_EXPIRED',
  'CODE_ATTEMPTS_EXHAUSTED',
  'CODE_ALREADY_USED',
  'CODE_NOT_REQUESTED',
  'PHONE_ALREADY_REGISTERED',
  'WEAK_PASSWORD',
  'SYSTEM_MAINTENANCE',
  'USER_NOT_FOUND',
  'INVALID_CREDENTIALS',
  'LOGIN_LOCKED',
  'STEP_UP_REQUIRED',
  'PAYMENT_PASSWORD_NOT_SET',
  'PAYMENT_PASSWORD_ALREADY_SET',
  'WRONG_PAYMENT_PASSWORD',
  'PAYMENT_PASSWORD_LOCKED',
  'SECOND_FACTOR_ALREADY_ENABLED',
  'SECOND_FACTOR_NOT_ENABLED',
  'SECOND_FACTOR_REQUIRED',
  'INVALID_SECOND_FACTOR',
  'SECOND_FACTOR_LOCKED',
  'ACCOUNT_FROZEN',
  'ALREADY_FROZEN',
  'NOT_FROZEN',
  'UNFREEZE_REQUIRES_SUPPORT',
  'INVALID_INPUT',
  'FORBIDDEN',
  'INVALID_REFRESH_TOKEN',
  'REFRESH_TOKEN_EXPIRED',
  'REFRESH_TOKEN_REUSED',
  'SESSION_REVOKED',
  'USER_ALREADY_EXISTS',
  'RATE_LIMITED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
