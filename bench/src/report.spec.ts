import { latencySummary } from './report';

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
