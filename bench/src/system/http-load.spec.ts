import { httpCapacityOf, nextConnections, outcomeOf, type HttpStep } from './http-load';

const step = (connections: number, held: boolean, completedPerSecond = connections * 10): HttpStep => ({
  connections,
  held,
  answeredPerSecond: completedPerSecond,
  completedPerSecond,
  p50Ms: 10,
  p99Ms: held ? 100 : 900,
  outcomes: {},
  errors: 0,
});

describe('HTTP gateway step search', () => {
  it('doubles the payments in flight while every step holds, and stops at the first that does not', () => {
    const steps: HttpStep[] = [];
    for (let connections = nextConnections(steps); connections !== undefined; connections = nextConnections(steps))
      steps.push(step(connections, connections <= 8));
    expect(steps.map((s) => s.connections)).toEqual([1, 2, 4, 8, 16]);
  });

  it('stops after the bounded number of steps', () => {
    const held = Array.from({ length: 8 }, (_, index) => step(2 ** index, true));
    expect(nextConnections(held, 8)).toBeUndefined();
    expect(nextConnections(held.slice(0, 7), 8)).toBe(128);
  });

  it('reports the most completed payments per second of a step that held, never of one that did not', () => {
    expect(httpCapacityOf([step(1, true, 20), step(2, true, 38), step(4, false, 70)])).toBe(38);
    expect(httpCapacityOf([step(1, false, 20)])).toBe(0);
  });
});

describe('outcome of an answer', () => {
  it('reads a completed payment, a pending one, a Problem code, and a body that is not JSON', () => {
    expect(outcomeOf(200, JSON.stringify({ paymentId: 'p', status: 'completed' }))).toBe('COMPLETED');
    expect(outcomeOf(200, JSON.stringify({ paymentId: 'p', status: 'pending' }))).toBe('PENDING');
    expect(outcomeOf(422, JSON.stringify({ type: 'about:blank', code: 'INSUFFICIENT_FUNDS' }))).toBe('INSUFFICIENT_FUNDS');
    expect(outcomeOf(502, '<html>bad gateway</html>')).toBe('HTTP_502');
  });
});
