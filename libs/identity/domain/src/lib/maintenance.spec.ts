import { fold } from '@ledger/util';
import { at, givenWhenThen, HOUR, MINUTE } from '../test/given-when-then';
import { InvalidIdentityCommand } from './codes';
import { IDENTITY_EVENT, type MaintenanceEvent } from './events';
import { maintenanceDecider, maintenanceStatusAt } from './maintenance';

const given = givenWhenThen(maintenanceDecider);
const on = (ms: number, untilMs: number): MaintenanceEvent => ({
  type: IDENTITY_EVENT.MaintenanceModeSet,
  data: { on: true, until: at(untilMs), message: 'upgrade in progress', operatorId: 'op-1', at: at(ms) },
});

describe('MaintenanceMode: SetMaintenanceMode', () => {
  it('turns maintenance on until an announced end', () => {
    const result = given([]).when({
      type: 'SetMaintenanceMode',
      on: true,
      until: at(2 * HOUR),
      message: 'upgrade in progress',
      operatorId: 'op-1',
      now: at(0),
    });
    expect(result.events).toEqual([on(0, 2 * HOUR)]);
    expect(maintenanceStatusAt(result.state, at(HOUR))).toEqual({ active: true, until: at(2 * HOUR), message: 'upgrade in progress' });
  });

  it('ends by itself at `until` (active 1 ms before, inactive at the boundary)', () => {
    const state = fold(maintenanceDecider, [on(0, HOUR)]);
    expect(maintenanceStatusAt(state, at(HOUR - 1)).active).toBe(true);
    expect(maintenanceStatusAt(state, at(HOUR)).active).toBe(false);
  });

  it('turns off early, and turning off twice changes nothing', () => {
    const off = given([on(0, HOUR)]).when({ type: 'SetMaintenanceMode', on: false, operatorId: 'op-2', now: at(MINUTE) });
    expect(off.events).toEqual([
      { type: IDENTITY_EVENT.MaintenanceModeSet, data: { on: false, until: null, message: null, operatorId: 'op-2', at: at(MINUTE) } },
    ]);
    expect(maintenanceStatusAt(off.state, at(2 * MINUTE))).toEqual({ active: false });
    expect(given(off.history).when({ type: 'SetMaintenanceMode', on: false, operatorId: 'op-2', now: at(2 * MINUTE) }).events).toEqual([]);
  });

  it('extends a running window, keeping its start', () => {
    const extended = given([on(0, HOUR)]).when({
      type: 'SetMaintenanceMode',
      on: true,
      until: at(3 * HOUR),
      message: 'taking longer',
      operatorId: 'op-1',
      now: at(MINUTE),
    });
    expect(extended.state).toEqual({ kind: 'on', until: at(3 * HOUR), message: 'taking longer', since: at(0), operatorId: 'op-1' });
  });

  it('throws for a window that ends in the past or has no message', () => {
    expect(() =>
      given([]).when({ type: 'SetMaintenanceMode', on: true, until: at(0), message: 'x', operatorId: 'op', now: at(0) }),
    ).toThrow(InvalidIdentityCommand);
    expect(() =>
      given([]).when({ type: 'SetMaintenanceMode', on: true, until: at(HOUR), message: ' ', operatorId: 'op', now: at(0) }),
    ).toThrow(InvalidIdentityCommand);
    expect(() => given([]).when({ type: 'SetMaintenanceMode', on: false, operatorId: '', now: at(0) })).toThrow(InvalidIdentityCommand);
  });
});
