/**
 * Merchant API keys: `mk_<keyId>_<secret>`, 12 + 32 characters of a-z0-9 (about 165 bits in the
 * secret). The registry records only a keyed hash of the whole key (HMAC under the pepper keyring,
 * a purpose of its own), so neither the store nor its backups can be used to call the API. The key
 * reaches staff once, sealed for the gateway; on every merchant call it arrives sealed for payments.
 */
import { randomInt } from 'node:crypto';
import { paymentsContract } from '@ledger/contracts';
import {
  fingerprint,
  fingerprintCandidates,
  loadFieldKeyring,
  loadPepperKeyring,
  openField,
  openingKeysFromEnv,
  sealField,
  sealingKeyFromEnv,
  type Keyring,
  type OpeningKeys,
  type SealingKey,
} from '@ledger/crypto';

const PURPOSE = 'payments:merchant-api-key';
const AAD = paymentsContract.secretAad('merchantApiKey');
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY = /^mk_([a-z0-9]{12})_([a-z0-9]{32})$/;

const randomText = (length: number) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export class MerchantKeys {
  constructor(
    private readonly pepperKeyring: Keyring,
    private readonly fieldKeyring: Keyring,
    private readonly openingKeys: OpeningKeys,
    private readonly gatewaySealingKey: SealingKey,
  ) {}

  /** Keys from `HASH_PEPPER_KEYS`, `FIELD_KEYS`, `PAYMENTS_SEAL_PRIVATE_KEYS` and `GATEWAY_SEAL_PUBLIC_KEY` (development keys with `LEDGER_DEV_MODE=1`). */
  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): MerchantKeys {
    return new MerchantKeys(
      loadPepperKeyring(env, { allowDevelopmentKeys: true }),
      loadFieldKeyring(env, { allowDevelopmentKeys: true }),
      openingKeysFromEnv(env, 'payments'),
      sealingKeyFromEnv(env, 'gateway'),
    );
  }

  /** A new key: its id, its keyed hash (what the registry records) and the key sealed for the gateway (what staff receive once). */
  issue(): { keyId: string; keyHash: string; sealedForGateway: string } {
    const keyId = randomText(12);
    const key = `mk_${keyId}_${randomText(32)}`;
    return { keyId, keyHash: fingerprint(PURPOSE, key, this.pepperKeyring), sealedForGateway: sealField(key, this.gatewaySealingKey, AAD) };
  }

  /** The key a merchant sent, opened: its id and every hash it may be recorded under (one per pepper key); undefined when it is no key. */
  candidates(sealed: string): { keyId: string; hashes: string[] } | undefined {
    let key: string;
    try {
      key = openField(sealed, { keyring: this.fieldKeyring, opening: this.openingKeys }, AAD);
    } catch {
      return undefined;
    }
    const match = KEY.exec(key);
    if (!match?.[1]) return undefined;
    return { keyId: match[1], hashes: fingerprintCandidates(PURPOSE, key, this.pepperKeyring) };
  }
}
