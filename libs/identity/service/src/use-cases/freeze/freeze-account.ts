import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { IDENTITY_EVENT, userStreamId } from '@ledger/identity-domain';
import { accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { ForbiddenActor, parseActor } from '../../infra/actor';
import { type IdentityCore } from '../../identity-core';

/** Codes: `identityContract.freezeAccount.rejects`. */
export async function freezeAccount(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.freezeAccount>>,
): Promise<CommandResult> {
  const { userId, reason } = envelope.payload;
  const actor = parseActor(envelope.actor);
  const freezeActor =
    actor.kind === 'user' && actor.id === userId
      ? ({ kind: 'user' } as const)
      : actor.kind === 'support'
        ? ({ kind: 'support', agentId: actor.id } as const)
        : actor.kind === 'risk'
          ? ({ kind: 'risk', ruleId: actor.id } as const)
          : undefined;
  if (freezeActor === undefined) throw new ForbiddenActor('an account is frozen by its owner, customer service or risk control');
  const step = await core.step(
    core.users,
    userStreamId(userId),
    { type: 'FreezeAccount', userId, now: core.now(), reason, actor: freezeActor },
    commandMetadata(envelope),
  );
  if (step.rejection) return rejectedBy(envelope, step.rejection);
  const frozen = step.events.find((event) => event.type === IDENTITY_EVENT.AccountFrozen);
  return accepted(envelope, { userId, frozenAt: frozen?.type === IDENTITY_EVENT.AccountFrozen ? frozen.data.at : null });
}
