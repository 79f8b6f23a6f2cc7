import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { paymentsContract, walletContract, type CommandContract, type PayloadOf } from '@ledger/contracts';
import type { Static, TSchema } from '@sinclair/typebox';
import { execute } from './command-bus';
import { Edge, executePayment, listPayments, listSupportAccess, optionalSecondFactor } from './gateway.services';
import { requireSelf, type Principal } from './http/auth';
import { Route } from './http/docs';
import { PageQuery } from './http/paging';
import { canonicalPhone } from './http/phone';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';

/**
 * Money: the user's own payments (merchant, card and provider top-ups, transfer by phone, bills,
 * withdrawal, status) and the provider's signed callback (the counter's routes: `counter.routes.ts`). Each money-moving body carries the client's `paymentId`, the
 * idempotency key payments keys its process by; the wallet id is looked up from the token's user,
 * so a user can only ever spend from their own wallet. Payment passwords are encrypted here for
 * identity's `paymentPassword` field, and a second-factor code for its `secondFactorCode` field
 * (payments forwards both to identity unopened, which asks for the code above its threshold and
 * from a new device when the user's second factor is on).
 */
export const PAYMENT_DESCRIPTION =
  'Answers 200 with status "completed" (transactionIds, double-entry postings), or "pending" when the outcome is not known within 25 s ' +
  '(GET /users/{userId}/payments/{paymentId}, or resend the same body). A failed payment is Problem Details whose code is the failure (details.status = "failed"); ' +
  'retry a failure with a new paymentId. Resending the same paymentId with the same body returns the first outcome and moves no money twice.';

@ApiTags('payments')
@Controller()
export class PaymentRoutes {
  constructor(private readonly edge: Edge) {}

  /**
   * How every user money route starts: the caller must be that user, the body must match the
   * route's schema, and the wallet is the user's own (looked up from the token's user, never taken
   * from the body).
   */
  private async ownWalletRequest<T extends TSchema>(
    userId: string,
    http: RequestInfo,
    schema: T,
  ): Promise<{ principal: Principal; body: Static<T>; walletId: string }> {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(schema, http.body);
    return { principal, body, walletId: await this.edge.walletIdOf(userId, principal.actor) };
  }

  private pay<C extends CommandContract>(contract: C, payload: PayloadOf<C>, paymentId: string, actor: string) {
    return executePayment(this.edge, contract, payload, paymentId, actor);
  }

  private password(plaintext: string): string {
    return this.edge.identitySecret('paymentPassword', plaintext);
  }

  /** The device of the token (the risk rules key on it) and the optional step-up code, encrypted. */
  private device(principal: Principal, stepUpCode: string | undefined): { deviceId: string; stepUpCode?: string } {
    return {
      deviceId: principal.deviceId === '' ? 'unknown-device' : principal.deviceId,
      ...(stepUpCode === undefined ? {} : { stepUpCode: this.edge.identitySecret('stepUpCode', stepUpCode) }),
    };
  }

  @Post('users/:userId/payments')
  @HttpCode(200)
  @Route({
    summary: 'Pay a merchant (online, QR or POS) with the payment password',
    description: `Merchants: m-canteen (all channels), m-coffee (qr, pos), m-bookshop (online, qr); m-cash-only does not accept the wallet (MERCHANT_NOT_SUPPORTED). ${PAYMENT_DESCRIPTION}`,
    body: S.PayMerchantRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.payMerchant, walletContract.getWalletByUser],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async payMerchant(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const { principal, body, walletId } = await this.ownWalletRequest(userId, http, S.PayMerchantRequest);
    return this.pay(
      paymentsContract.payMerchant,
      {
        paymentId: body.paymentId,
        userId,
        walletId,
        merchantId: body.merchantId,
        channel: body.channel,
        amountMinor: body.amountMinor,
        ...(body.description === undefined ? {} : { description: body.description }),
        paymentPassword: this.password(body.paymentPassword),
        ...this.device(principal, body.stepUpCode),
        ...optionalSecondFactor(this.edge, body.secondFactorCode),
      },
      body.paymentId,
      principal.actor,
    );
  }

  @Get('users/:userId/payments')
  @PageQuery()
  @Route({
    summary: 'My payments, newest first (statement)',
    description:
      'From a read model: a payment appears within moments of its first step; GET /users/{userId}/payments/{paymentId} is always current.',
    status: 200,
    response: S.PaymentListResponse,
    commands: [paymentsContract.listUserPayments],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async list(@Param('userId') userId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    return listPayments(this.edge, userId, query, principal.actor);
  }

  @Get('users/:userId/support-access')
  @PageQuery()
  @Route({
    summary: 'Who in support looked at my transactions, newest first',
    description:
      'Every support look-up of my payments (the list or one payment) is recorded before it is answered: the agent, what was viewed and when.',
    status: 200,
    response: S.SupportAccessResponse,
    commands: [paymentsContract.listSupportAccess],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async supportAccess(@Param('userId') userId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    return listSupportAccess(this.edge, userId, query, principal.actor);
  }

  @Get('users/:userId/payments/:paymentId')
  @Route({
    summary: 'A payment of mine: status and outcome',
    status: 200,
    response: S.PaymentStatusResponse,
    commands: [paymentsContract.getPayment],
    auth: 'user',
  })
  async payment(@Param('userId') userId: string, @Param('paymentId') paymentId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const id = validate(S.PaymentIdParam, paymentId, 'paymentId');
    return execute(this.edge.bus, paymentsContract.getPayment, { paymentId: id }, { key: id, actor: principal.actor });
  }

  @Post('users/:userId/top-ups/card')
  @HttpCode(200)
  @Route({
    summary: 'Top up my wallet from a bound card (充值)',
    description: `No payment password: the money comes from the user's own ICBC card. ${PAYMENT_DESCRIPTION}`,
    body: S.CardTopUpRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.topUpFromCard, walletContract.getWalletByUser],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async topUpFromCard(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const { principal, body, walletId } = await this.ownWalletRequest(userId, http, S.CardTopUpRequest);
    return this.pay(
      paymentsContract.topUpFromCard,
      { paymentId: body.paymentId, userId, walletId, cardId: body.cardId, amountMinor: body.amountMinor },
      body.paymentId,
      principal.actor,
    );
  }

  @Post('users/:userId/top-ups/provider')
  @HttpCode(200)
  @Route({
    summary: 'Start a top-up through Alipay or WeChat',
    description:
      'Answers at once with status "awaiting_provider" and the deadline; the wallet is credited when the provider\'s signed callback (POST /provider-callbacks) arrives in time, ' +
      'else the top-up fails TOPUP_EXPIRED. Poll GET /users/{userId}/payments/{paymentId}.',
    body: S.ProviderTopUpRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.providerTopUp, walletContract.getWalletByUser],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async providerTopUp(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const { principal, body, walletId } = await this.ownWalletRequest(userId, http, S.ProviderTopUpRequest);
    return this.pay(
      paymentsContract.providerTopUp,
      { paymentId: body.paymentId, userId, walletId, provider: body.provider, amountMinor: body.amountMinor },
      body.paymentId,
      principal.actor,
    );
  }

  @Post('users/:userId/transfers')
  @HttpCode(200)
  @Route({
    summary: 'Transfer to another wallet user by phone number (转账)',
    description: PAYMENT_DESCRIPTION,
    body: S.TransferRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.transfer, walletContract.getWalletByUser],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async transfer(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const { principal, body, walletId } = await this.ownWalletRequest(userId, http, S.TransferRequest);
    return this.pay(
      paymentsContract.transfer,
      {
        paymentId: body.paymentId,
        userId,
        walletId,
        recipientPhone: this.edge.paymentsSecret('recipientPhone', canonicalPhone(body.recipientPhone)),
        amountMinor: body.amountMinor,
        ...(body.description === undefined ? {} : { description: body.description }),
        paymentPassword: this.password(body.paymentPassword),
        ...this.device(principal, body.stepUpCode),
        ...optionalSecondFactor(this.edge, body.secondFactorCode),
      },
      body.paymentId,
      principal.actor,
    );
  }

  @Post('users/:userId/bill-payments')
  @HttpCode(200)
  @Route({
    summary: 'Pay a bill: electricity, water, phone top-up (缴费)',
    description: `Billers: b-power, b-water (the exact amount due, else BILL_AMOUNT_MISMATCH with details.amountDueMinor), b-mobile (any amount). ${PAYMENT_DESCRIPTION}`,
    body: S.BillPaymentRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.payBill, walletContract.getWalletByUser],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async payBill(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const { principal, body, walletId } = await this.ownWalletRequest(userId, http, S.BillPaymentRequest);
    return this.pay(
      paymentsContract.payBill,
      {
        paymentId: body.paymentId,
        userId,
        walletId,
        billerId: body.billerId,
        billReference: this.edge.paymentsSecret('billReference', body.billReference),
        amountMinor: body.amountMinor,
        paymentPassword: this.password(body.paymentPassword),
        ...this.device(principal, body.stepUpCode),
        ...optionalSecondFactor(this.edge, body.secondFactorCode),
      },
      body.paymentId,
      principal.actor,
    );
  }

  @Post('users/:userId/withdrawals')
  @HttpCode(200)
  @Route({
    summary: 'Withdraw to a bound card (提现)',
    description: PAYMENT_DESCRIPTION,
    body: S.WithdrawalRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.withdraw, walletContract.getWalletByUser],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async withdraw(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const { principal, body, walletId } = await this.ownWalletRequest(userId, http, S.WithdrawalRequest);
    return this.pay(
      paymentsContract.withdraw,
      {
        paymentId: body.paymentId,
        userId,
        walletId,
        cardId: body.cardId,
        amountMinor: body.amountMinor,
        paymentPassword: this.password(body.paymentPassword),
        ...this.device(principal, body.stepUpCode),
        ...optionalSecondFactor(this.edge, body.secondFactorCode),
      },
      body.paymentId,
      principal.actor,
    );
  }

  @Post('provider-callbacks')
  @HttpCode(200)
  @Route({
    summary: "Alipay / WeChat: the signed confirmation of a top-up (the provider's webhook)",
    description:
      "No bearer token: the HMAC signature with the provider's own secret proves the provider; a callback signed more than 5 minutes ago " +
      '(CALLBACK_STALE) or with a nonce already used (CALLBACK_REPLAYED) is refused. A repeated callback with a fresh nonce returns the outcome again and credits nothing more.',
    body: S.ProviderCallbackRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.providerCallback],
    codes: ['INVALID_COMMAND'],
  })
  async providerCallback(@Http() http: RequestInfo) {
    const body = validate(S.ProviderCallbackRequest, http.body);
    return this.pay(paymentsContract.providerCallback, body, body.paymentId, `provider:${body.provider}`);
  }
}
