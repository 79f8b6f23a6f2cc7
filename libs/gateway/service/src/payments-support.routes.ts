import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { paymentsContract } from '@ledger/contracts';
import { Edge, listPayments, listSupportAccess } from './gateway.services';
import { requireStaff } from './http/auth';
import { Route } from './http/docs';
import { PageQuery } from './http/paging';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';

/**
 * Support: a user's payments, for a caller verified on the hotline (the query carries the agent as
 * actor). Tagged `payments` with the other routes that need the payments service.
 */
@ApiTags('payments')
@Controller('support/users/:userId/payments')
export class SupportPaymentRoutes {
  constructor(private readonly edge: Edge) {}

  @Get()
  @PageQuery()
  @Route({
    summary: "A user's payments, newest first (support)",
    description:
      "Audited: the look-up (agent, page parameters, time) is recorded on the user's support-access trail before it is answered; refused AUDIT_UNAVAILABLE when it cannot be recorded.",
    status: 200,
    response: S.PaymentListResponse,
    commands: [paymentsContract.listUserPayments],
    codes: ['INVALID_COMMAND'],
    auth: 'support',
  })
  async list(@Param('userId') userId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'readUserPayments');
    const id = validate(S.UserIdParam, userId, 'userId');
    return listPayments(this.edge, id, query, actor);
  }
}

/** Support: the support-access trail of a user (reading the trail is not itself audited). */
@ApiTags('payments')
@Controller('support/users/:userId/support-access')
export class SupportAccessRoutes {
  constructor(private readonly edge: Edge) {}

  @Get()
  @PageQuery()
  @Route({
    summary: "Who in support looked at a user's transactions, newest first (support)",
    status: 200,
    response: S.SupportAccessResponse,
    commands: [paymentsContract.listSupportAccess],
    codes: ['INVALID_COMMAND'],
    auth: 'support',
  })
  async list(@Param('userId') userId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'readSupportAccess');
    const id = validate(S.UserIdParam, userId, 'userId');
    return listSupportAccess(this.edge, id, query, actor);
  }
}
