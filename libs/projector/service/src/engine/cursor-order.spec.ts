import { START } from '@ledger/event-store';
import { cursorOrderFor, earliest, isAfter } from './cursor-order';

describe('cursor order', () => {
  const order = cursorOrderFor('postgres://user@db:5432/ledger')!;

  it('given PostgreSQL cursors, orders them by transaction id first, then position', () => {
    expect(isAfter(order, '10:5', '9:7')).toBe(true);
    expect(isAfter(order, '9:7', '10:5')).toBe(false);
    expect(isAfter(order, '10:6', '10:5')).toBe(true);
    expect(isAfter(order, '10:5', '10:5')).toBe(false);
    expect(isAfter(order, '1:1', START)).toBe(true);
  });

  it('given several cursors, the earliest is the one every reader of them must start from', () => {
    expect(earliest(order, ['12:1', '9:30', '10:2'])).toBe('9:30');
    expect(earliest(order, ['12:1', START])).toBe(START);
    expect(() => earliest(order, [])).toThrow('no cursors');
  });

  it('given a KurrentDB store, gives no order, so its projections keep their own subscriptions', () => {
    expect(cursorOrderFor('esdb://localhost:2113?tls=false')).toBeUndefined();
    expect(cursorOrderFor('kurrentdb://localhost:2113')).toBeUndefined();
  });
});
