import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { PROJECTIONS } from '@ledger/projector-service';
import { Traffic } from '@ledger/projector-service/testing';

jest.setTimeout(240_000);
const run = promisify(execFile);
const root = path.resolve(__dirname, '../../../..');

let db: TestDatabase;
let walletStore: EventStore;
let paymentStore: EventStore;

async function cli(script: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['-r', '@swc-node/register', path.join('apps/projector/src/cli', script), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: db.url, EVENT_STORE_URL: db.url },
    timeout: 120_000,
  });
}

beforeAll(async () => {
  db = await createTestDatabase('projector_cli');
  walletStore = createEventStore(db.url, { schema: 'wallet', poolSize: 2 });
  paymentStore = createEventStore(db.url, { schema: 'payments', poolSize: 2 });
  const traffic = new Traffic(walletStore, paymentStore);
  await traffic.openFunded('c1', 1_000n);
  await traffic.merchantPayment('c1', 'm-canteen', 400n);
  await traffic.merchantPayment('c1', 'm-canteen', 50n, 'wrong-password');
});

afterAll(async () => {
  await walletStore?.close();
  await paymentStore?.close();
  await db?.drop();
});

describe('projector CLIs', () => {
  it('replay swaps every read model in, --verify agrees, check passes, export prints CSV, as-of folds a wallet, what-if and funnel answer', async () => {
    const replay = await cli('replay.ts', '--all');
    expect(replay.stdout).toMatch(/wallet_balances: \d+ events .* events\/s\), checksum [0-9a-f]{32}/);
    expect(replay.stderr).toMatch(/events\/s/);
    const verified = await cli('replay.ts', '--all', '--verify');
    expect(verified.stdout.split('\n').filter((line) => line.startsWith('ok  '))).toHaveLength(PROJECTIONS.length);
    const check = (await cli('invariants.ts')).stdout;
    expect(check).toContain('ok   ledger sums to zero in CNY');
    expect(check).toContain('ok   every wallet’s balance equals its postings and its statement over 1 wallet\n');
    // The sampled replay: the wallet's stream for the wallet read models, each payment's stream for payments.
    expect(check.split('\n').filter((line) => / equals its replay for /.test(line))).toEqual([
      'ok   wallet_balances equals its replay for 1 sampled stream',
      'ok   statements equals its replay for 1 sampled stream',
      'ok   holds equals its replay for 1 sampled stream',
      'ok   payment_outcomes equals its replay for 2 sampled streams',
    ]);
    const csv = await cli('export.ts', 'wallet_balances');
    expect(csv.stdout.split('\n')[1]).toMatch(/^c1,user-c1,premium,active,600,0,/);
    const asOf = await cli('as-of.ts', 'c1', '2100-01-01T00:00:00Z');
    expect(asOf.stdout).toContain('balance 600 fen');
    const fee = await cli('what-if.ts', '--fee-bps', '100');
    expect(fee.stdout).toContain('amount changed 1 (delta 4 fen)');
    const limit = await cli('what-if.ts', '--daily-limit', 'premium=300', '--json');
    expect(JSON.parse(limit.stdout).totals).toMatchObject({ wouldBeRefused: 1, refusedMinor: '400' });
    expect((await cli('funnel.ts')).stdout).toContain('registered     0');
  });
});
