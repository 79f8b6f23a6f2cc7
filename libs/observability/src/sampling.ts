/**
 * The two ways a figure that costs something (a query, a broker round trip) gets into the metrics
 * without touching the hot path: sampled on a timer, or computed when Prometheus scrapes.
 */
import type { Gauge } from 'prom-client';

/** How often the sampled figures (consumer lag, relay lag, due timers) are refreshed by default. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 15_000;

/** The sample interval from METRICS_SAMPLE_INTERVAL_MS, else the default (10 ms at least). */
export function sampleIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.METRICS_SAMPLE_INTERVAL_MS);
  return Number.isFinite(value) && value >= 10 ? value : DEFAULT_SAMPLE_INTERVAL_MS;
}

/**
 * Runs `sample` every `intervalMs`, one run at a time (a slow sample delays the next instead of
 * piling up), on a timer that never keeps the process alive. A failed sample goes to `onError`
 * and the next one runs as usual.
 */
export class PeriodicSampler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly sample: () => Promise<void>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Samples once at once, then every interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  private tick(): void {
    this.running = this.sample()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.intervalMs).unref();
      });
  }

  /** Stops the timer and waits for a sample in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * Several parts of one process (two instances of a service in a test, replicas of a component)
 * adding up to one gauge, read when Prometheus scrapes: each part registers a function, and the
 * gauge is their sum. Nothing runs between scrapes.
 */
export class GaugeSources {
  private readonly sources = new Set<() => number>();

  constructor(gauge: Gauge) {
    const sources = this.sources;
    // prom-client calls `collect` on the gauge itself right before it serializes it.
    (gauge as unknown as { collect?: () => void }).collect = function collect(this: Gauge) {
      let total = 0;
      for (const source of sources) total += source();
      this.set(total);
    };
  }

  /** Adds a source; the returned function removes it. */
  add(source: () => number): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}
