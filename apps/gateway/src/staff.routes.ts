import { Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ARGON2_OWASP_PARAMS, hashLoginPassword, signAccessToken, verifyLoginPassword, verifyTotp } from '@ledger/crypto';
import { Edge } from './gateway.services';
import { Route } from './http/docs';
import { Http, type RequestInfo } from './http/request';
import * as S from './http/schemas';
import { validate } from './http/validation';
import { ProblemError } from './problem';

/** The device claim of a support token: staff work from the support console, not from a phone. */
export const SUPPORT_CONSOLE_DEVICE = 'support-console';

/**
 * Staff login: an agent of the staff registry (`GATEWAY_STAFF`) proves the password and a current
 * code of their authenticator (the second factor is mandatory for staff; a code is used once) and
 * gets an access token of the staff issuer with the agent's one role. Each staff route is then
 * permitted to some roles only (`STAFF_PERMISSIONS`) and sends its commands as `support:<agentId>`
 * or `teller:<agentId>`, which the services record, so each action stays attributed to the agent.
 */
@ApiTags('support')
@Controller()
export class StaffRoutes {
  private readonly logger = new Logger('staff');
  private dummyHash?: Promise<string>;
  /** The time step of each agent's last accepted code: a code opens one session only (RFC 6238 §5.2). Bounded by the registry's size. */
  private readonly lastCodeStep = new Map<string, number>();

  constructor(private readonly edge: Edge) {}

  @Post('support/sessions')
  @HttpCode(200)
  @Route({
    summary: "Staff log in with password and authenticator code: returns an access token with the agent's role",
    description:
      'An unknown agent, a wrong password and a wrong, stale or reused code get the same answer, in about the same time. Rate limited per IP and per agent id.',
    body: S.StaffLoginRequest,
    status: 200,
    response: S.StaffLoginResponse,
    codes: ['RATE_LIMITED', 'INVALID_CREDENTIALS'],
  })
  async login(@Http() http: RequestInfo) {
    this.edge.loginsPerIp.hit(http.ip);
    const { agentId, password, totpCode } = validate(S.StaffLoginRequest, http.body);
    this.edge.loginsPerPhone.hit(`staff:${agentId}`);
    const { config } = this.edge;
    const member = config.staff.get(agentId);
    const now = new Date();
    // An unknown agent still costs one argon2 verification, so timing does not reveal who exists.
    const passwordValid = await verifyLoginPassword(password, member?.passwordHash ?? (await this.unknownAgentHash()));
    const code = member === undefined ? { valid: false as const } : verifyTotp(member.totpSecret, totpCode, now.getTime());
    const fresh = code.valid && code.timeStep > (this.lastCodeStep.get(agentId) ?? -1);
    if (member === undefined || !passwordValid || !code.valid || !fresh) {
      this.logger.warn(`staff login refused agent=${agentId} ip=${http.ip}`);
      throw new ProblemError('INVALID_CREDENTIALS', 'wrong agent id, password or authenticator code');
    }
    this.lastCodeStep.set(agentId, code.timeStep);
    const access = await signAccessToken({ userId: agentId, role: member.role, deviceId: SUPPORT_CONSOLE_DEVICE, now, ttlMs: config.supportTokenTtlMs }, 'staff', config.staffTokenSigningKey);
    this.logger.log(`staff login agent=${agentId} role=${member.role} ip=${http.ip}`);
    return { agentId, role: member.role, tokenType: 'Bearer', accessToken: access.token, accessTokenExpiresAt: access.expiresAt.toISOString() };
  }

  private unknownAgentHash(): Promise<string> {
    this.dummyHash ??= hashLoginPassword('no agent has this password', ARGON2_OWASP_PARAMS);
    return this.dummyHash;
  }
}
