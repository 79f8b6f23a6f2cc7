import { generateSigningKey, publicKeyJwk, signingKeyJwk } from '@ledger/crypto';

/**
 * Makes a new access-token issuer key: `npm run keys:token -- <kid>` prints the private JWK (the
 * issuer's `ACCESS_TOKEN_SIGNING_KEY` or `STAFF_TOKEN_SIGNING_KEY`, a secret) and the public JWK Set
 * the verifiers need (`ACCESS_TOKEN_PUBLIC_KEYS`, `STAFF_TOKEN_PUBLIC_KEYS`; during a rotation list
 * the old public key beside the new one). Where a KMS or HSM holds the issuer's key, use its own
 * Ed25519 key generation instead and export only the public half.
 */
const kid = process.argv[2] ?? `k-${new Date().toISOString().slice(0, 10)}`;
const key = generateSigningKey(kid);
console.log(`signing key (secret, the issuer only):\n${JSON.stringify(signingKeyJwk(key))}\n`);
console.log(`public keys (the verifiers):\n${JSON.stringify({ keys: [publicKeyJwk(key)] })}`);
