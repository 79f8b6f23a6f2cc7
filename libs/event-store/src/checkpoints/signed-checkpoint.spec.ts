import { DevModeRequired } from '@ledger/util';
import {
  CheckpointKeyError,
  DEVELOPMENT_CHECKPOINT_KEY_ID,
  formatPublicKey,
  formatSigningKey,
  generateCheckpointKey,
  parsePublicKeys,
  parseSigningKey,
  signingKeyFromEnv,
  verificationKeysFromEnv,
  verificationKeysOf,
} from './checkpoint-keys';
import { checkpointConfigFromEnv, checkpointIntervalFromEnv } from './checkpoint-config';
import {
  GENESIS_CHECKPOINT_HASH,
  checkCheckpoint,
  checkpointHash,
  recordOf,
  signCheckpoint,
  type CheckpointBody,
} from './signed-checkpoint';

const key = generateCheckpointKey('k1');
const keys = verificationKeysOf(key);

function body(overrides: Partial<CheckpointBody> = {}): Omit<CheckpointBody, 'version' | 'keyId'> {
  return {
    store: 'wallet',
    sequence: '3',
    previous: 'ab'.repeat(32),
    root: 'cd'.repeat(32),
    streams: '2',
    events: '9',
    logHead: { transactionId: '812', position: '77', stream: 'wallet-1', revision: '4' },
    createdAt: '2026-11-22T08:00:00.000Z',
    ...overrides,
  };
}

describe('signed checkpoint', () => {
  it("given a signed checkpoint, when checked with the signer's public key, then it verifies and reads back as signed", () => {
    const signed = signCheckpoint(body(), key);
    const check = checkCheckpoint(recordOf(signed), keys, 'wallet');
    expect(check).toEqual({ ok: true, checkpoint: signed });
    expect(signed.hash).toBe(checkpointHash(signed.bodyText));
    expect(JSON.parse(signed.bodyText)).toMatchObject({ version: 1, keyId: 'k1', sequence: '3' });
  });

  it('given any signed field changed in the body, then the hash no longer matches', () => {
    const record = recordOf(signCheckpoint(body(), key));
    const edited = { ...record, bodyText: record.bodyText.replace('"streams":"2"', '"streams":"1"') };
    expect(checkCheckpoint(edited, keys, 'wallet')).toEqual({ ok: false, reason: expect.stringContaining('hash') });
  });

  it('given a body edited and its hash recomputed, then the signature does not verify', () => {
    const record = recordOf(signCheckpoint(body(), key));
    const bodyText = record.bodyText.replace('"root":"cdcd', '"root":"eeee');
    expect(checkCheckpoint({ ...record, bodyText, hash: checkpointHash(bodyText) }, keys, 'wallet')).toEqual({
      ok: false,
      reason: 'the signature does not verify under key k1',
    });
  });

  it('given a checkpoint signed by another key under the same key id, then it does not verify', () => {
    const forger = generateCheckpointKey('k1');
    expect(checkCheckpoint(recordOf(signCheckpoint(body(), forger)), keys, 'wallet')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('signature'),
    });
  });

  it('given a key id the verifier does not trust, then it does not verify', () => {
    const other = generateCheckpointKey('k2');
    expect(checkCheckpoint(recordOf(signCheckpoint(body(), other)), keys, 'wallet')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not among the trusted'),
    });
  });

  it("given another store's checkpoint, then it is no evidence for this store", () => {
    expect(checkCheckpoint(recordOf(signCheckpoint(body(), key)), keys, 'payments')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('store wallet'),
    });
  });

  it('given a record whose columns disagree with the signed body, then it does not verify', () => {
    const record = recordOf(signCheckpoint(body({ previous: GENESIS_CHECKPOINT_HASH, sequence: '0' }), key));
    expect(checkCheckpoint({ ...record, sequence: 1n }, keys, 'wallet').ok).toBe(false);
    expect(checkCheckpoint({ ...record, previous: 'ff'.repeat(32) }, keys, 'wallet').ok).toBe(false);
    expect(checkCheckpoint({ ...record, keyId: 'k2' }, keys, 'wallet').ok).toBe(false);
  });

  it('given a body that is valid JSON but not canonical, then it does not verify', () => {
    const record = recordOf(signCheckpoint(body(), key));
    const spaced = JSON.stringify(JSON.parse(record.bodyText), null, 1);
    expect(checkCheckpoint({ ...record, bodyText: spaced, hash: checkpointHash(spaced) }, keys, 'wallet')).toEqual({
      ok: false,
      reason: 'the body is not in canonical form',
    });
  });
});

describe('checkpoint keys', () => {
  it('given a key formatted for the environment, when parsed back, then it signs what its public half verifies', () => {
    const parsed = parseSigningKey(formatSigningKey(key));
    const publicKeys = parsePublicKeys(`${formatPublicKey(key)}, ${formatPublicKey(generateCheckpointKey('k0'))}`);
    expect(parsed.keyId).toBe('k1');
    expect([...publicKeys.keys()]).toEqual(['k1', 'k0']);
    expect(checkCheckpoint(recordOf(signCheckpoint(body(), parsed)), publicKeys, 'wallet').ok).toBe(true);
  });

  it('given a PKCS #8 DER key instead of a raw seed, then it is accepted too', () => {
    const der = key.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(checkCheckpoint(recordOf(signCheckpoint(body(), parseSigningKey(`k1:${der}`))), keys, 'wallet').ok).toBe(true);
  });

  it('given malformed specs, then CheckpointKeyError names what is wrong', () => {
    expect(() => parseSigningKey('no-separator')).toThrow(CheckpointKeyError);
    expect(() => parseSigningKey('bad id!:AAAA')).toThrow(CheckpointKeyError);
    expect(() => parseSigningKey(`k1:${Buffer.alloc(31).toString('base64')}`)).toThrow(CheckpointKeyError);
    expect(() => parsePublicKeys(`${formatPublicKey(key)},${formatPublicKey(key)}`)).toThrow('appears twice');
    expect(() => parsePublicKeys(' , ')).toThrow(CheckpointKeyError);
  });

  it('given no signing key outside development mode, then it refuses to start instead of using the public development key', () => {
    expect(() => signingKeyFromEnv({})).toThrow(DevModeRequired);
    expect(() => verificationKeysFromEnv({})).toThrow(DevModeRequired);
    expect(() => checkpointConfigFromEnv({})).toThrow(DevModeRequired);
  });

  it('given development mode and no key, then the development key signs and its public half verifies', () => {
    const env = { LEDGER_DEV_MODE: '1' };
    const signer = signingKeyFromEnv(env);
    expect(signer.keyId).toBe(DEVELOPMENT_CHECKPOINT_KEY_ID);
    expect(checkCheckpoint(recordOf(signCheckpoint(body(), signer)), verificationKeysFromEnv(env), 'wallet').ok).toBe(true);
    // Derived from a fixed label: the same on every machine, hence worthless outside development.
    expect(formatSigningKey(signingKeyFromEnv(env))).toBe(formatSigningKey(signer));
  });

  it('given a configured key in development mode, then the configured key wins', () => {
    expect(signingKeyFromEnv({ LEDGER_DEV_MODE: '1', EVENT_CHECKPOINT_SIGNING_KEY: formatSigningKey(key) }).keyId).toBe('k1');
  });

  it('given an interval of 0, then checkpoints are off and no key is asked for; a bad interval is refused', () => {
    expect(checkpointConfigFromEnv({ EVENT_CHECKPOINT_INTERVAL_MS: '0' })).toBeUndefined();
    expect(checkpointIntervalFromEnv({})).toBe(60_000);
    expect(() => checkpointIntervalFromEnv({ EVENT_CHECKPOINT_INTERVAL_MS: '1.5' })).toThrow(RangeError);
    expect(() => checkpointIntervalFromEnv({ EVENT_CHECKPOINT_INTERVAL_MS: '-1' })).toThrow(RangeError);
    expect(
      checkpointConfigFromEnv({ EVENT_CHECKPOINT_SIGNING_KEY: formatSigningKey(key), EVENT_CHECKPOINT_TOPIC: 'ops.checkpoints' }),
    ).toMatchObject({
      intervalMs: 60_000,
      topic: 'ops.checkpoints',
      signingKey: { keyId: 'k1' },
    });
  });
});
