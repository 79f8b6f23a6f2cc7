import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { IDENTITY_ERROR, IDENTITY_EVENT, type CodeProof, type UserCommand, type UserState } from '@ledger/identity-domain';
import { InvalidInput, rejected, type CommandEnvelope } from '@ledger/messaging';
import { parseActor } from '../../infra/actor';
import { type IdentityCore } from '../../identity-core';

/**
 * By support: after verifying the caller out of band (the reference is recorded). By the user:
 * an `unfreeze` SMS code to the bound phone plus the payment password (plus the dynamic code
 * when enabled), typically after logging in on a new phone.
 *
 * Codes: `identityContract.unfreezeAccount.rejects`.
 */
export async function unfreezeAccount(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.unfreezeAccount>>,
): Promise<CommandResult> {
  const { userId } = envelope.payload;
  const actor = parseActor(envelope.actor);
  const now = core.now();
  if (actor.kind === 'support') {
    const verificationReference = envelope.payload.verificationReference;
    if (verificationReference === undefined)
      throw new InvalidInput('verificationReference', 'customer service must record how the caller was verified');
    return core.changeUser(envelope, userId, {
      type: 'UnfreezeAccount',
      userId,
      now,
      actor: { kind: 'support', agentId: actor.id, verificationReference },
    });
  }
  core.requireSelf(envelope, userId);
  if (envelope.payload.code === undefined) throw new InvalidInput('code', 'an unfreeze SMS code is required');
  if (envelope.payload.paymentPassword === undefined) throw new InvalidInput('paymentPassword', 'the payment password is required');
  const code = core.open(envelope.payload.code, 'code');
  const password = core.open(envelope.payload.paymentPassword, 'paymentPassword');
  const secondFactorCode = core.openOptional(envelope.payload.secondFactorCode, 'secondFactorCode');
  const user = await core.userState(userId);
  if (user === undefined) return rejected(envelope, IDENTITY_ERROR.USER_NOT_FOUND, 'no such user', { userId });
  const secondFactor = core.secondFactorCheck(user, secondFactorCode, now);
  const command = (verification: CodeProof | undefined) => ({
    type: 'Resolve' as const,
    resolve: (state: UserState): UserCommand => ({
      type: 'UnfreezeAccount',
      userId,
      now,
      actor: { kind: 'user', verification, paymentPasswordMatches: core.paymentPasswordMatches(state, password), secondFactor },
    }),
  });
  return core.withSmsCode(envelope, user, { purpose: 'unfreeze', code }, command, IDENTITY_EVENT.AccountUnfrozen);
}
