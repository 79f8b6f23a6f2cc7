/** The identity contract's commands and their list `COMMANDS` (re-exported by `identity.ts`, which describes the contract). */
import { Type } from '@sinclair/typebox';
import { defineCommand } from './command';
import {
  CONTEXT,
  DeviceId,
  EncryptedString,
  Instant,
  PaymentPasswordPurpose,
  Phone,
  RiskSeverity,
  RiskSignal,
  UserId,
  VerificationPurpose,
  strict,
} from './identity-fields';

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
  rejects: [
    'USER_ALREADY_EXISTS',
    'PHONE_ALREADY_REGISTERED',
    'INVALID_CODE',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
    'WEAK_PASSWORD',
    'SYSTEM_MAINTENANCE',
    'INVALID_INPUT',
  ],
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
  rejects: [
    'INVALID_CREDENTIALS',
    'LOGIN_LOCKED',
    'STEP_UP_REQUIRED',
    'INVALID_CODE',
    'SECOND_FACTOR_REQUIRED',
    'INVALID_SECOND_FACTOR',
    'SECOND_FACTOR_LOCKED',
    'INVALID_INPUT',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
  ],
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
  rejects: [
    'USER_NOT_FOUND',
    'PAYMENT_PASSWORD_ALREADY_SET',
    'WEAK_PASSWORD',
    'SECOND_FACTOR_REQUIRED',
    'INVALID_SECOND_FACTOR',
    'SECOND_FACTOR_LOCKED',
  ],
  description:
    'Sets the first 6-digit payment password. Key: userId. Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_ALREADY_SET, WEAK_PASSWORD, second-factor codes, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    paymentPassword: EncryptedString('6 digits'),
    secondFactorCode: Type.Optional(EncryptedString('TOTP code')),
  }),
});

export const changePaymentPassword = defineCommand({
  type: 'identity.ChangePaymentPassword.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'USER_NOT_FOUND',
    'PAYMENT_PASSWORD_NOT_SET',
    'WEAK_PASSWORD',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
    'SECOND_FACTOR_REQUIRED',
    'INVALID_SECOND_FACTOR',
    'SECOND_FACTOR_LOCKED',
  ],
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
  rejects: [
    'USER_NOT_FOUND',
    'PAYMENT_PASSWORD_NOT_SET',
    'WEAK_PASSWORD',
    'INVALID_INPUT',
    'INVALID_CODE',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
    'SECOND_FACTOR_REQUIRED',
    'INVALID_SECOND_FACTOR',
    'SECOND_FACTOR_LOCKED',
  ],
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
  rejects: [
    'USER_NOT_FOUND',
    'WEAK_PASSWORD',
    'INVALID_CREDENTIALS',
    'LOGIN_LOCKED',
    'SECOND_FACTOR_REQUIRED',
    'INVALID_SECOND_FACTOR',
    'SECOND_FACTOR_LOCKED',
  ],
  description:
    'Replaces the login password. Key: userId. Rejects USER_NOT_FOUND, WEAK_PASSWORD, INVALID_CREDENTIALS, LOGIN_LOCKED, second-factor codes, FORBIDDEN.',
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
  rejects: [
    'USER_NOT_FOUND',
    'INVALID_CODE',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
    'INVALID_INPUT',
  ],
  description:
    "SMS step-up of a payment from a new device (payments call it): consumes the user's login_step_up code (one use, attempts limited) and records the device as known. Accepted with `verified: true`. Key: userId. " +
    'Rejects USER_NOT_FOUND, INVALID_CODE, CODE_EXPIRED, CODE_ATTEMPTS_EXHAUSTED, CODE_ALREADY_USED, CODE_NOT_REQUESTED, INVALID_INPUT, FORBIDDEN.',
  payload: strict({ userId: UserId, deviceId: DeviceId, stepUpCode: EncryptedString('login_step_up SMS code') }),
});

export const enableSecondFactor = defineCommand({
  type: 'identity.EnableSecondFactor.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'SECOND_FACTOR_ALREADY_ENABLED'],
  description:
    'Turns on TOTP (RFC 6238); the result carries the otpauth:// provisioning URI once, encrypted. Key: userId. Rejects USER_NOT_FOUND, SECOND_FACTOR_ALREADY_ENABLED, FORBIDDEN.',
  payload: strict({ userId: UserId }),
});

export const disableSecondFactor = defineCommand({
  type: 'identity.DisableSecondFactor.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'USER_NOT_FOUND',
    'SECOND_FACTOR_NOT_ENABLED',
    'SECOND_FACTOR_REQUIRED',
    'INVALID_SECOND_FACTOR',
    'SECOND_FACTOR_LOCKED',
    'PAYMENT_PASSWORD_NOT_SET',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
  ],
  description:
    'Turns TOTP off with a current dynamic code and, when given, the payment password (checked first, counting towards its lockout; the gateway always sends it). Key: userId. ' +
    'Rejects USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED, SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED, PAYMENT_PASSWORD_NOT_SET, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    secondFactorCode: Type.Optional(EncryptedString('TOTP code')),
    paymentPassword: Type.Optional(EncryptedString('the payment password')),
  }),
});

export const resetSecondFactor = defineCommand({
  type: 'identity.ResetSecondFactor.v1',
  context: CONTEXT,
  senders: { gateway: ['support'] },
  rejects: ['USER_NOT_FOUND', 'SECOND_FACTOR_NOT_ENABLED'],
  description:
    'Customer service removes a lost authenticator after verifying the caller (actor support:<agentId>). Key: userId. Rejects USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED, FORBIDDEN.',
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
  rejects: [
    'USER_NOT_FOUND',
    'NOT_FROZEN',
    'UNFREEZE_REQUIRES_SUPPORT',
    'PAYMENT_PASSWORD_NOT_SET',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
    'INVALID_INPUT',
    'INVALID_CODE',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
    'SECOND_FACTOR_REQUIRED',
    'INVALID_SECOND_FACTOR',
    'SECOND_FACTOR_LOCKED',
  ],
  description:
    'Lifts a freeze: by the user (actor user:<userId>) with an unfreeze SMS code and the payment password, or by support (actor support:<agentId>) with a verification reference. Key: userId. ' +
    'Rejects USER_NOT_FOUND, NOT_FROZEN, UNFREEZE_REQUIRES_SUPPORT, the code failures, PAYMENT_PASSWORD_NOT_SET, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, second-factor codes, INVALID_INPUT, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    code: Type.Optional(EncryptedString('unfreeze SMS code (user path)')),
    paymentPassword: Type.Optional(EncryptedString('payment password (user path)')),
    secondFactorCode: Type.Optional(EncryptedString('TOTP code (user path, when enabled)')),
    verificationReference: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'support path: ticket or call recording id' }),
    ),
  }),
});

export const raiseRiskAlert = defineCommand({
  type: 'identity.RaiseRiskAlert.v1',
  context: CONTEXT,
  senders: { payments: ['system'], internal: ['risk', 'system'] },
  rejects: ['USER_NOT_FOUND'],
  description:
    'A risk rule reports a pattern (actor risk:<ruleId> or system:<service>); with `protect` the account is also frozen. Key: userId. Rejects USER_NOT_FOUND, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    signal: RiskSignal,
    severity: RiskSeverity,
    description: Type.String({ minLength: 1, maxLength: 500 }),
    protect: Type.Boolean(),
  }),
});

export const setMaintenanceMode = defineCommand({
  type: 'identity.SetMaintenanceMode.v1',
  context: CONTEXT,
  senders: { gateway: ['support'], operator: ['system'] },
  rejects: ['INVALID_INPUT'],
  description:
    'Operators (actor support:<id> or system:<name>) open a maintenance window (registration is refused until `until`) or close it. Key: "maintenance". Rejects FORBIDDEN, INVALID_INPUT.',
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
    "Exchanges a refresh token for a new access token and a new refresh token (rotation: the presented one is then retired). A retired token presented again revokes the whole session (theft detection). Key: the session id (the refresh token's part before the dot). " +
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
    clientAddress: EncryptedString(
      "the client's IP address as the gateway saw it (field staffClientAddress): attempts per address are limited across every instance",
    ),
  }),
});

export const findUserByPhone = defineCommand({
  type: 'identity.FindUserByPhone.v1',
  context: CONTEXT,
  senders: { payments: ['system'], internal: ['system'] },
  rejects: ['USER_NOT_FOUND', 'INVALID_INPUT'],
  description:
    'Query (for transfers): the user a phone belongs to, from the read model (eventually consistent). Key: a keyed hash of the phone, never the number. Rejects USER_NOT_FOUND, INVALID_INPUT.',
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
