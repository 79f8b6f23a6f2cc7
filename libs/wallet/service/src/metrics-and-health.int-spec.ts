import { Client } from 'pg';
import { walletContract } from '@ledger/contracts';
import { managementServerOf } from '@ledger/messaging';
import { breakableKafka, databaseUrl, type BreakableKafka } from '@ledger/testing';
import { WALLET_ERROR } from '@ledger/wallet-domain';
import { WalletHarness } from './testing';

/**
 * The management port of a real wallet service (started by its harness, on the shared broker and a
 * database of its own): the figures it serves are the ones the test caused, and its readiness
 * follows the broker and the database away and back.
 *
 * Neither the shared broker nor the shared server is stopped (every other test file uses them):
 * the service's command server reaches the broker through a link this test cuts (`breakableKafka`),
 * and its database is the harness's own, which the test closes to connections and reopens.
 */
describe('wallet service: metrics and health on the management port', () => {
  let h: WalletHarness;
  let link: BreakableKafka;
  let url: string;

  beforeAll(async () => {
    link = breakableKafka('wallet-metrics-test');
    h = await WalletHarness.start('wallet_metrics', { management: true, kafka: link.kafka });
    url = managementServerOf(h.service!)!.url;
  }, 120_000);

  afterAll(async () => {
    link.heal();
    await h.stop();
  }, 120_000);

  const scrape = async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };
  /** The value of one series, 0 when absent. */
  const valueOf = (text: string, name: string, labels: Record<string, string> = {}) => {
    const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
    const line = text
      .split('\n')
      .find((candidate) =>
        candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `) ? wanted.every((pair) => candidate.includes(pair)) : false,
      );
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const readiness = async () => {
    const response = await fetch(`${url}/health/ready`);
    return {
      status: response.status,
      body: (await response.json()) as { status: string; checks: Array<{ name: string; up: boolean; reason?: string }> },
    };
  };
  const until = async (what: string, condition: () => Promise<boolean>, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it('counts the commands it answered by type, outcome and rejection class, with their latency, and the appends they made', async () => {
    const { walletId } = await h.openWallet();
    const balance = { command: walletContract.getBalance.type, outcome: 'accepted', code_class: 'none' };
    const missingHold = { command: walletContract.releaseHold.type, outcome: 'rejected', code_class: 'business' };
    const before = await scrape();

    for (let i = 0; i < 3; i++) expect(await h.balance(walletId)).toMatchObject({ status: 'accepted' });
    for (let i = 0; i < 4; i++)
      expect(await h.send(walletContract.releaseHold, { walletId, holdId: `missing-${i}` })).toMatchObject({
        code: WALLET_ERROR.HOLD_NOT_FOUND,
      });

    // A command is counted once its result is on its way: the last one may be counted a moment after its caller has the result.
    let after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    await until(
      'the last command counted',
      async () => {
        after = await scrape();
        return delta('ledger_commands_handled_total', balance) + delta('ledger_commands_handled_total', missingHold) >= 7;
      },
      5_000,
    );
    expect(delta('ledger_commands_handled_total', balance)).toBe(3);
    expect(delta('ledger_commands_handled_total', missingHold)).toBe(4);
    expect(delta('ledger_command_duration_seconds_count', { command: walletContract.releaseHold.type, outcome: 'rejected' })).toBe(4);
    // Opening the wallet appended its events; the relay and the consumer lag have their series.
    expect(valueOf(after, 'ledger_event_store_append_duration_seconds_count', { schema: 'wallet' })).toBeGreaterThan(0);
    expect(
      valueOf(after, 'ledger_commands_handled_total', { command: walletContract.openWallet.type, outcome: 'accepted' }),
    ).toBeGreaterThan(0);
    expect(after).toMatch(/^ledger_consumer_lag_messages\{group="t-[^"]+\.wallet-service",topic="[^"]+",partition="\d+"\} \d+$/m);
    expect(after).toMatch(/^ledger_relay_lag_events\{relay="[^"]+"\} \d+$/m);
    // Never a label that names a wallet or a user.
    expect(after).not.toContain(walletId);
    expect(after).toMatch(/^ledger_ready 1$/m);
  });

  it('is ready, not ready while its broker is unreachable, and ready again once it is back', async () => {
    expect(await readiness()).toMatchObject({ status: 200, body: { status: 'up' } });
    link.break();
    await until('not ready after the broker was cut off', async () => (await readiness()).status === 503);
    const down = await readiness();
    expect(down.body.checks.find((check) => check.name === 'kafka')).toMatchObject({ up: false });
    // Not ready is not dead: liveness stays up (restarting the pod would not bring the broker back).
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    link.heal();
    await until('ready after the broker came back', async () => (await readiness()).status === 200, 90_000);
  }, 150_000);

  it('is not ready while its database refuses connections, and ready again once it accepts them', async () => {
    const admin = new Client({ connectionString: databaseUrl() });
    await admin.connect();
    const name = h.db.name;
    try {
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await until('not ready after the database went away', async () => (await readiness()).status === 503, 30_000);
      const down = await readiness();
      expect(down.body.checks.find((check) => check.name === 'database')).toMatchObject({ up: false });
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
      await until('ready after the database came back', async () => (await readiness()).status === 200, 30_000);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
    }
  }, 90_000);
});
