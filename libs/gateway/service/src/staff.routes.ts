import { Controller, Get, HttpCode, Logger, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { identityContract, projectorContract } from '@ledger/contracts';
import { execute } from './command-bus';
import { Edge } from './gateway.services';
import { requireStaff } from './http/auth';
import { Route } from './http/docs';
import { PageQuery, pageOf } from './http/paging';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';
import { ProblemError } from './problem';

/**
 * Staff login: identity checks the agent's password and a current code of their authenticator
 * against its staff registry (the second factor is mandatory; a code is used once), records every
 * attempt on the agent's own stream (so the lock after repeated failures holds for every gateway
 * instance) and signs an access token of the staff issuer with the agent's one role. The gateway
 * only seals the two secrets for identity and hands the token over: it holds no staff secret and no
 * signing key. It logs every refused attempt with the client's address (identity does not see it). Each staff route is then permitted to some roles only (`STAFF_PERMISSIONS`) and
 * sends its commands as `support:`, `teller:` or `supervisor:<agentId>`, which the services record;
 * supervisors list those records per agent here (the projector's staff-action trail).
 */
@ApiTags('support')
@Controller()
export class StaffRoutes {
  private readonly logger = new Logger('staff');

  constructor(private readonly edge: Edge) {}

  @Post('support/sessions')
  @HttpCode(200)
  @Route({
    summary: "Staff log in with password and authenticator code: returns an access token with the agent's role",
    description:
      'An unknown agent, a wrong password and a wrong, stale or reused code get the same answer, in about the same time. ' +
      'Five failures within 15 minutes lock the agent for 30 minutes (423 LOGIN_LOCKED, details.until), across every gateway instance. Rate limited per IP and per agent id.',
    body: S.StaffLoginRequest,
    status: 200,
    response: S.StaffLoginResponse,
    commands: [identityContract.logInStaff],
  })
  async login(@Http() http: RequestInfo) {
    const { edge } = this;
    // Flood guards of this instance; the limit per address and the lock per agent are identity's, shared by all.
    edge.loginsPerIp.hit(http.ip);
    const { agentId, password, totpCode } = validate(S.StaffLoginRequest, http.body);
    edge.loginsPerPhone.hit(`staff:${agentId}`);
    const data = await execute(
      edge.bus,
      identityContract.logInStaff,
      {
        agentId,
        password: edge.identitySecret('staffPassword', password),
        authenticatorCode: edge.identitySecret('staffAuthenticatorCode', totpCode),
        clientAddress: edge.identitySecret('staffClientAddress', http.ip),
      },
      { key: agentId, actor: 'anonymous' },
    ).catch((error: unknown) => {
      if (error instanceof ProblemError) this.logger.warn(`staff login refused agent=${agentId} ip=${http.ip} code=${error.code}`);
      throw error;
    });
    this.logger.log(`staff login agent=${agentId} role=${String(data['role'])} ip=${http.ip}`);
    return {
      agentId,
      role: data['role'],
      tokenType: 'Bearer',
      accessToken: edge.openIdentityResult('accessToken', data['accessToken']),
      accessTokenExpiresAt: data['accessTokenExpiresAt'],
    };
  }

  @Get('support/staff/:agentId/actions')
  @PageQuery()
  @Route({
    summary: 'What a member of staff did, newest first (supervisor)',
    description:
      'Every event recorded with the agent as actor in identity and payments (freezes, unfreezes, second-factor resets, maintenance windows, counter deposits, approvals and rejections, ' +
      "look-ups of users' payments) and every login attempt of theirs, from the projector's read model (it trails the services by about half a second).",
    status: 200,
    response: S.StaffActionListResponse,
    commands: [projectorContract.listStaffActions],
    codes: ['INVALID_COMMAND'],
    auth: 'support',
  })
  async staffActions(@Param('agentId') agentId: string, @Query() query: unknown, @Http() http: RequestInfo) {
    const actor = requireStaff(await this.edge.principal(http.authorization), 'readStaffActions');
    const id = validate(S.AgentIdParam, agentId, 'agentId');
    return execute(this.edge.bus, projectorContract.listStaffActions, { agentId: id, ...pageOf(query) }, { key: id, actor });
  }
}
