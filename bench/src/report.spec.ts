import { commandOf, latencySummary } from './report';

describe('latencySummary', () => {
  it('takes nearest-rank percentiles of the samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
    expect(latencySummary(samples)).toEqual({ count: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 });
  });

  it('does not depend on the order of the samples', () => {
    expect(latencySummary([5, 1, 3, 2, 4])).toEqual(latencySummary([1, 2, 3, 4, 5]));
  });

  it('reports zeros for no samples rather than failing', () => {
    expect(latencySummary([])).toEqual({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
  });
});

describe('commandOf', () => {
  it("names the run's own settings, sorted, before the script and its arguments, and nothing else of the environment", () => {
    const env = { BENCH_RATE: '100', PATH: '/usr/bin', LEDGER_REPLICAS: '2', BENCH_DURATION_S: '30', DATABASE_URL: 'postgres://secret' };
    expect(commandOf('bench', ['BENCH_', 'LEDGER_REPLICAS'], ['-- --capacity'], env)).toBe(
      'BENCH_DURATION_S=30 BENCH_RATE=100 LEDGER_REPLICAS=2 npm run bench -- --capacity',
    );
    expect(commandOf('chaos', ['CHAOS_'], [], env)).toBe('npm run chaos');
  });
});
