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

/**
 * The second factor's confirmation step: enabling (in `IdentityRoutes`) only starts an enrollment,
 * and the factor is on once the user proves here that the authenticator holds the new secret.
 */
@ApiTags('identity')
@Controller()
export class SecondFactorRoutes {
  constructor(private readonly edge: Edge) {}

  @Post('users/:userId/second-factor/confirmation')
  @HttpCode(200)
  @Route({
    summary: 'Confirm the second factor (TOTP) with a code from the authenticator: turns it on and returns the recovery codes once',
    description:
      'Needs an enrollment started by POST /users/{userId}/second-factor (else 409 SECOND_FACTOR_NOT_PENDING). A wrong code (422 SECOND_FACTOR_CODE_INVALID) ' +
      'counts toward no lock and leaves the enrollment pending; try again, or enrol again for a new secret. The answer carries 10 one-time recovery codes, ' +
      'shown only this once: each stands in for a dynamic code (secondFactorCode) once if the authenticator is lost.',
    body: S.ConfirmSecondFactorRequest,
    status: 200,
    response: S.SecondFactorConfirmedResponse,
    commands: [identityContract.confirmSecondFactor],
    auth: 'user',
  })
  async confirmSecondFactor(@Param('userId') userId: string, @Http() http: RequestInfo) {
    const principal = await this.edge.principal(http.authorization);
    requireSelf(principal, userId);
    const body = validate(S.ConfirmSecondFactorRequest, http.body);
    const { edge } = this;
    const data = await execute(
      edge.bus,
      identityContract.confirmSecondFactor,
      { userId, secondFactorCode: edge.identitySecret('secondFactorCode', body.secondFactorCode) },
      { key: userId, actor: principal.actor },
    );
    // Sealed on Kafka like the provisioning URI; the app gets the codes in clear over TLS, once.
    return { ...data, recoveryCodes: recoveryCodesOf(edge.openIdentityResult('recoveryCodes', data['recoveryCodes'])) };
  }
}

/** The opened recovery codes: identity seals them as one JSON array of strings. */
function recoveryCodesOf(opened: string): string[] {
  const codes: unknown = JSON.parse(opened);
  if (!Array.isArray(codes) || !codes.every((code): code is string => typeof code === 'string'))
    throw new Error('identity answered recovery codes that are not a list of strings');
  return codes;
}
