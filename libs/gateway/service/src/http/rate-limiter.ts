import type { RateLimit } from '../config';
import { GATEWAY_ERROR, ProblemError } from '../problem';

/**
 * A fixed-window counter per key, in memory and bounded: beyond `maxKeys` the oldest windows are
 * evicted (a Map iterates in insertion order), so a flood of distinct IPs costs bounded memory. It
 * protects one gateway instance; several instances each allow the limit (the services' own limits,
 * such as identity's resend cooldown and hourly cap, hold across instances).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    readonly name: string,
    private readonly limit: RateLimit,
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key`; throws 429 RATE_LIMITED (with Retry-After) beyond the limit. */
  hit(key: string): void {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.limit.windowMs) {
      this.windows.delete(key);
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
      while (this.windows.size > this.maxKeys) {
        const oldest = this.windows.keys().next();
        if (oldest.done === true) break;
        this.windows.delete(oldest.value);
      }
    }
    window.count += 1;
    if (window.count > this.limit.max) {
      const retryAfterMs = window.startedAt + this.limit.windowMs - now;
      throw new ProblemError(
        GATEWAY_ERROR.RATE_LIMITED,
        `too many requests (${this.name}); try again in ${Math.ceil(retryAfterMs / 1000)} s`,
        { limit: this.limit.max, windowMs: this.limit.windowMs, retryAfterMs, scope: this.name },
        { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
      );
    }
  }

  get size(): number {
    return this.windows.size;
  }
}
