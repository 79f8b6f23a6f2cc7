import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { cardsContract, walletContract } from '@ledger/contracts';
import { execute } from './command-bus';
import { Edge, optionalSecondFactor } from './gateway.services';
import { requireSelf } from './http/auth';
import { Route } from './http/docs';
import { canonicalPhone } from './http/phone';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';

/** The user's wallet: open (开通) it, read the balance. */
@ApiTags('wallet')
@Controller('users/:userId/wallet')
export class WalletRoutes {
  constructor(private readonly edge: Edge) {}

  @Post()
  @HttpCode(201)
  @Route({
    summary: 'Open (activate) my wallet',
    description: 'Needs registration, a payment password and a bound card first (WALLET_PREREQUISITES_MISSING, details.missing).',
    status: 201,
    response: S.WalletOpenedResponse,
    commands: [walletContract.openWallet],
    auth: 'user',
  })
  async open(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    if (http.body !== undefined) validate(S.OpenWalletRequest, http.body);
    return execute(this.edge.bus, walletContract.openWallet, { userId }, { key: userId, actor: principal.actor });
  }

  @Get()
  @Route({
    summary: 'My balance: total, held and available, in fen',
    status: 200,
    response: S.BalanceResponse,
    commands: [walletContract.getWalletByUser, walletContract.getBalance],
    auth: 'user',
  })
  async balance(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const wallet = await execute(this.edge.bus, walletContract.getWalletByUser, { userId }, { key: userId, actor: principal.actor });
    const walletId = String(wallet['walletId']);
    const balance = await execute(this.edge.bus, walletContract.getBalance, { walletId }, { key: walletId, actor: principal.actor });
    return { ...balance, currency: 'CNY' };
  }
}

/** The user's bank cards: bind, list (masked numbers only), choose the default, unbind. */
@ApiTags('cards')
@Controller('users/:userId/cards')
export class CardRoutes {
  constructor(private readonly edge: Edge) {}

  @Post()
  @HttpCode(201)
  @Route({
    summary: 'Bind an ICBC bank card',
    description:
      'The card number is encrypted at the gateway; only a masked number ever comes back. The first card becomes the default. ' +
      'With the second factor on, send secondFactorCode (a TOTP or recovery code), else SECOND_FACTOR_REQUIRED.',
    body: S.BindCardRequest,
    status: 201,
    response: S.CardResponse,
    commands: [cardsContract.bindCard],
    auth: 'user',
  })
  async bind(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.BindCardRequest, http.body);
    return execute(
      this.edge.bus,
      cardsContract.bindCard,
      {
        userId,
        cardNumber: this.edge.cardsSecret('cardNumber', body.cardNumber),
        holderName: this.edge.cardsSecret('holderName', body.holderName),
        reservedPhone: this.edge.cardsSecret('reservedPhone', canonicalPhone(body.reservedPhone)),
        // Cards forwards the code to identity unopened, so it is encrypted for identity's field.
        ...optionalSecondFactor(this.edge, body.secondFactorCode),
      },
      { key: userId, actor: principal.actor },
    );
  }

  @Get()
  @Route({
    summary: 'List my cards (masked numbers only)',
    status: 200,
    response: S.CardListResponse,
    commands: [cardsContract.listCards],
    auth: 'user',
  })
  async list(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    return execute(this.edge.bus, cardsContract.listCards, { userId }, { key: userId, actor: principal.actor });
  }

  @Post(':cardId/default')
  @HttpCode(200)
  @Route({
    summary: 'Make a card my default',
    status: 200,
    response: S.DefaultCardResponse,
    commands: [cardsContract.setDefaultCard],
    auth: 'user',
  })
  async setDefault(@Param('userId') userId: string, @Param('cardId') cardId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const id = validate(S.CardIdParam, cardId, 'cardId');
    return execute(this.edge.bus, cardsContract.setDefaultCard, { userId, cardId: id }, { key: userId, actor: principal.actor });
  }

  @Post(':cardId/unbind')
  @HttpCode(200)
  @Route({
    summary: 'Unbind a card (needs the payment password, and with the second factor on a dynamic code)',
    body: S.UnbindCardRequest,
    status: 200,
    response: S.UnbindCardResponse,
    commands: [cardsContract.unbindCard],
    auth: 'user',
  })
  async unbind(@Param('userId') userId: string, @Param('cardId') cardId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const id = validate(S.CardIdParam, cardId, 'cardId');
    const body = validate(S.UnbindCardRequest, http.body);
    // Cards forwards the ciphertext to identity unopened, so it is encrypted for identity's field.
    const paymentPassword = this.edge.identitySecret('paymentPassword', body.paymentPassword);
    return execute(
      this.edge.bus,
      cardsContract.unbindCard,
      { userId, cardId: id, paymentPassword, ...optionalSecondFactor(this.edge, body.secondFactorCode) },
      { key: userId, actor: principal.actor },
    );
  }
}
