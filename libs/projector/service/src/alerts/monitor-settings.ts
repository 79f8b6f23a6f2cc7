/**
 * The invariant monitor's settings, from the environment:
 * - `PROJECTOR_INVARIANTS_INTERVAL_MS` (default 5 000; 0 turns the monitor off): how often the
 *   invariants are evaluated;
 * - `PROJECTOR_REPLAY_CHECK_INTERVAL_MS` (default 60 000; 0 turns it off): how often a sample of
 *   streams is replayed and compared with the read models;
 * - `PROJECTOR_PAYMENT_OUTCOME_WITHIN_MS` (default 5 h, `PAYMENT_OUTCOME_WITHIN_MS`): how long a
 *   payment may go without an outcome.
 */
import { DEFAULT_REPLAY_SAMPLE_SIZE } from '../engine/replay-sample';
import { HOLD_EXPIRY_GRACE_MS, PAYMENT_OUTCOME_WITHIN_MS } from '../invariants';

export interface MonitorSettings {
  /** Between two evaluations; 0: no monitor. */
  intervalMs: number;
  /** Between two sampled replay checks (run within an evaluation once due); 0: none. */
  replayIntervalMs: number;
  outcomeWithinMs: number;
  /** How long a hold may stay open after its expiry before it is alerted. */
  holdGraceMs: number;
  /** Wallets compared per evaluation (plus the flagged ones); the sweep reaches every wallet in turn. */
  walletSweep: number;
  /** Streams replayed per stream category and replay check (plus the flagged ones). */
  replaySample: number;
}

/**
 * Every few seconds: an evaluation is a dozen statements, index lookups for a few thousand wallets
 * and the payments in flight, and one aggregate of the trial balance; never a statement per event.
 */
export const DEFAULT_INVARIANTS_INTERVAL_MS = 5_000;
/** Once a minute: a sample replay reads and applies a few dozen streams inside a rolled-back transaction. */
export const DEFAULT_REPLAY_CHECK_INTERVAL_MS = 60_000;
/**
 * The wallet's expiry poller closes a hold within a second of its expiry (`HOLD_EXPIRY_GRACE_MS`),
 * and the projector may trail the wallet store by a few seconds under load: an alert waits for both.
 */
export const LIVE_HOLD_GRACE_MS = HOLD_EXPIRY_GRACE_MS + 9_000;
/** Wallets compared per evaluation: about 2 000 index lookups in each of three tables. */
export const DEFAULT_WALLET_SWEEP = 2_000;

/** Raised at start for a setting that is not a non-negative whole number of milliseconds. */
export class InvalidMonitorSetting extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
  ) {
    super(`${variable}: not a non-negative whole number of milliseconds: ${value}`);
    this.name = 'InvalidMonitorSetting';
  }
}

function milliseconds(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const text = env[variable]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidMonitorSetting(variable, text);
  return value;
}

export function monitorSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MonitorSettings {
  return {
    intervalMs: milliseconds(env, 'PROJECTOR_INVARIANTS_INTERVAL_MS', DEFAULT_INVARIANTS_INTERVAL_MS),
    replayIntervalMs: milliseconds(env, 'PROJECTOR_REPLAY_CHECK_INTERVAL_MS', DEFAULT_REPLAY_CHECK_INTERVAL_MS),
    outcomeWithinMs: milliseconds(env, 'PROJECTOR_PAYMENT_OUTCOME_WITHIN_MS', PAYMENT_OUTCOME_WITHIN_MS),
    holdGraceMs: LIVE_HOLD_GRACE_MS,
    walletSweep: DEFAULT_WALLET_SWEEP,
    replaySample: DEFAULT_REPLAY_SAMPLE_SIZE,
  };
}
