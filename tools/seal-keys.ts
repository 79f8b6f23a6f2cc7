import { generateSealKeyPair, sealKeyJwks } from '@ledger/crypto';

/**
 * Makes a new key pair of a sealed-field recipient (identity, cards, payments or the gateway):
 * `npm run keys:seal -- <kid>` prints the private JWK Set (the recipient's own
 * `<RECIPIENT>_SEAL_PRIVATE_KEYS`, a secret; during a rotation list the old private key beside the
 * new one until nothing sealed for it is in flight) and the public JWK its senders seal with
 * (`<RECIPIENT>_SEAL_PUBLIC_KEY`).
 */
const kid = process.argv[2] ?? `seal-${new Date().toISOString().slice(0, 10)}`;
const { privateJwk, publicJwk } = sealKeyJwks(generateSealKeyPair(kid));
console.log(`private keys (secret, the recipient only):\n${JSON.stringify({ keys: [privateJwk] })}\n`);
console.log(`public key (its senders):\n${JSON.stringify(publicJwk)}`);
