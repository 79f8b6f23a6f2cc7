import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { paymentsContract, projectorContract } from '@ledger/contracts';
import { execute } from './command-bus';
import { Edge } from './gateway.services';
import { requireSelf, requireStaff } from './http/auth';
import { Route } from './http/docs';
import { PageQuery, pageOf } from './http/paging';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';

const AsOfQuery = () =>
  ApiQuery({
    name: 'asOf',
    required: true,
    schema: { type: 'string', pattern: S.BalanceAsOfQuery.properties.asOf.pattern, minLength: 1 },
    description: 'ISO-8601 instant, e.g. 2026-12-01T00:00:00Z',
  });

const STATEMENT = {
  summary: 'statement: every entry of the wallet, newest first, with the balances after it',
  description:
    'Credits (incoming transfers, top-ups, counter deposits, refunds), debits (merchant payments, outgoing transfers, bills, withdrawals) and holds with their release or expiry, ' +
    'each with the signed change of the balance and of the held amount, the balance and available balance after it, and the counterparty (phone numbers masked). ' +
    'From a read model: an entry appears within about a second; the entries of a wallet sum to its balance.',
};
const AS_OF = {
  summary: 'balance as of an instant: total, held and available, in fen',
  description: "Folded from the wallet's own events up to that instant.",
};

/** A user's statement and balance as of an instant (the projector's queries). */
@ApiTags('wallet')
@Controller('users/:userId')
export class StatementRoutes {
  constructor(private readonly edge: Edge) {}

  @Get('statement')
  @PageQuery()
  @Route({
    summary: `My ${STATEMENT.summary}`,
    description: STATEMENT.description,
    status: 200,
    response: S.StatementResponse,
    commands: [projectorContract.getStatement],
    codes: ['INVALID_COMMAND'],
    auth: 'user',
  })
  async statement(@Param('userId') userId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    return execute(this.edge.bus, projectorContract.getStatement, { userId, ...pageOf(query) }, { key: userId, actor: principal.actor });
  }

  @Get('balance-as-of')
  @AsOfQuery()
  @Route({
    summary: `My ${AS_OF.summary}`,
    description: AS_OF.description,
    status: 200,
    response: S.BalanceAsOfResponse,
    commands: [projectorContract.getBalanceAsOf],
    auth: 'user',
  })
  async balanceAsOf(@Param('userId') userId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const { asOf } = validate(S.BalanceAsOfQuery, query ?? {}, 'query');
    return execute(this.edge.bus, projectorContract.getBalanceAsOf, { userId, asOf }, { key: userId, actor: principal.actor });
  }
}

/**
 * Support: a user's statement and balance as of an instant, for a caller verified on the hotline.
 * Audited: the look-up is recorded on the user's support-access trail first (payments), and the
 * projector answers only a look-up it finds recorded there.
 */
@ApiTags('wallet')
@Controller('support/users/:userId')
export class SupportStatementRoutes {
  constructor(private readonly edge: Edge) {}

  @Get('statement')
  @PageQuery()
  @Route({
    summary: `A user's ${STATEMENT.summary} (support)`,
    description: `${STATEMENT.description} Audited: recorded on the user's support-access trail before it is answered; refused AUDIT_UNAVAILABLE when it cannot be recorded.`,
    status: 200,
    response: S.StatementResponse,
    commands: [paymentsContract.recordSupportAccess, projectorContract.getStatement],
    codes: ['INVALID_COMMAND'],
    auth: 'support',
  })
  async statement(@Param('userId') userId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'readUserPayments');
    const id = validate(S.UserIdParam, userId, 'userId');
    const page = pageOf(query);
    const auditedBy = await this.recorded(id, { kind: 'statement', ...page }, actor);
    return execute(this.edge.bus, projectorContract.getStatement, { userId: id, ...page, auditedBy }, { key: id, actor });
  }

  @Get('balance-as-of')
  @AsOfQuery()
  @Route({
    summary: `A user's ${AS_OF.summary} (support)`,
    description: `${AS_OF.description} Audited like the statement.`,
    status: 200,
    response: S.BalanceAsOfResponse,
    commands: [paymentsContract.recordSupportAccess, projectorContract.getBalanceAsOf],
    auth: 'support',
  })
  async balanceAsOf(@Param('userId') userId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'readUserPayments');
    const id = validate(S.UserIdParam, userId, 'userId');
    const { asOf } = validate(S.BalanceAsOfQuery, query ?? {}, 'query');
    const auditedBy = await this.recorded(id, { kind: 'balance', asOf }, actor);
    return execute(this.edge.bus, projectorContract.getBalanceAsOf, { userId: id, asOf, auditedBy }, { key: id, actor });
  }

  /** Records the look-up on the user's trail; the id to name as auditedBy. */
  private async recorded(
    userId: string,
    viewed: { kind: 'statement'; limit?: number; before?: string } | { kind: 'balance'; asOf: string },
    actor: string,
  ): Promise<string> {
    const record = await execute(this.edge.bus, paymentsContract.recordSupportAccess, { userId, viewed }, { key: userId, actor });
    return String(record['auditId']);
  }
}
