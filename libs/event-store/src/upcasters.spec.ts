import type { EventMetadata } from './port';
import { UpcasterRegistry } from './upcasters';

const metadata: EventMetadata = {
  correlationId: 'c',
  causationId: 'k',
  actor: 'user:1',
  occurredAt: '2026-11-22T00:00:00.000Z',
  schemaVersion: 1,
};

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry([
    {
      fromType: 'wallet.FundsReserved.v1',
      toType: 'wallet.FundsReserved.v2',
      upcast: ({ data }) => ({ data: { amountMinor: String(data.amount) } }),
    },
    {
      fromType: 'wallet.FundsReserved.v2',
      toType: 'wallet.FundsReserved.v3',
      upcast: ({ data, metadata: meta }) => ({ data: { ...data, currency: 'CNY' }, metadata: { ...meta, schemaVersion: 3 } }),
    },
  ]);

  it('given a v1 event, when read, then it passes through every step to v3', () => {
    expect(registry.upcast({ type: 'wallet.FundsReserved.v1', data: { amount: 5 }, metadata })).toEqual({
      type: 'wallet.FundsReserved.v3',
      data: { amountMinor: '5', currency: 'CNY' },
      metadata: { ...metadata, schemaVersion: 3 },
    });
    expect(registry.latestType('wallet.FundsReserved.v1')).toBe('wallet.FundsReserved.v3');
  });

  it('given an event of the newest or an unknown type, when read, then it is returned as is', () => {
    const newest = { type: 'wallet.FundsReserved.v3', data: { amountMinor: '1', currency: 'CNY' }, metadata };
    expect(registry.upcast(newest)).toBe(newest);
    expect(registry.has('wallet.Other.v1')).toBe(false);
  });

  it('refuses a second step from the same type, a step to itself and a cycle', () => {
    expect(() => registry.register({ fromType: 'wallet.FundsReserved.v1', toType: 'x', upcast: (e) => e })).toThrow('already registered');
    expect(() => new UpcasterRegistry().register({ fromType: 'a', toType: 'a', upcast: (e) => e })).toThrow('to itself');
    const cyclic = new UpcasterRegistry().register({ fromType: 'a.v1', toType: 'a.v2', upcast: (e) => e });
    expect(() => cyclic.register({ fromType: 'a.v2', toType: 'a.v1', upcast: (e) => e })).toThrow('cyclic');
    expect(cyclic.has('a.v2')).toBe(false);
  });
});
