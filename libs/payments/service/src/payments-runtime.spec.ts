import { DevModeRequired } from '@ledger/util';
import { SimulatedAcquirer, SimulatedBiller, SimulatedCardGateway } from './partners';
import { partnersOf } from './payments-runtime';

describe('the partners payments talks to', () => {
  const given = { acquirer: new SimulatedAcquirer(), cards: new SimulatedCardGateway(), biller: new SimulatedBiller() };

  it('are the ones given, in any mode', () => {
    expect(partnersOf(given, {})).toEqual(given);
  });

  it('are the simulators only in development mode: a service started without partner adapters refuses to start otherwise', () => {
    expect(() => partnersOf({}, {})).toThrow(DevModeRequired);
    expect(() => partnersOf({ acquirer: given.acquirer, cards: given.cards }, { NODE_ENV: 'production' })).toThrow(
      /billers are simulated.*LEDGER_DEV_MODE=1/,
    );
    const simulated = partnersOf({}, { LEDGER_DEV_MODE: '1', PAYMENTS_ACQUIRER_DELAY_MS: '150' });
    expect(simulated.acquirer).toBeInstanceOf(SimulatedAcquirer);
    expect((simulated.acquirer as SimulatedAcquirer).delayMs).toBe(150);
    expect(simulated.cards).toBeInstanceOf(SimulatedCardGateway);
    expect(simulated.biller).toBeInstanceOf(SimulatedBiller);
  });
});
