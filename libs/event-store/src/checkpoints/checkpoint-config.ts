/**
 * The checkpointer's settings from the environment:
 *
 * - `EVENT_CHECKPOINT_INTERVAL_MS`: time between runs (default 60000); `0` turns checkpoints off.
 * - `EVENT_CHECKPOINT_SIGNING_KEY`: `<keyId>:<base64 Ed25519 seed or PKCS #8>`; required unless
 *   development mode (`LEDGER_DEV_MODE=1`) lends the development key.
 * - `EVENT_CHECKPOINT_PUBLIC_KEYS`: public keys of earlier signing keys (a rotation), so the newest
 *   checkpoint, signed under the old key, still verifies before it is extended.
 * - `EVENT_CHECKPOINT_TOPIC`: when set, each checkpoint is also published to this Kafka topic.
 */
import {
  CHECKPOINT_PUBLIC_KEYS_VARIABLE,
  parsePublicKeys,
  signingKeyFromEnv,
  type CheckpointSigningKey,
  type CheckpointVerificationKeys,
} from './checkpoint-keys';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from './checkpointer';

export const CHECKPOINT_INTERVAL_VARIABLE = 'EVENT_CHECKPOINT_INTERVAL_MS';
export const CHECKPOINT_TOPIC_VARIABLE = 'EVENT_CHECKPOINT_TOPIC';
/** A day: an interval beyond it is a typo, not a setting. */
const MAX_INTERVAL_MS = 86_400_000;

type Env = Readonly<Record<string, string | undefined>>;

export interface CheckpointConfig {
  intervalMs: number;
  signingKey: CheckpointSigningKey;
  verificationKeys?: CheckpointVerificationKeys;
  topic?: string;
}

/** The interval from `EVENT_CHECKPOINT_INTERVAL_MS` (default 60 s); 0 means off. */
export function checkpointIntervalFromEnv(env: Env = process.env): number {
  const configured = env[CHECKPOINT_INTERVAL_VARIABLE]?.trim();
  if (configured === undefined || configured === '') return DEFAULT_CHECKPOINT_INTERVAL_MS;
  const intervalMs = Number(configured);
  if (!Number.isInteger(intervalMs) || intervalMs < 0 || intervalMs > MAX_INTERVAL_MS) {
    throw new RangeError(
      `${CHECKPOINT_INTERVAL_VARIABLE} must be an integer of milliseconds from 0 (off) to ${MAX_INTERVAL_MS}, got "${configured}"`,
    );
  }
  return intervalMs;
}

/** The settings, or undefined when checkpoints are turned off. Throws for a missing key outside development mode. */
export function checkpointConfigFromEnv(env: Env = process.env, intervalMs = checkpointIntervalFromEnv(env)): CheckpointConfig | undefined {
  if (intervalMs === 0) return undefined;
  const publicKeys = env[CHECKPOINT_PUBLIC_KEYS_VARIABLE]?.trim();
  const topic = env[CHECKPOINT_TOPIC_VARIABLE]?.trim();
  return {
    intervalMs,
    signingKey: signingKeyFromEnv(env),
    verificationKeys: publicKeys ? parsePublicKeys(publicKeys) : undefined,
    topic: topic ? topic : undefined,
  };
}
