/**
 * `npm run demo`: the story of the source documents against the running stack (`npm start`), told
 * through the gateway's HTTP API by the same function the gateway's story e2e test runs
 * (`libs/gateway/service/src/story/story.ts`). Codes are read from the simulated handset (identity's SMS
 * outbox), support staff act with a token signed by identity's development key (there is no staff
 * login yet), and the wallet ledger is checked at the end.
 *
 * GATEWAY_URL (default http://127.0.0.1:3000), SMS_OUTBOX_FILE (default .local/sms/outbox.jsonl),
 * DATABASE_URL (default the `npm start` database), STAFF_TOKEN_SIGNING_KEY, PAYMENTS_PROVIDER_SECRET.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { signAccessToken, signingKeyFromEnv } from '@ledger/crypto';
import { TEST_CARDS } from '@ledger/cards-domain';
import { createEventStore } from '@ledger/event-store';
import { DEV_PROVIDER_SECRET, StoryFailure, runStory } from '@ledger/gateway-service';
import { checkLedger } from '@ledger/wallet-service';

const env = process.env;
const baseUrl = (env['GATEWAY_URL'] ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const outboxFile = path.resolve(env['SMS_OUTBOX_FILE'] ?? path.join('.local', 'sms', 'outbox.jsonl'));
const databaseUrl = env['DATABASE_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:54320/postgres';

/** The last 6-digit code the phone received, waiting a little for the SMS to arrive. */
export async function readSmsCode(file: string, phone: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(file)) {
      const messages = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as { to: string; text: string })
        .filter((message) => message.to === phone);
      const text = messages[messages.length - 1]?.text;
      const code = text === undefined ? undefined : /(?<!\d)(\d{6})(?!\d)/.exec(text)?.[1];
      if (code !== undefined) return code;
    }
    if (Date.now() > deadline) throw new StoryFailure(`no SMS for ${phone} in ${file} (is SMS_OUTBOX_FILE the identity service's?)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<number> {
  console.log(
    `ICBC wallet demo against ${baseUrl}\n(SMS codes from ${path.relative(process.cwd(), outboxFile)}; support acts with a token signed by identity's key)`,
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
      smsCode: (phone) => readSmsCode(outboxFile, phone),
      staffToken: async (agentId, role) =>
        (
          await signAccessToken(
            { userId: agentId, role, deviceId: 'demo-desk', now: new Date(), ttlMs: 15 * 60_000 },
            'staff',
            signingKeyFromEnv(env, 'STAFF_TOKEN_SIGNING_KEY', 'staff'),
          )
        ).token,
      providerSecret: env['PAYMENTS_PROVIDER_SECRET'] ?? DEV_PROVIDER_SECRET,
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
