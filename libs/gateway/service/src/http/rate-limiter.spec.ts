import { ProblemError } from '../problem';
import { canonicalPhone } from './phone';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows max requests per window and key, then answers RATE_LIMITED until the window ends', () => {
    let now = 0;
    const limiter = new RateLimiter('test', { max: 2, windowMs: 1_000 }, 100, () => now);
    limiter.hit('a');
    limiter.hit('a');
    limiter.hit('b');
    let thrown: unknown;
    try {
      now = 400;
      limiter.hit('a');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    expect((thrown as ProblemError).code).toBe('RATE_LIMITED');
    expect((thrown as ProblemError).headers['Retry-After']).toBe('1');
    now = 1_000;
    expect(() => limiter.hit('a')).not.toThrow();
  });

  it('remembers at most maxKeys keys, evicting the oldest', () => {
    const limiter = new RateLimiter('test', { max: 1, windowMs: 60_000 }, 3, () => 0);
    for (const key of ['a', 'b', 'c', 'd', 'e']) limiter.hit(key);
    expect(limiter.size).toBe(3);
    expect(() => limiter.hit('a')).not.toThrow(); // evicted, so a fresh window
    expect(() => limiter.hit('e')).toThrow(ProblemError);
  });

  it('keys a phone by its canonical form, whatever the formatting', () => {
    expect(canonicalPhone('+86 138-1234-5678')).toBe('13812345678');
    expect(canonicalPhone('13812345678')).toBe('13812345678');
  });
});
