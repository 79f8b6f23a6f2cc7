import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import type { CommandEnvelope } from '@ledger/messaging';
import { ForbiddenActor, parseActor } from '../../infra/actor';
import type { IdentityCore } from '../../identity-core';

/** Codes: `identityContract.resetSecondFactor.rejects`. */
export async function resetSecondFactor(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.resetSecondFactor>>,
): Promise<CommandResult> {
  const { userId, verificationReference } = envelope.payload;
  const actor = parseActor(envelope.actor);
  if (actor.kind !== 'support') throw new ForbiddenActor('only customer service may reset a second factor');
  return core.changeUser(envelope, userId, {
    type: 'ResetSecondFactor',
    userId,
    now: core.now(),
    supportAgentId: actor.id,
    verificationReference,
  });
}
