import { etaSeconds, formatDuration, formatProgress, type Progress } from './progress';

const at = (events: number, elapsedMs: number, position: bigint, headPosition?: bigint): Progress => ({
  events,
  elapsedMs,
  eventsPerSecond: (events * 1000) / elapsedMs,
  position,
  headPosition,
});

describe('replay progress line', () => {
  it('estimates the time left from the pace of store positions', () => {
    // A quarter of the head in 10 s: three quarters left at the same pace = 30 s.
    expect(etaSeconds(at(250_000, 10_000, 250_000n, 1_000_000n))).toBe(30);
    // A category replay skips positions of other categories: the pace is in positions, not events.
    expect(etaSeconds(at(1_000, 2_000, 50_000n, 100_000n))).toBe(2);
    expect(etaSeconds(at(10, 1_000, 120n, 100n))).toBe(0);
  });

  it('has no ETA before the first event or without a head', () => {
    expect(etaSeconds(at(0, 1_000, 0n, 100n))).toBeUndefined();
    expect(etaSeconds(at(5, 1_000, 5n))).toBeUndefined();
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect([formatDuration(0), formatDuration(59.6), formatDuration(61), formatDuration(3_600), formatDuration(3_725)]).toEqual([
      '0:00',
      '1:00',
      '1:01',
      '1:00:00',
      '1:02:05',
    ]);
  });

  it('prints events, events/s, the share of the head and the ETA', () => {
    expect(formatProgress('journal', at(250_000, 10_000, 250_000n, 1_000_000n))).toBe(
      'journal: 250,000 events, 25,000 events/s, 25% of head, ETA 0:30, 10.0 s',
    );
    expect(formatProgress('journal', at(1_500, 500, 1_500n))).toBe('journal: 1,500 events, 3,000 events/s, ETA --:--, 0.5 s');
  });
});
