/**
 * The identity contract's commands that protect accounts and run the service: freezing and unfreezing an account,
 * risk alerts, the maintenance window, and the look-up of a user by phone (re-exported through `identity-commands.ts`).
 */
import { Type } from '@sinclair/typebox';
import { defineCommand } from './command';
import { AccountFrozenAnswer, RiskAlertAnswer, UserByPhoneAnswer } from './identity-accepted';
import {
  CONTEXT,
  EncryptedString,
  Instant,
  Phone,
  RiskSeverity,
  RiskSignal,
  UserId,
  strict,
  SECOND_FACTOR_REJECTS,
} from './identity-fields';

export const verifyIdentity = defineCommand({
  type: 'identity.VerifyIdentity.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['USER_NOT_FOUND', 'IDENTITY_ALREADY_VERIFIED', 'INVALID_INPUT'],
  description:
    'Verifies the identity of a user who registered without an ID number (实名认证): the resident ID number is checked (GB 11643 check character) and kept only encrypted; ' +
    'the account becomes `verified` (published identity.IdentityVerified.v1, from which the wallet raises its tier). Actor user:<userId>. Accepted data: userId, identityLevel. Key: userId. ' +
    'Rejects USER_NOT_FOUND, IDENTITY_ALREADY_VERIFIED, INVALID_INPUT (not an ID number), FORBIDDEN.',
  payload: strict({ userId: UserId, idNumber: EncryptedString('18-character resident ID number') }),
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
  accepted: AccountFrozenAnswer,
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
    ...SECOND_FACTOR_REJECTS,
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
  accepted: RiskAlertAnswer,
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

export const findUserByPhone = defineCommand({
  type: 'identity.FindUserByPhone.v1',
  context: CONTEXT,
  senders: { payments: ['system'], internal: ['system'] },
  rejects: ['USER_NOT_FOUND', 'INVALID_INPUT'],
  description:
    'Query (for transfers): the user a phone belongs to, from the read model (eventually consistent). Key: a keyed hash of the phone, never the number. Rejects USER_NOT_FOUND, INVALID_INPUT.',
  payload: strict({ phone: Phone }),
  accepted: UserByPhoneAnswer,
});
