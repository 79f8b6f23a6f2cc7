import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { IDENTITY_EVENT, userStreamId } from '@ledger/identity-domain';
import { accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { ForbiddenActor, parseActor } from '../../infra/actor';
import { type IdentityCore } from '../../identity-core';

/** Codes: `identityContract.raiseRiskAlert.rejects`. */
export async function raiseRiskAlert(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.raiseRiskAlert>>,
): Promise<CommandResult> {
  const { userId, signal, severity, description, protect } = envelope.payload;
  const actor = parseActor(envelope.actor);
  if (actor.kind !== 'risk' && actor.kind !== 'system') throw new ForbiddenActor('risk alerts come from risk rules or internal systems');
  const step = await core.step(
    core.users,
    userStreamId(userId),
    { type: 'RaiseRiskAlert', userId, now: core.now(), signal, severity, description, source: `${actor.kind}:${actor.id}`, protect },
    commandMetadata(envelope),
  );
  if (step.rejection) return rejectedBy(envelope, step.rejection);
  return accepted(envelope, { userId, frozen: step.events.some((event) => event.type === IDENTITY_EVENT.AccountFrozen) });
}
