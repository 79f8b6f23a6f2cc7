/**
 * `npm run demo`: the story of the source documents against the running stack (`npm start`), told
 * through the gateway's HTTP API by the same function the gateway's story e2e test runs
 * (`libs/gateway/service/src/story/story.ts`). Codes are read from the handsets of the partner
 * simulator app (its SMS inbox), WeChat is its simulated provider calling the gateway back, support
 * staff act with a token signed by identity's development key, and the wallet ledger is checked at the end.
 *
 * GATEWAY_URL (default http://127.0.0.1:3000), PARTNERS_URL (default http://127.0.0.1:4400),
 * DATABASE_URL (default the `npm start` database), STAFF_TOKEN_SIGNING_KEY.
 */
import { signAccessToken, signingKeyFromEnv } from '@ledger/crypto';
import { TEST_CARDS } from '@ledger/util/testing';
import { createEventStore } from '@ledger/event-store';
import { runStory } from '@ledger/gateway-service';
import { DEFAULT_SIMULATOR_URL } from '@ledger/partners-http';
import { SimulatorClient } from '@ledger/partners-simulator';
import { checkLedger } from '@ledger/wallet-service';

const env = process.env;
const baseUrl = (env['GATEWAY_URL'] ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const partners = new SimulatorClient((env['PARTNERS_URL'] ?? DEFAULT_SIMULATOR_URL).replace(/\/$/, ''));
const databaseUrl = env['DATABASE_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:54320/postgres';

async function main(): Promise<number> {
  console.log(
    `ICBC wallet demo against ${baseUrl}\n(SMS codes and WeChat from the partner simulator at ${partners.baseUrl}; support acts with a token signed by identity's key)`,
  );
  const ready = await fetch(`${baseUrl}/ready`).catch(() => undefined);
  if (ready?.status !== 200) {
    console.error(
      `✘ the gateway at ${baseUrl} is not ready${ready ? ` (${ready.status})` : ''}: run \`npm start\` first, or set GATEWAY_URL`,
    );
    return 1;
  }
  const started = Date.now();
  try {
    const report = await runStory({
      baseUrl,
      cards: TEST_CARDS,
      smsCode: (phone) => partners.smsCode(phone),
      staffToken: async (agentId, role) =>
        (
          await signAccessToken(
            { userId: agentId, role, deviceId: 'demo-desk', now: new Date(), ttlMs: 15 * 60_000 },
            'staff',
            signingKeyFromEnv(env, 'STAFF_TOKEN_SIGNING_KEY', 'staff'),
          )
        ).token,
      payAtProvider: (paid) => partners.payAtProvider(paid),
      out: (line) => console.log(line),
    });
    console.log(`\n── Ledger check (${redact(databaseUrl)}, schema wallet)`);
    const store = createEventStore(databaseUrl, { schema: 'wallet', poolSize: 2 });
    try {
      const ledger = await checkLedger(store);
      console.log(
        `    ${ledger.ok ? '✔' : '✘'} ${ledger.events} events, ${ledger.wallets} wallets, ${ledger.transactions} transactions, ${ledger.accounts} accounts; sum of all accounts ${ledger.sumMinor} fen`,
      );
      for (const problem of [
        ...ledger.unbalancedTransactions,
        ...ledger.balanceMismatches,
        ...ledger.holdsOpenPastExpiry,
        ...ledger.brokenStreams,
      ])
        console.log(`      ${JSON.stringify(problem)}`);
      console.log(`\n${ledger.ok ? '✔' : '✘'} ${report.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return ledger.ok ? 0 : 1;
    } finally {
      await store.close();
    }
  } catch (error) {
    console.error(`\n✘ the demo stopped: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
