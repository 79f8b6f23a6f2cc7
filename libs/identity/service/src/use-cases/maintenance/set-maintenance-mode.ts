import { identityContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { MAINTENANCE_STREAM_ID, maintenanceStatusAt, type MaintenanceCommand } from '@ledger/identity-domain';
import { accepted, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { commandMetadata } from '@ledger/event-store';
import { ForbiddenActor, parseActor } from '../../infra/actor';
import { type IdentityCore } from '../../identity-core';

/** Codes: `identityContract.setMaintenanceMode.rejects`. */
export async function setMaintenanceMode(
  core: IdentityCore,
  envelope: CommandEnvelope<PayloadOf<typeof identityContract.setMaintenanceMode>>,
): Promise<CommandResult> {
  const actor = parseActor(envelope.actor);
  if (actor.kind !== 'support' && actor.kind !== 'system') throw new ForbiddenActor('only operators may switch maintenance mode');
  const operatorId = `${actor.kind}:${actor.id}`;
  const now = core.now();
  const payload = envelope.payload;
  const command: MaintenanceCommand = payload.on
    ? { type: 'SetMaintenanceMode', on: true, until: payload.until, message: payload.message, operatorId, now }
    : { type: 'SetMaintenanceMode', on: false, operatorId, now };
  const step = await core.step(core.maintenance, MAINTENANCE_STREAM_ID, command, commandMetadata(envelope));
  if (step.rejection) return rejectedBy(envelope, step.rejection);
  const status = maintenanceStatusAt((await core.maintenance.load(MAINTENANCE_STREAM_ID)).state, now);
  return accepted(envelope, status.active ? { on: true, until: status.until, message: status.message } : { on: false });
}
