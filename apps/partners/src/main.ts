import { DEFAULT_SIMULATOR_URL } from '@ledger/partners-http';
import { PartnerSimulator } from '@ledger/partners-simulator';
import { requireDevMode } from '@ledger/util';

/**
 * The partner simulator app: the acquirer, card issuer, billers, SMS gateway and top-up providers of
 * a local stack (`npm start`), on PARTNERS_PORT (default 4400) of PARTNERS_HOST (default 127.0.0.1). It runs only in
 * development mode: it approves made-up cards and shows SMS codes to anyone who asks.
 *
 * PARTNERS_CALLBACK_URL: where the providers post their callbacks (the gateway's `/provider-callbacks`).
 * PARTNERS_LOAD_TEST_CARDS: generated cards the issuer knows besides its test cards (benchmarks).
 */
async function main(): Promise<void> {
  requireDevMode('the partner simulator approves made-up cards and shows SMS codes to anyone');
  const port = Number(process.env.PARTNERS_PORT ?? new URL(DEFAULT_SIMULATOR_URL).port);
  const simulator = await PartnerSimulator.start({
    port,
    host: process.env.PARTNERS_HOST ?? '127.0.0.1',
    loadTestCards: Number(process.env.PARTNERS_LOAD_TEST_CARDS ?? 0),
    ...(process.env.PARTNERS_CALLBACK_URL ? { callbackUrl: process.env.PARTNERS_CALLBACK_URL } : {}),
  });
  console.log(`partner simulator listening on ${simulator.url} (acquirer, issuer, biller, sms, providers; control routes under /control)`);
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main().catch((error: unknown) => {
  console.error('partner simulator failed to start', error);
  process.exit(1);
});
