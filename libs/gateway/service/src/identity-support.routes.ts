import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { identityContract } from '@ledger/contracts';
import { execute } from './command-bus';
import { Edge } from './gateway.services';
import { requireStaff } from './http/auth';
import { Route } from './http/docs';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';

/** Customer service (role `support`): freeze, unfreeze after re-verification, reset the second factor. */
@ApiTags('support')
@Controller('support/users/:userId')
export class SupportRoutes {
  constructor(private readonly edge: Edge) {}

  @Post('freeze')
  @HttpCode(200)
  @Route({
    summary: "Freeze a user's account (support, supervisor)",
    body: S.FreezeRequest,
    status: 200,
    response: S.FreezeResponse,
    commands: [identityContract.freezeAccount],
    auth: 'support',
  })
  async freeze(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'freezeAccount');
    const id = validate(S.UserIdParam, userId, 'userId');
    const body = validate(S.FreezeRequest, http.body);
    return execute(this.edge.bus, identityContract.freezeAccount, { userId: id, reason: body.reason }, { key: id, actor });
  }

  @Post('unfreeze')
  @HttpCode(200)
  @Route({
    summary: "Unfreeze a user's account after verifying the caller (support, supervisor)",
    body: S.SupportUnfreezeRequest,
    status: 200,
    response: S.UserResponse,
    commands: [identityContract.unfreezeAccount],
    auth: 'support',
  })
  async unfreeze(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'unfreezeAccount');
    const id = validate(S.UserIdParam, userId, 'userId');
    const body = validate(S.SupportUnfreezeRequest, http.body);
    return execute(
      this.edge.bus,
      identityContract.unfreezeAccount,
      { userId: id, verificationReference: body.verificationReference },
      { key: id, actor },
    );
  }

  @Post('second-factor/reset')
  @HttpCode(200)
  @Route({
    summary: "Remove a user's lost authenticator after verifying the caller (support, supervisor)",
    body: S.SupportResetSecondFactorRequest,
    status: 200,
    response: S.UserResponse,
    commands: [identityContract.resetSecondFactor],
    auth: 'support',
  })
  async resetSecondFactor(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'resetSecondFactor');
    const id = validate(S.UserIdParam, userId, 'userId');
    const body = validate(S.SupportResetSecondFactorRequest, http.body);
    return execute(
      this.edge.bus,
      identityContract.resetSecondFactor,
      { userId: id, verificationReference: body.verificationReference },
      { key: id, actor },
    );
  }
}

/** Supervisors: the maintenance window of registration. */
@ApiTags('support')
@Controller('support/maintenance')
export class MaintenanceRoutes {
  constructor(private readonly edge: Edge) {}

  @Post()
  @HttpCode(200)
  @Route({
    summary: 'Open or close a maintenance window (supervisor)',
    description: 'While open, registration answers 503 SYSTEM_MAINTENANCE with Retry-After and the announced message.',
    body: S.MaintenanceRequest,
    status: 200,
    response: S.MaintenanceResponse,
    commands: [identityContract.setMaintenanceMode],
    auth: 'support',
  })
  async set(@Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    const actor = requireStaff(principal, 'maintenance');
    const body = validate(S.MaintenanceRequest, http.body);
    return execute(this.edge.bus, identityContract.setMaintenanceMode, body, { key: 'maintenance', actor });
  }
}
