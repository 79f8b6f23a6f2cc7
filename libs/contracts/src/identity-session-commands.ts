/**
 * The identity contract's commands for signing up and logging in: the SMS verification code, registration,
 * the user's login and the staff login, and the session's refresh and end (re-exported through `identity-commands.ts`).
 */
import { Type } from '@sinclair/typebox';
import { defineCommand } from './command';
import { CONTEXT, DeviceId, EncryptedString, Phone, VerificationPurpose, strict, SECOND_FACTOR_REJECTS } from './identity-fields';

export const requestVerificationCode = defineCommand({
  type: 'identity.RequestVerificationCode.v1',
  context: CONTEXT,
  senders: { gateway: ['anonymous'] },
  rejects: ['RESEND_TOO_SOON', 'TOO_MANY_CODES', 'PHONE_ALREADY_REGISTERED', 'USER_NOT_FOUND', 'INVALID_INPUT', 'SMS_UNAVAILABLE'],
  description:
    'Sends a 6-digit SMS code for a purpose; a resend after the cooldown replaces the previous code. Key: a keyed hash of the phone (messageKeyOf), never the number. ' +
    'Rejects RESEND_TOO_SOON, TOO_MANY_CODES, PHONE_ALREADY_REGISTERED (registration), USER_NOT_FOUND (other purposes), INVALID_INPUT, ' +
    'SMS_UNAVAILABLE (the SMS gateway did not take the code; ask again after details.retryAt).',
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
    ...SECOND_FACTOR_REJECTS,
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
