/** The HTTP schemas of the user's identity: verification codes, registration, sessions, passwords, the second factor and freezing. */
import { Type } from '@sinclair/typebox';
import { Instant, PaymentPassword, Phone, loose, strict } from './schema-fields';

const SmsCode = (description: string) => Type.String({ pattern: '^[0-9]{6}$', description });
const LoginPassword = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
/**
 * A second-factor code: the authenticator's 6 digits, or one of the one-time recovery codes issued
 * when the factor was confirmed (`xxxxx-xxxxx`, letters in either case), which identity accepts
 * wherever it accepts a dynamic code and then retires.
 */
const SECOND_FACTOR_CODE_PATTERN = '^(?:[0-9]{6}|[A-Za-z0-9]{5}-[A-Za-z0-9]{5})$';
export const SecondFactorCode = Type.Optional(
  Type.String({
    pattern: SECOND_FACTOR_CODE_PATTERN,
    description: 'current TOTP code, or a one-time recovery code (xxxxx-xxxxx), when the second factor is enabled',
  }),
);
const DeviceId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'stable id of the app installation',
});
const Reason = Type.String({ minLength: 1, maxLength: 500 });
const Reference = Type.String({ minLength: 1, maxLength: 200, description: 'ticket or call recording id proving the caller was verified' });

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
  secondFactorCode: Type.String({
    pattern: SECOND_FACTOR_CODE_PATTERN,
    description: 'a current TOTP code of the authenticator, or a one-time recovery code (xxxxx-xxxxx)',
  }),
  paymentPassword: PaymentPassword('the payment password'),
});
/** Only the authenticator's code: confirming proves the app holds the new secret, which a recovery code cannot. */
export const ConfirmSecondFactorRequest = strict({
  secondFactorCode: Type.String({ pattern: '^[0-9]{6}$', description: 'a current TOTP code of the authenticator being set up' }),
});

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
export const SecondFactorConfirmedResponse = loose({
  userId: Type.String(),
  enabledAt: Instant,
  recoveryCodes: Type.Array(Type.String({ pattern: '^[a-z0-9]{5}-[a-z0-9]{5}$' }), {
    description: 'one-time codes that stand in for a dynamic code if the authenticator is lost; returned only this once, keep them offline',
  }),
  recoveryCodesLeft: Type.Integer({ minimum: 0 }),
});
export const UserResponse = loose({ userId: Type.String() });
export const FreezeResponse = loose({ userId: Type.String(), frozenAt: Instant });

export const IdentityVerificationRequest = strict({
  idNumber: Type.String({ pattern: '^[0-9]{17}[0-9Xx]$', description: '18-character resident ID number' }),
});
export const IdentityVerifiedResponse = loose({ userId: Type.String(), identityLevel: Type.Literal('verified') });
