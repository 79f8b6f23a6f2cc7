import { adapterFor } from './factory';
import { InvalidCursor } from './errors';
import { decodeKurrentCursor, encodeKurrentCursor } from './kurrent/kurrent-cursor';
import { categoryRegex } from './kurrent/kurrent-mapping';
import { comparePostgresCursors, decodePostgresCursor, encodePostgresCursor } from './postgres/cursor';
import { START, categoryOf } from './port';

describe('choosing the adapter by URL scheme', () => {
  it.each([
    ['postgres://u:p@db:5432/ledger', 'postgres'],
    ['postgresql://db/ledger', 'postgres'],
    ['esdb://localhost:2113?tls=false', 'kurrentdb'],
    ['esdb+discover://cluster:2113', 'kurrentdb'],
    ['kurrentdb://localhost:2113?tls=false', 'kurrentdb'],
    ['kurrentdb+discover://cluster:2113', 'kurrentdb'],
  ])('%s → %s', (url, adapter) => {
    expect(adapterFor(url)).toBe(adapter);
  });

  it('refuses other schemes without echoing the password', () => {
    expect(() => adapterFor('mysql://root:secret@db/x')).toThrow(/Unsupported event store URL scheme/);
    expect(() => adapterFor('mysql://root:secret@db/x')).not.toThrow(/secret/);
  });
});

describe('cursors', () => {
  it('PostgreSQL cursors round-trip and order by transaction id first, then position', () => {
    const cursor = encodePostgresCursor({ transactionId: 812n, position: 1045n });
    expect(cursor).toBe('812:1045');
    expect(decodePostgresCursor(cursor)).toEqual({ transactionId: 812n, position: 1045n });
    expect(decodePostgresCursor(START)).toEqual({ transactionId: 0n, position: 0n });
    expect(comparePostgresCursors('811:2000', '812:1')).toBe(-1);
    expect(comparePostgresCursors('812:2', '812:1')).toBe(1);
    expect(comparePostgresCursors(START, '1:1')).toBe(-1);
    expect(() => decodePostgresCursor('kurrent:1:1')).toThrow(InvalidCursor);
  });

  it('KurrentDB cursors round-trip', () => {
    expect(decodeKurrentCursor(encodeKurrentCursor({ commit: 10n, prepare: 9n }))).toEqual({ commit: 10n, prepare: 9n });
    expect(decodeKurrentCursor(START)).toBeUndefined();
    expect(() => decodeKurrentCursor('812:1045')).toThrow(InvalidCursor);
  });
});

describe('categories', () => {
  it('are the stream name up to the first dash', () => {
    expect(categoryOf('wallet-123')).toBe('wallet');
    expect(categoryOf('phone-ab-cd')).toBe('phone');
    expect(categoryOf('wallet')).toBe('wallet');
  });

  it('become an anchored, escaped regex for KurrentDB filters', () => {
    const regex = new RegExp(categoryRegex('a.b'));
    expect(regex.test('a.b-1')).toBe(true);
    expect(regex.test('a.b')).toBe(true);
    expect(regex.test('axb-1')).toBe(false);
    expect(regex.test('a.bc-1')).toBe(false);
  });
});
