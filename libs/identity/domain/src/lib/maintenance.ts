import { assertNever, type Decider } from '@ledger/util';
import { InvalidIdentityCommand, type IdentityRejection } from './codes';
import { IDENTITY_EVENT, type MaintenanceEvent } from './events';
import { instant, instantMs, isBefore, type Instant } from './time';

/**
 * The maintenance switch, a system-wide singleton stream (`identity-maintenance`). While it is on,
 * registration answers `SYSTEM_MAINTENANCE` with the announced end time.
 *
 * A window always has an end (`until`), shown to callers as the retry hint, and it ends by itself
 * at that instant: a switch someone forgot to turn off must not block registrations indefinitely.
 * Operators extend a window by setting it again, or end it early by turning it off.
 */
export const MAINTENANCE_STREAM_ID = 'identity-maintenance';

export type SetMaintenanceMode =
  | { type: 'SetMaintenanceMode'; on: true; until: Instant; message: string; operatorId: string; now: Instant }
  | { type: 'SetMaintenanceMode'; on: false; operatorId: string; now: Instant };

export type MaintenanceCommand = SetMaintenanceMode;

export type MaintenanceState = { kind: 'off' } | { kind: 'on'; until: Instant; message: string; since: Instant; operatorId: string };

/** What the user decider needs to know, computed by the service at the command's instant. */
export type MaintenanceStatus = { active: false } | { active: true; until: Instant; message: string };

export function maintenanceStatusAt(state: MaintenanceState, now: Instant): MaintenanceStatus {
  switch (state.kind) {
    case 'off':
      return { active: false };
    case 'on':
      return isBefore(now, state.until) ? { active: true, until: state.until, message: state.message } : { active: false };
    default:
      return assertNever(state, 'maintenance state');
  }
}

export type MaintenanceDecider = Decider<MaintenanceCommand, MaintenanceEvent, MaintenanceState, IdentityRejection>;

export const maintenanceDecider: MaintenanceDecider = {
  initialState: () => ({ kind: 'off' }),

  decide(command, state) {
    if (command.operatorId.trim() === '') throw new InvalidIdentityCommand('operatorId is required');
    if (!command.on) {
      // Turning off what is already off changes nothing; answering with no events keeps it idempotent.
      if (state.kind === 'off') return [];
      return [
        {
          type: IDENTITY_EVENT.MaintenanceModeSet,
          data: { on: false, until: null, message: null, operatorId: command.operatorId, at: instant(command.now) },
        },
      ];
    }
    if (instantMs(instant(command.until)) <= instantMs(instant(command.now)))
      throw new InvalidIdentityCommand('a maintenance window must end in the future');
    if (command.message.trim() === '') throw new InvalidIdentityCommand('a maintenance window needs a message for callers');
    return [
      {
        type: IDENTITY_EVENT.MaintenanceModeSet,
        data: {
          on: true,
          until: instant(command.until),
          message: command.message,
          operatorId: command.operatorId,
          at: instant(command.now),
        },
      },
    ];
  },

  evolve(state, event) {
    switch (event.type) {
      case IDENTITY_EVENT.MaintenanceModeSet: {
        const { on, until, message, operatorId, at } = event.data;
        if (!on || until === null) return { kind: 'off' };
        // Extending a window keeps its original start.
        const since = state.kind === 'on' && instantMs(state.until) > instantMs(at) ? state.since : at;
        return { kind: 'on', until, message: message ?? '', since, operatorId };
      }
      default:
        return assertNever(event.type, 'maintenance event type');
    }
  },
};
