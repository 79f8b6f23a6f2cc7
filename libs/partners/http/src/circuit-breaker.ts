/**
 * Stops calling a partner that keeps failing, so a dead acquirer costs each payment one fast refusal
 * instead of a full timeout and its retries (and the partner is not hammered while it recovers).
 * Closed: calls go through; `failureThreshold` consecutive failures open it. Open: calls are refused
 * at once for `openMs`. Half-open: one trial call goes through; its success closes the breaker, its
 * failure opens it again.
 */
export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly openMs: number;
}

export const DEFAULT_BREAKER: CircuitBreakerOptions = { failureThreshold: 5, openMs: 5_000 };

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAtMs: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly options: CircuitBreakerOptions = DEFAULT_BREAKER,
    private readonly nowMs: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(options.failureThreshold) || options.failureThreshold < 1)
      throw new RangeError('failureThreshold must be a positive whole number');
    if (!(options.openMs > 0)) throw new RangeError('openMs must be positive');
  }

  get state(): BreakerState {
    if (this.openedAtMs === undefined) return 'closed';
    return this.nowMs() - this.openedAtMs >= this.options.openMs ? 'half-open' : 'open';
  }

  /** May a call go out now? In half-open, only the one trial call may. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.openedAtMs = undefined;
    this.trialInFlight = false;
  }

  failed(): void {
    this.consecutiveFailures += 1;
    if (this.trialInFlight || this.consecutiveFailures >= this.options.failureThreshold) this.openedAtMs = this.nowMs();
    this.trialInFlight = false;
  }
}
