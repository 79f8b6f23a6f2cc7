import { Keyring, generateSealKeyPair, generateSigningKey, verificationKeysOf } from '@ledger/crypto';
import { buildOpenApiDocument, createGatewayApp } from './app';
import type { CommandBus } from './command-bus';
import { loadGatewayConfig } from './config';

/** A bus that is never ready: enough to build the document from the routes, no broker needed. */
const offlineBus: CommandBus = {
  isReady: () => false,
  send: () => Promise.reject(new Error('offline')),
  stop: () => Promise.resolve(),
};

/** Throwaway keys: the document depends on the routes only. */
const docSealKey = (kid: string) => {
  const { publicKey } = generateSealKeyPair(kid);
  return { kid, publicKey };
};

/** The OpenAPI document as committed in docs/openapi.json (stable key order, trailing newline). */
export async function renderOpenApi(): Promise<string> {
  const config = loadGatewayConfig(
    {
      messageKeyring: Keyring.generate(['doc']),
      sealOpeningKeys: new Map(),
      sealFor: { identity: docSealKey('doc-identity'), cards: docSealKey('doc-cards'), payments: docSealKey('doc-payments') },
      accessTokenKeys: verificationKeysOf(generateSigningKey('doc-user')),
      staffTokenKeys: verificationKeysOf(generateSigningKey('doc-staff')),
    },
    {},
  );
  const app = await createGatewayApp({ config, bus: offlineBus, logger: false });
  try {
    await app.init();
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
