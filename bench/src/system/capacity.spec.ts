import { capacityOf, nextCapacityRate, type CapacityStep } from './capacity';

const step = (rate: number, held: boolean): CapacityStep => ({
  rate,
  held,
  completedPerSecond: rate,
  p50Ms: 1,
  p99Ms: held ? 100 : 900,
  refused: 0,
  unfinished: 0,
});
const plan = { startRate: 25, growth: 2, maxSteps: 8, resolution: 10 };

describe('capacity step search', () => {
  it('doubles while every step holds, then halves the gap down to the resolution', () => {
    const steps: CapacityStep[] = [];
    const capacity = 140; // the system under test holds any rate up to this
    for (let rate = nextCapacityRate(steps, plan); rate !== undefined; rate = nextCapacityRate(steps, plan))
      steps.push(step(rate, rate <= capacity));
    expect(steps.map((s) => s.rate)).toEqual([25, 50, 100, 200, 150, 125, 138, 144]);
    expect(capacityOf(steps)).toBe(138);
  });

  it('reports 0 when even the first rate fails, and stops after the bounded number of steps', () => {
    const steps = [step(25, false)];
    expect(nextCapacityRate(steps, plan)).toBe(13);
    expect(capacityOf(steps)).toBe(0);
    const many = Array.from({ length: 8 }, (_, index) => step(25 * 2 ** index, true));
    expect(nextCapacityRate(many, plan)).toBeUndefined();
  });
});
