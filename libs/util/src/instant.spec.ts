import { canonicalInstant, instantMs, isBefore, plusMs } from './instant';
import { ManualClock, nowInstant } from './clock';

describe('instants, the one form time takes in commands and events', () => {
  it('spells every ISO-8601 instant with a zone the one canonical way, and refuses anything else', () => {
    expect(canonicalInstant('2026-03-01T08:00:00.000Z')).toBe('2026-03-01T08:00:00.000Z');
    expect(canonicalInstant('2026-03-01T16:00+08:00')).toBe('2026-03-01T08:00:00.000Z');
    expect(canonicalInstant('2026-03-01T08:00:00.123456Z')).toBe('2026-03-01T08:00:00.123Z');
    for (const bad of ['2026-03-01', '2026-03-01T08:00:00', 'nope', '', 1_772_352_000_000, new Date(0), null, undefined]) {
      expect(canonicalInstant(bad)).toBeUndefined();
    }
  });

  it('does arithmetic and comparison in milliseconds, a lock ending at T no longer applying at T', () => {
    const t = '2026-03-01T08:00:00.000Z';
    expect(plusMs(t, 90_000)).toBe('2026-03-01T08:01:30.000Z');
    expect(instantMs(plusMs(t, -1)) - instantMs(t)).toBe(-1);
    expect(isBefore(t, plusMs(t, 1))).toBe(true);
    expect(isBefore(t, t)).toBe(false);
    expect(isBefore(t, null)).toBe(false);
  });

  it('reads a clock as an instant', () => {
    const clock = new ManualClock(new Date('2026-03-01T08:00:00.000Z'));
    clock.advance(1_500);
    expect(nowInstant(clock)).toBe('2026-03-01T08:00:01.500Z');
  });
});
