import { InvalidAmount, formatYuan, parseMinor, parsePositiveMinor } from './money';

describe('money', () => {
  it('parses canonical decimal strings of fen into bigint', () => {
    expect(parseMinor('0')).toBe(0n);
    expect(parseMinor('12345')).toBe(12345n);
    expect(parseMinor('999999999999999999')).toBe(999999999999999999n);
  });

  it.each([['-1'], ['1.5'], ['01'], [''], [' 1'], ['1e3'], [12], [null], ['1000000000000000000']])('rejects %p', (value) => {
    expect(() => parseMinor(value)).toThrow(InvalidAmount);
  });

  it('requires money-moving amounts to be positive', () => {
    expect(() => parsePositiveMinor('0')).toThrow(InvalidAmount);
    expect(parsePositiveMinor('1')).toBe(1n);
  });

  it('formats fen as yuan for people', () => {
    expect(formatYuan(12345n)).toBe('123.45');
    expect(formatYuan(5n)).toBe('0.05');
    expect(formatYuan(-100n)).toBe('-1.00');
  });
});
