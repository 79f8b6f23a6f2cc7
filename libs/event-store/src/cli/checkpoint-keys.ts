/**
 * Makes a new signing key for event checkpoints:
 *
 *   node -r @swc-node/register libs/event-store/src/cli/checkpoint-keys.ts <keyId>
 *
 * prints `EVENT_CHECKPOINT_SIGNING_KEY` (a secret: the service's only) and its public half for
 * `EVENT_CHECKPOINT_PUBLIC_KEYS` (the verifiers; during a rotation, list the old public key beside
 * the new one). Give each service a key of its own, so that one leaked key vouches for one store.
 */
import { formatPublicKey, formatSigningKey, generateCheckpointKey } from '../checkpoints/checkpoint-keys';

if (require.main === module) {
  const key = generateCheckpointKey(process.argv[2] ?? `checkpoints-${new Date().toISOString().slice(0, 10)}`);
  process.stdout.write(`EVENT_CHECKPOINT_SIGNING_KEY=${formatSigningKey(key)}\n`);
  process.stdout.write(`EVENT_CHECKPOINT_PUBLIC_KEYS=${formatPublicKey(key)}\n`);
}
