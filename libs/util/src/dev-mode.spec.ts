import { DevModeRequired, isDevMode, requireDevMode } from './dev-mode';

describe('development mode', () => {
  it('is on only for LEDGER_DEV_MODE=1, never implied by NODE_ENV', () => {
    expect(isDevMode({ LEDGER_DEV_MODE: '1' })).toBe(true);
    for (const env of [{}, { LEDGER_DEV_MODE: '0' }, { LEDGER_DEV_MODE: 'true' }, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }])
      expect(isDevMode(env)).toBe(false);
  });

  it('refuses a stand-in outside it, naming the stand-in and the switch', () => {
    expect(() => requireDevMode('the SMS outbox is a simulator', {})).toThrow(DevModeRequired);
    expect(() => requireDevMode('the SMS outbox is a simulator', {})).toThrow(/SMS outbox.*LEDGER_DEV_MODE=1/);
    expect(() => requireDevMode('the SMS outbox is a simulator', { LEDGER_DEV_MODE: '1' })).not.toThrow();
  });
});
