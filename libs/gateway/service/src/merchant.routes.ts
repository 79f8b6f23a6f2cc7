import { createHash } from 'node:crypto';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { paymentsContract, projectorContract } from '@ledger/contracts';
import { execute } from './command-bus';
import { Edge, executePayment } from './gateway.services';
import { Route } from './http/docs';
import { PageQuery, pageOf } from './http/paging';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';
import { GATEWAY_ERROR, ProblemError } from './problem';

/**
 * How long a key payments accepted is taken without asking again, for reading (a merchant's lists and
 * statements): a revoked key or a suspended merchant stops reading within this. Moving money (a
 * refund) always asks, so a revoked key refunds nothing from the moment it is revoked.
 */
const VERIFIED_KEY_TTL_MS = 60_000;
const MAX_REMEMBERED_KEYS = 10_000;
const KEY = /^Bearer (mk_[a-z0-9]{12}_[a-z0-9]{32})$/;

/**
 * The merchant API: a merchant calls with one of its API keys (`Authorization: Bearer mk_…`, issued
 * by a supervisor). The gateway holds no key: it seals the key for payments and has it checked
 * (`payments.AuthenticateMerchant.v1`), then acts as `merchant:<merchantId>`, as it acts as
 * `user:<userId>` once a token checks out. For reading, a key payments accepted is remembered for a
 * minute (by its hash, bounded), so a merchant's calls cost one check a minute, not one each.
 */
@ApiTags('merchant')
@Controller('merchants/:merchantId')
export class MerchantRoutes {
  private readonly verified = new Map<string, number>();

  constructor(private readonly edge: Edge) {}

  @Get('payments')
  @PageQuery()
  @ApiBearerAuth()
  @Route({
    summary: 'My payments and my refunds, newest first (merchant API key)',
    status: 200,
    response: S.MerchantPaymentsResponse,
    commands: [paymentsContract.authenticateMerchant, paymentsContract.listMerchantPayments],
    codes: ['INVALID_COMMAND', 'UNAUTHENTICATED'],
  })
  async payments(@Param('merchantId') merchantId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const { id, actor } = await this.merchant(merchantId, http);
    return execute(this.edge.bus, paymentsContract.listMerchantPayments, { merchantId: id, ...pageOf(query) }, { key: id, actor });
  }

  @Get('settlements/:day')
  @ApiBearerAuth()
  @Route({
    summary: 'My settlement statement for one Asia/Shanghai day: payments, refunds, net (merchant API key)',
    status: 200,
    response: S.SettlementResponse,
    commands: [paymentsContract.authenticateMerchant, projectorContract.getMerchantSettlement],
    codes: ['UNAUTHENTICATED'],
  })
  async settlement(@Param('merchantId') merchantId: string, @Param('day') day: string, @Http() http: RequestInfo) {
    const { id, actor } = await this.merchant(merchantId, http);
    const date = validate(S.DayParam, day, 'day');
    return execute(this.edge.bus, projectorContract.getMerchantSettlement, { merchantId: id, day: date }, { key: id, actor });
  }

  @Post('refunds')
  @HttpCode(200)
  @ApiBearerAuth()
  @Route({
    summary: 'Refund one of my payments, fully or partly, at most what is left to refund (merchant API key)',
    description: 'refundId is the idempotency key: the same refund sent again is answered with its outcome.',
    body: S.MerchantRefundRequest,
    status: 200,
    response: S.PaymentResponse,
    commands: [paymentsContract.authenticateMerchant, paymentsContract.refundPayment],
    codes: ['UNAUTHENTICATED'],
  })
  async refund(@Param('merchantId') merchantId: string, @Http() http: RequestInfo) {
    const { actor } = await this.merchant(merchantId, http, { movesMoney: true });
    const body = validate(S.MerchantRefundRequest, http.body);
    return executePayment(
      this.edge,
      paymentsContract.refundPayment,
      {
        refundId: body.refundId,
        paymentId: body.paymentId,
        amountMinor: body.amountMinor,
        ...(body.reason === undefined ? {} : { reason: body.reason }),
      },
      body.paymentId,
      actor,
    );
  }

  /** The merchant the key belongs to, checked by payments (for reading, possibly remembered from a check within the last minute). */
  private async merchant(merchantId: string, http: RequestInfo, use: { movesMoney?: true } = {}): Promise<{ id: string; actor: string }> {
    const id = validate(S.MerchantIdParam, merchantId, 'merchantId');
    const key = KEY.exec(http.authorization?.trim() ?? '')?.[1];
    if (key === undefined)
      throw new ProblemError(
        GATEWAY_ERROR.UNAUTHENTICATED,
        'the merchant API needs "Authorization: Bearer mk_<keyId>_<secret>"',
        undefined,
        {
          'WWW-Authenticate': 'Bearer realm="merchant"',
        },
      );
    const remembered = createHash('sha256').update(`${id}\u0000${key}`).digest('base64url');
    const until = this.verified.get(remembered);
    if (use.movesMoney || until === undefined || until <= Date.now()) {
      await execute(
        this.edge.bus,
        paymentsContract.authenticateMerchant,
        { merchantId: id, apiKey: this.edge.paymentsSecret('merchantApiKey', key) },
        { key: id, actor: 'anonymous' },
      );
      this.verified.delete(remembered);
      this.verified.set(remembered, Date.now() + VERIFIED_KEY_TTL_MS);
      if (this.verified.size > MAX_REMEMBERED_KEYS) this.verified.delete(this.verified.keys().next().value as string);
    }
    return { id, actor: `merchant:${id}` };
  }
}
