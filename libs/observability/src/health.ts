/**
 * Liveness and readiness of the process, from checks that its parts register while they run.
 *
 * - Liveness (`/health/live`): the process can go on by itself. It fails only for a state that no
 *   waiting cures (a consumer that crashed for good), never because the broker or the database is
 *   away: restarting every instance during an outage of either would only add to the outage.
 * - Readiness (`/health/ready`): the process can do its work now: it has started, and reaches its
 *   broker and its database. It fails while either is unreachable and recovers with them.
 *
 * A check answers by returning (up) or throwing (down, with the reason). Each one is bounded by a
 * timeout, and its answer is reused for `cacheMs`, so probes and scrapes arriving together cost one
 * round trip to the broker or the database, whoever asks and however often.
 */
export type HealthKind = 'liveness' | 'readiness';

export interface HealthCheck {
  /** Names the check in the report, e.g. `kafka` or `database`. */
  name: string;
  kind: HealthKind;
  /** Returns when healthy; throws (or rejects) with the reason otherwise. */
  check(): void | Promise<void>;
  /** Longest wait for an answer before the check counts as down (default 2 s). */
  timeoutMs?: number;
  /** How long an answer is reused (default 1 s). */
  cacheMs?: number;
}

export interface CheckResult {
  name: string;
  up: boolean;
  /** Why the check is down. */
  reason?: string;
}

export interface HealthReport {
  status: 'up' | 'down';
  checks: CheckResult[];
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_CACHE_MS = 1_000;
/** A reason longer than this is cut: it goes into an HTTP answer and a log line. */
const MAX_REASON_LENGTH = 300;

class RegisteredCheck {
  private last?: { at: number; result: CheckResult };
  private running?: Promise<CheckResult>;

  constructor(readonly definition: HealthCheck) {}

  evaluate(now = Date.now()): Promise<CheckResult> {
    const cacheMs = this.definition.cacheMs ?? DEFAULT_CACHE_MS;
    if (this.last && now - this.last.at < cacheMs) return Promise.resolve(this.last.result);
    this.running ??= this.run().then((result) => {
      this.last = { at: Date.now(), result };
      this.running = undefined;
      return result;
    });
    return this.running;
  }

  private async run(): Promise<CheckResult> {
    const { name, timeoutMs = DEFAULT_TIMEOUT_MS } = this.definition;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(() => this.definition.check()), timeout]);
      return { name, up: true };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { name, up: false, reason: reason.slice(0, MAX_REASON_LENGTH) };
    } finally {
      clearTimeout(timer);
    }
  }
}

export class HealthRegistry {
  private readonly checks = new Set<RegisteredCheck>();

  /** Adds a check; the returned function removes it (when its part stops). */
  register(check: HealthCheck): () => void {
    const registered = new RegisteredCheck(check);
    this.checks.add(registered);
    return () => this.checks.delete(registered);
  }

  /**
   * The checks of one kind, evaluated now (or their recent answer). Readiness with no check at all
   * is down: nothing has said it started.
   */
  async report(kind: HealthKind): Promise<HealthReport> {
    const now = Date.now();
    const checks = await Promise.all([...this.checks].filter((c) => c.definition.kind === kind).map((c) => c.evaluate(now)));
    const up = checks.every((check) => check.up) && (kind === 'liveness' || checks.length > 0);
    return { status: up ? 'up' : 'down', checks };
  }
}

/** The process's checks: what the management server's health routes report. */
export const health = new HealthRegistry();

/**
 * A readiness check that fails until `started()` and again from `stopping()`: the service takes no
 * traffic before it has connected everything, nor while it drains.
 */
export function lifecycleCheck(registry: HealthRegistry = health): { started(): void; stopping(): void; remove(): void } {
  let state: 'starting' | 'started' | 'stopping' = 'starting';
  const remove = registry.register({
    name: 'lifecycle',
    kind: 'readiness',
    cacheMs: 0,
    check: () => {
      if (state !== 'started') throw new Error(state);
    },
  });
  return {
    started: () => void (state = 'started'),
    stopping: () => void (state = 'stopping'),
    remove,
  };
}
