import { MOBILE_PHONE_PATTERN, maskMobilePhone, normalizeMobilePhone } from './phone';

const pattern = new RegExp(MOBILE_PHONE_PATTERN);

describe('mobile numbers: one rule for the edge and the services', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['+86 138-1234-5678', '13812345678'],
    ['0086 199 1234 5678', '19912345678'],
    [' 138 1234 5678 ', '13812345678'],
  ])('reads %j as %s, and the edge pattern accepts it', (raw, canonical) => {
    expect(normalizeMobilePhone(raw)).toBe(canonical);
    expect(pattern.test(raw)).toBe(true);
  });

  it.each(['19 +56 +3  ', '12812345678', '1381234567', '138123456789', '+1 138 1234 5678', '86 138 1234 5678', '', '+86', '1381234567x'])(
    'refuses %j, at the edge and in the services alike',
    (raw) => {
      expect(normalizeMobilePhone(raw)).toBeUndefined();
      expect(pattern.test(raw)).toBe(false);
    },
  );

  it('masks the middle four digits', () => {
    expect(maskMobilePhone('13812345678')).toBe('138****5678');
  });
});
