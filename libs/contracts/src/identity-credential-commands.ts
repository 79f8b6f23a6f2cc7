/**
 * The identity contract's commands for a user's credentials: the payment password (set, change, reset,
 * verify), the login password, the SMS step-up of a payment and the second factor (re-exported through `identity-commands.ts`).
 */
import { Type } from '@sinclair/typebox';
import { defineCommand } from './command';
import {
  CONTEXT,
  DeviceId,
  EncryptedString,
  PaymentPasswordPurpose,
  Phone,
  UserId,
  strict,
  SECOND_FACTOR_REJECTS,
} from './identity-fields';

/** What a `secondFactorCode` may hold: a recovery code is accepted wherever a dynamic code is, and is then used up. */
const SECOND_FACTOR_CODE = 'TOTP code, or one of the one-time recovery codes (xxxxx-xxxxx)';

export const setPaymentPassword = defineCommand({
  type: 'identity.SetPaymentPassword.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'PAYMENT_PASSWORD_ALREADY_SET', 'WEAK_PASSWORD', ...SECOND_FACTOR_REJECTS],
  description:
    'Sets the first 6-digit payment password. Key: userId. Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_ALREADY_SET, WEAK_PASSWORD, second-factor codes, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    paymentPassword: EncryptedString('6 digits'),
    secondFactorCode: Type.Optional(EncryptedString(SECOND_FACTOR_CODE)),
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
    ...SECOND_FACTOR_REJECTS,
  ],
  description:
    'Replaces the payment password, proving the old one. Key: userId. Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, WEAK_PASSWORD, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, second-factor codes, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    paymentPassword: EncryptedString('the current payment password'),
    newPaymentPassword: EncryptedString('6 digits'),
    secondFactorCode: Type.Optional(EncryptedString(SECOND_FACTOR_CODE)),
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
    ...SECOND_FACTOR_REJECTS,
  ],
  description:
    '"Forgot payment password": a payment_password_reset SMS code to the bound phone sets a new one and lifts a lock. Key: a keyed hash of the phone (messageKeyOf), never the number. ' +
    'Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, WEAK_PASSWORD, the code failures, second-factor codes, INVALID_INPUT.',
  payload: strict({
    phone: Phone,
    code: EncryptedString('payment_password_reset SMS code'),
    newPaymentPassword: EncryptedString('6 digits'),
    secondFactorCode: Type.Optional(EncryptedString(SECOND_FACTOR_CODE)),
  }),
});

export const changeLoginPassword = defineCommand({
  type: 'identity.ChangeLoginPassword.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'WEAK_PASSWORD', 'INVALID_CREDENTIALS', 'LOGIN_LOCKED', ...SECOND_FACTOR_REJECTS],
  description:
    'Replaces the login password. Key: userId. Rejects USER_NOT_FOUND, WEAK_PASSWORD, INVALID_CREDENTIALS, LOGIN_LOCKED, second-factor codes, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    loginPassword: EncryptedString('the current login password'),
    newLoginPassword: EncryptedString('8–20 letters and digits'),
    secondFactorCode: Type.Optional(EncryptedString(SECOND_FACTOR_CODE)),
  }),
});

/** What the second factor's refusals of a check look like, for the descriptions of the checks that ask for it. */
const SECOND_FACTOR_REFUSALS =
  'SECOND_FACTOR_REQUIRED (no secondFactorCode; details.operation), INVALID_SECOND_FACTOR (attemptsLeft, counted toward the lock), SECOND_FACTOR_LOCKED (until)';

export const verifyPaymentPassword = defineCommand({
  type: 'identity.VerifyPaymentPassword.v1',
  context: CONTEXT,
  senders: { payments: ['system'], cards: ['system'] },
  rejects: [
    'USER_NOT_FOUND',
    'PAYMENT_PASSWORD_NOT_SET',
    'ACCOUNT_FROZEN',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
    ...SECOND_FACTOR_REJECTS,
  ],
  description:
    'Checks the payment password for a purpose (cards and payments call it). Accepted with `verified: true`. Key: userId. ' +
    'When the user has the second factor on, the check also asks for a dynamic code (secondFactorCode) for a money-moving purpose whose amountMinor is above ' +
    "identity's threshold (IDENTITY_SECOND_FACTOR_ABOVE_MINOR, default 50000 fen; a money-moving check without amountMinor counts as above it), " +
    'for bind_card and unbind_card, and whenever newDevice is true; the frozen check and the password come first, so a wrong password costs no dynamic-code attempt. ' +
    'Rejects USER_NOT_FOUND, PAYMENT_PASSWORD_NOT_SET, ACCOUNT_FROZEN (money-moving purposes), WRONG_PAYMENT_PASSWORD (attemptsLeft), PAYMENT_PASSWORD_LOCKED (lockedUntil), ' +
    `${SECOND_FACTOR_REFUSALS}, FORBIDDEN.`,
  payload: strict({
    userId: UserId,
    paymentPassword: EncryptedString('6 digits'),
    purpose: PaymentPasswordPurpose,
    amountMinor: Type.Optional(
      Type.String({ pattern: '^(0|[1-9][0-9]{0,17})$', description: 'the amount of the money movement being authorized, in fen' }),
    ),
    secondFactorCode: Type.Optional(EncryptedString(SECOND_FACTOR_CODE)),
    newDevice: Type.Optional(
      Type.Boolean({ description: "the payer's risk rules found the money movement comes from a device the user never paid from" }),
    ),
  }),
});

export const verifySecondFactor = defineCommand({
  type: 'identity.VerifySecondFactor.v1',
  context: CONTEXT,
  senders: { cards: ['system'] },
  rejects: ['USER_NOT_FOUND', ...SECOND_FACTOR_REJECTS],
  description:
    'Checks the second factor alone, for a card operation with no payment password to check (cards call it before binding a card). ' +
    'Accepted with `verified: true` when the factor is off (or only pending), or when secondFactorCode passes (a recovery code is then used up). Key: userId. ' +
    `Rejects USER_NOT_FOUND, ${SECOND_FACTOR_REFUSALS}, FORBIDDEN.`,
  payload: strict({
    userId: UserId,
    purpose: Type.Union([Type.Literal('bind_card'), Type.Literal('unbind_card')]),
    secondFactorCode: Type.Optional(EncryptedString(SECOND_FACTOR_CODE)),
  }),
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
    'Starts enrolling TOTP (RFC 6238): the result carries the otpauth:// provisioning URI once, encrypted. The factor is on only after ConfirmSecondFactor; ' +
    'sent again before that, it starts over with a new secret. Key: userId. Rejects USER_NOT_FOUND, SECOND_FACTOR_ALREADY_ENABLED, FORBIDDEN.',
  payload: strict({ userId: UserId }),
});

export const confirmSecondFactor = defineCommand({
  type: 'identity.ConfirmSecondFactor.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'SECOND_FACTOR_NOT_PENDING', 'SECOND_FACTOR_CODE_INVALID'],
  description:
    'Turns on the TOTP enrollment EnableSecondFactor started, once a current code proves the authenticator holds its secret. ' +
    'Accepted with userId, enabledAt, recoveryCodes (10 one-time codes, encrypted, returned only this once) and recoveryCodesLeft. ' +
    'A wrong code records nothing and leaves the enrollment pending. Key: userId. Rejects USER_NOT_FOUND, SECOND_FACTOR_NOT_PENDING, SECOND_FACTOR_CODE_INVALID, FORBIDDEN.',
  payload: strict({ userId: UserId, secondFactorCode: EncryptedString('TOTP code of the authenticator being set up') }),
});

export const disableSecondFactor = defineCommand({
  type: 'identity.DisableSecondFactor.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'USER_NOT_FOUND',
    'SECOND_FACTOR_NOT_ENABLED',
    ...SECOND_FACTOR_REJECTS,
    'PAYMENT_PASSWORD_NOT_SET',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
  ],
  description:
    'Turns TOTP off with a current dynamic code and, when given, the payment password (checked first, counting towards its lockout; the gateway always sends it). Key: userId. ' +
    'Rejects USER_NOT_FOUND, SECOND_FACTOR_NOT_ENABLED, SECOND_FACTOR_REQUIRED, INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED, PAYMENT_PASSWORD_NOT_SET, WRONG_PAYMENT_PASSWORD, PAYMENT_PASSWORD_LOCKED, FORBIDDEN.',
  payload: strict({
    userId: UserId,
    secondFactorCode: Type.Optional(EncryptedString(SECOND_FACTOR_CODE)),
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
