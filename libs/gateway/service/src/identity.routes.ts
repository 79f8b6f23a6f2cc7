import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { identityContract } from '@ledger/contracts';
import { execute } from './command-bus';
import { Edge, clearTokens, optionalSecondFactor, sessionKey } from './gateway.services';
import { requireSelf } from './http/auth';
import { Route } from './http/docs';
import { canonicalPhone } from './http/phone';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';

/** Registration, login and passwords: the routes anyone may call (rate limited) and the user's own. */
@ApiTags('identity')
@Controller()
export class IdentityRoutes {
  constructor(private readonly edge: Edge) {}

  @Post('verification-codes')
  @HttpCode(202)
  @Route({
    summary: 'Send an SMS verification code',
    description: 'A resend after the cooldown replaces the previous code. Rate limited per IP and per phone.',
    body: S.VerificationCodeRequest,
    status: 202,
    response: S.VerificationCodeResponse,
    commands: [identityContract.requestVerificationCode],
    codes: ['RATE_LIMITED'],
  })
  async requestCode(@Http() http: RequestInfo) {
    this.edge.codeRequestsPerIp.hit(http.ip);
    const body = validate(S.VerificationCodeRequest, http.body);
    this.edge.codeRequestsPerPhone.hit(canonicalPhone(body.phone));
    return execute(
      this.edge.bus,
      identityContract.requestVerificationCode,
      { ...body, phone: this.edge.identitySecret('phone', canonicalPhone(body.phone)) },
      { key: this.edge.phoneMessageKey(body.phone), actor: 'anonymous' },
    );
  }

  @Post('users')
  @HttpCode(201)
  @Route({
    summary: 'Register with phone, SMS code and login password',
    description: 'With an ID number the identity is `verified`. During a maintenance window: 503 SYSTEM_MAINTENANCE with Retry-After.',
    body: S.RegisterRequest,
    status: 201,
    response: S.RegisterResponse,
    commands: [identityContract.registerUser],
  })
  async register(@Http() http: RequestInfo) {
    const body = validate(S.RegisterRequest, http.body);
    const { edge } = this;
    return execute(
      edge.bus,
      identityContract.registerUser,
      {
        phone: edge.identitySecret('phone', canonicalPhone(body.phone)),
        code: edge.identitySecret('code', body.code),
        loginPassword: edge.identitySecret('loginPassword', body.loginPassword),
        name: edge.identitySecret('name', body.name),
        ...(body.idNumber === undefined ? {} : { idNumber: edge.identitySecret('idNumber', body.idNumber.toUpperCase()) }),
        ...(body.deviceId === undefined ? {} : { deviceId: body.deviceId }),
      },
      { key: edge.phoneMessageKey(body.phone), actor: 'anonymous' },
    );
  }

  @Post('sessions')
  @HttpCode(200)
  @Route({
    summary: 'Log in: returns an access token and a refresh token',
    description:
      'A new device first answers 401 STEP_UP_REQUIRED: request a `login_step_up` code and send it as stepUpCode. Rate limited per IP and per phone.',
    body: S.LoginRequest,
    status: 200,
    response: S.LoginResponse,
    commands: [identityContract.login],
    codes: ['RATE_LIMITED'],
  })
  async login(@Http() http: RequestInfo) {
    this.edge.loginsPerIp.hit(http.ip);
    const body = validate(S.LoginRequest, http.body);
    this.edge.loginsPerPhone.hit(canonicalPhone(body.phone));
    const { edge } = this;
    const data = await execute(
      edge.bus,
      identityContract.login,
      {
        phone: edge.identitySecret('phone', canonicalPhone(body.phone)),
        loginPassword: edge.identitySecret('loginPassword', body.loginPassword),
        deviceId: body.deviceId,
        ...(body.stepUpCode === undefined ? {} : { stepUpCode: edge.identitySecret('stepUpCode', body.stepUpCode) }),
        ...optionalSecondFactor(edge, body.secondFactorCode),
      },
      { key: edge.phoneMessageKey(body.phone), actor: 'anonymous' },
    );
    return clearTokens(edge, data);
  }

  @Post('sessions/refresh')
  @HttpCode(200)
  @Route({
    summary: 'Exchange a refresh token for a new access token and refresh token',
    description:
      'Rotation: the refresh token sent is retired and the answer carries the next one. Sending a retired token again revokes the whole session ' +
      '(401 REFRESH_TOKEN_REUSED; then every token of it answers SESSION_REVOKED): log in again. A frozen account cannot refresh (423 ACCOUNT_FROZEN). Rate limited per IP.',
    body: S.RefreshSessionRequest,
    status: 200,
    response: S.RefreshSessionResponse,
    commands: [identityContract.refreshSession],
    codes: ['RATE_LIMITED'],
  })
  async refreshSession(@Http() http: RequestInfo) {
    this.edge.loginsPerIp.hit(http.ip);
    const { refreshToken } = validate(S.RefreshSessionRequest, http.body);
    const { edge } = this;
    const data = await execute(
      edge.bus,
      identityContract.refreshSession,
      { refreshToken: edge.identitySecret('refreshToken', refreshToken) },
      { key: sessionKey(refreshToken), actor: 'anonymous' },
    );
    return clearTokens(edge, data);
  }

  @Post('sessions/logout')
  @HttpCode(200)
  @Route({
    summary: 'Log out: revoke the session of a refresh token',
    description:
      'Its refresh tokens are refused from then on; an access token already issued stays valid until it expires (15 min). Logging out twice is fine. Rate limited per IP.',
    body: S.EndSessionRequest,
    status: 200,
    response: S.EndSessionResponse,
    commands: [identityContract.endSession],
    codes: ['RATE_LIMITED'],
  })
  async logout(@Http() http: RequestInfo) {
    this.edge.loginsPerIp.hit(http.ip);
    const { refreshToken } = validate(S.EndSessionRequest, http.body);
    const { edge } = this;
    return execute(
      edge.bus,
      identityContract.endSession,
      { refreshToken: edge.identitySecret('refreshToken', refreshToken) },
      { key: sessionKey(refreshToken), actor: 'anonymous' },
    );
  }

  @Post('payment-password/reset')
  @HttpCode(200)
  @Route({
    summary: 'Forgot payment password: set a new one with a payment_password_reset SMS code',
    description: 'Lifts a payment-password lock.',
    body: S.ResetPaymentPasswordRequest,
    status: 200,
    response: S.UserResponse,
    commands: [identityContract.resetPaymentPassword],
  })
  async resetPaymentPassword(@Http() http: RequestInfo) {
    const body = validate(S.ResetPaymentPasswordRequest, http.body);
    const { edge } = this;
    return execute(
      edge.bus,
      identityContract.resetPaymentPassword,
      {
        phone: edge.identitySecret('phone', canonicalPhone(body.phone)),
        code: edge.identitySecret('code', body.code),
        newPaymentPassword: edge.identitySecret('newPaymentPassword', body.newPaymentPassword),
        ...optionalSecondFactor(edge, body.secondFactorCode),
      },
      { key: edge.phoneMessageKey(body.phone), actor: 'anonymous' },
    );
  }

  @Post('users/:userId/second-factor')
  @HttpCode(200)
  @Route({
    summary: 'Start enrolling the second factor (TOTP): returns the provisioning URI once',
    description:
      'The factor is on only after POST /users/{userId}/second-factor/confirmation with a code from the authenticator; until then nothing asks for it, ' +
      'and calling this again starts over with a new secret. Once confirmed, login, password changes, reset, disable and unfreeze need a current dynamic code ' +
      '(secondFactorCode) or a recovery code. Body: none or `{}`.',
    body: S.EnableSecondFactorRequest,
    status: 200,
    response: S.SecondFactorEnabledResponse,
    commands: [identityContract.enableSecondFactor],
    auth: 'user',
  })
  async enableSecondFactor(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    if (http.body !== undefined) validate(S.EnableSecondFactorRequest, http.body);
    const { edge } = this;
    const data = await execute(edge.bus, identityContract.enableSecondFactor, { userId }, { key: userId, actor: principal.actor });
    // Encrypted on Kafka like a token; the app gets it in clear over TLS, once.
    return { ...data, provisioningUri: edge.openIdentityResult('provisioningUri', data['provisioningUri']) };
  }

  @Post('users/:userId/second-factor/disable')
  @HttpCode(200)
  @Route({
    summary: 'Turn off the second factor, proving a current dynamic code and the payment password',
    description: 'The payment password is checked first and counts towards its lockout (5 wrong tries).',
    body: S.DisableSecondFactorRequest,
    status: 200,
    response: S.UserResponse,
    commands: [identityContract.disableSecondFactor],
    auth: 'user',
  })
  async disableSecondFactor(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.DisableSecondFactorRequest, http.body);
    const { edge } = this;
    return execute(
      edge.bus,
      identityContract.disableSecondFactor,
      {
        userId,
        paymentPassword: edge.identitySecret('paymentPassword', body.paymentPassword),
        ...optionalSecondFactor(edge, body.secondFactorCode),
      },
      { key: userId, actor: principal.actor },
    );
  }

  @Post('users/:userId/payment-password')
  @HttpCode(200)
  @Route({
    summary: 'Set the first payment password',
    body: S.SetPaymentPasswordRequest,
    status: 200,
    response: S.UserResponse,
    commands: [identityContract.setPaymentPassword],
    auth: 'user',
  })
  async setPaymentPassword(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.SetPaymentPasswordRequest, http.body);
    const { edge } = this;
    return execute(
      edge.bus,
      identityContract.setPaymentPassword,
      {
        userId,
        paymentPassword: edge.identitySecret('paymentPassword', body.paymentPassword),
        ...optionalSecondFactor(edge, body.secondFactorCode),
      },
      { key: userId, actor: principal.actor },
    );
  }

  @Post('users/:userId/payment-password/change')
  @HttpCode(200)
  @Route({
    summary: 'Change the payment password, proving the current one',
    body: S.ChangePaymentPasswordRequest,
    status: 200,
    response: S.UserResponse,
    commands: [identityContract.changePaymentPassword],
    auth: 'user',
  })
  async changePaymentPassword(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.ChangePaymentPasswordRequest, http.body);
    const { edge } = this;
    return execute(
      edge.bus,
      identityContract.changePaymentPassword,
      {
        userId,
        paymentPassword: edge.identitySecret('paymentPassword', body.paymentPassword),
        newPaymentPassword: edge.identitySecret('newPaymentPassword', body.newPaymentPassword),
        ...optionalSecondFactor(edge, body.secondFactorCode),
      },
      { key: userId, actor: principal.actor },
    );
  }

  @Post('users/:userId/login-password/change')
  @HttpCode(200)
  @Route({
    summary: 'Change the login password, proving the current one',
    body: S.ChangeLoginPasswordRequest,
    status: 200,
    response: S.UserResponse,
    commands: [identityContract.changeLoginPassword],
    auth: 'user',
  })
  async changeLoginPassword(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.ChangeLoginPasswordRequest, http.body);
    const { edge } = this;
    return execute(
      edge.bus,
      identityContract.changeLoginPassword,
      {
        userId,
        loginPassword: edge.identitySecret('loginPassword', body.loginPassword),
        newLoginPassword: edge.identitySecret('newLoginPassword', body.newLoginPassword),
        ...optionalSecondFactor(edge, body.secondFactorCode),
      },
      { key: userId, actor: principal.actor },
    );
  }

  @Post('users/:userId/freeze')
  @HttpCode(200)
  @Route({
    summary: 'Freeze my own account at once (lost phone)',
    description: 'No money can move until it is unfrozen; balance and history stay intact.',
    body: S.FreezeRequest,
    status: 200,
    response: S.FreezeResponse,
    commands: [identityContract.freezeAccount],
    auth: 'user',
  })
  async freeze(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.FreezeRequest, http.body);
    return execute(this.edge.bus, identityContract.freezeAccount, { userId, reason: body.reason }, { key: userId, actor: principal.actor });
  }

  @Post('users/:userId/unfreeze')
  @HttpCode(200)
  @Route({
    summary: 'Unfreeze my own account with an unfreeze SMS code and the payment password',
    description: 'A freeze by risk control can be lifted only by support (UNFREEZE_REQUIRES_SUPPORT).',
    body: S.UserUnfreezeRequest,
    status: 200,
    response: S.UserResponse,
    commands: [identityContract.unfreezeAccount],
    auth: 'user',
  })
  async unfreeze(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.UserUnfreezeRequest, http.body);
    const { edge } = this;
    return execute(
      edge.bus,
      identityContract.unfreezeAccount,
      {
        userId,
        code: edge.identitySecret('code', body.code),
        paymentPassword: edge.identitySecret('paymentPassword', body.paymentPassword),
        ...optionalSecondFactor(edge, body.secondFactorCode),
      },
      { key: userId, actor: principal.actor },
    );
  }
}
