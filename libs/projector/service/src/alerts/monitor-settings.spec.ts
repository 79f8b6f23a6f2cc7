import { PAYMENT_OUTCOME_WITHIN_MS } from '../invariants';
import {
  DEFAULT_INVARIANTS_INTERVAL_MS,
  DEFAULT_REPLAY_CHECK_INTERVAL_MS,
  InvalidMonitorSetting,
  monitorSettingsFromEnv,
} from './monitor-settings';

describe('invariant monitor settings', () => {
  it('given no variables, then it evaluates every few seconds, replays a sample every minute and allows 5 h for an outcome', () => {
    expect(monitorSettingsFromEnv({})).toMatchObject({
      intervalMs: DEFAULT_INVARIANTS_INTERVAL_MS,
      replayIntervalMs: DEFAULT_REPLAY_CHECK_INTERVAL_MS,
      outcomeWithinMs: PAYMENT_OUTCOME_WITHIN_MS,
    });
    expect([DEFAULT_INVARIANTS_INTERVAL_MS, DEFAULT_REPLAY_CHECK_INTERVAL_MS, PAYMENT_OUTCOME_WITHIN_MS]).toEqual([
      5_000, 60_000, 18_000_000,
    ]);
  });

  it('given the variables, then they are used, 0 included (off)', () => {
    expect(
      monitorSettingsFromEnv({
        PROJECTOR_INVARIANTS_INTERVAL_MS: '2000',
        PROJECTOR_REPLAY_CHECK_INTERVAL_MS: '0',
        PROJECTOR_PAYMENT_OUTCOME_WITHIN_MS: ' 600000 ',
      }),
    ).toMatchObject({ intervalMs: 2_000, replayIntervalMs: 0, outcomeWithinMs: 600_000 });
  });

  it('given a value that is not a whole number of milliseconds, then it refuses to start, naming the variable', () => {
    for (const value of ['-1', '1.5', '5s', 'NaN'])
      expect(() => monitorSettingsFromEnv({ PROJECTOR_INVARIANTS_INTERVAL_MS: value })).toThrow(InvalidMonitorSetting);
    expect(() => monitorSettingsFromEnv({ PROJECTOR_PAYMENT_OUTCOME_WITHIN_MS: '5h' })).toThrow(
      'PROJECTOR_PAYMENT_OUTCOME_WITHIN_MS: not a non-negative whole number of milliseconds: 5h',
    );
  });
});
