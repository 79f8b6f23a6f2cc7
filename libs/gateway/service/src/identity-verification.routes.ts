import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { identityContract } from '@ledger/contracts';
import { execute } from './command-bus';
import { Edge } from './gateway.services';
import { requireSelf } from './http/auth';
import { Route } from './http/docs';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';

/** 实名认证 after registration: the account, and the wallet's tier, become `verified`. */
@ApiTags('identity')
@Controller()
export class IdentityVerificationRoutes {
  constructor(private readonly edge: Edge) {}

  @Post('users/:userId/identity-verification')
  @HttpCode(200)
  @Route({
    summary: 'Verify my identity with my resident ID number: the account becomes verified and the wallet moves to the verified tier',
    description:
      'For a user who registered without an ID number. The number is sealed for identity here, checked there (GB 11643 check character) and kept only encrypted. ' +
      'The wallet raises its tier (higher limits) once it learns of it, within moments.',
    body: S.IdentityVerificationRequest,
    status: 200,
    response: S.IdentityVerifiedResponse,
    commands: [identityContract.verifyIdentity],
    auth: 'user',
  })
  async verifyIdentity(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const { idNumber } = validate(S.IdentityVerificationRequest, http.body);
    return execute(
      this.edge.bus,
      identityContract.verifyIdentity,
      { userId, idNumber: this.edge.identitySecret('idNumber', idNumber.toUpperCase()) },
      { key: userId, actor: principal.actor },
    );
  }
}
