import { Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ARGON2_OWASP_PARAMS, hashLoginPassword, signAccessToken, verifyLoginPassword } from '@ledger/crypto';
import { Edge } from './gateway.services';
import { Route } from './http/docs';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';
import { ProblemError } from './problem';

/** The device claim of a support token: staff work from the support console, not from a phone. */
export const SUPPORT_CONSOLE_DEVICE = 'support-console';

/**
 * Staff login: an agent of the staff registry (`GATEWAY_SUPPORT_STAFF`, argon2id hashes) proves
 * the password and gets an access token with role `support`, signed with the same key as the
 * users' tokens. Every support route then sends its commands as `support:<agentId>`, which the
 * services record, so each action stays attributed to the agent who logged in.
 */
@ApiTags('support')
@Controller()
export class StaffRoutes {
  private readonly logger = new Logger('staff');
  private dummyHash?: Promise<string>;

  constructor(private readonly edge: Edge) {}

  @Post('support/sessions')
  @HttpCode(200)
  @Route({
    summary: 'Support staff log in: returns an access token with the support role',
    description: 'Unknown agent and wrong password get the same answer, in about the same time. Rate limited per IP and per agent id.',
    body: S.StaffLoginRequest,
    status: 200,
    response: S.StaffLoginResponse,
    codes: ['RATE_LIMITED', 'INVALID_CREDENTIALS'],
  })
  async login(@Http() http: RequestInfo) {
    this.edge.loginsPerIp.hit(http.ip);
    const { agentId, password } = validate(S.StaffLoginRequest, http.body);
    this.edge.loginsPerPhone.hit(`staff:${agentId}`);
    const { config } = this.edge;
    const storedHash = config.supportStaff.get(agentId);
    // An unknown agent still costs one argon2 verification, so timing does not reveal who exists.
    const valid = await verifyLoginPassword(password, storedHash ?? (await this.unknownAgentHash()));
    if (storedHash === undefined || !valid) {
      this.logger.warn(`support login refused agent=${agentId} ip=${http.ip}`);
      throw new ProblemError('INVALID_CREDENTIALS', 'wrong agent id or password');
    }
    const access = await signAccessToken({ userId: agentId, deviceId: SUPPORT_CONSOLE_DEVICE, now: new Date(), ttlMs: config.supportTokenTtlMs }, 'staff', config.staffTokenSigningKey);
    this.logger.log(`support login agent=${agentId} ip=${http.ip}`);
    return { agentId, tokenType: 'Bearer', accessToken: access.token, accessTokenExpiresAt: access.expiresAt.toISOString() };
  }

  private unknownAgentHash(): Promise<string> {
    this.dummyHash ??= hashLoginPassword('no agent has this password', ARGON2_OWASP_PARAMS);
    return this.dummyHash;
  }
}
