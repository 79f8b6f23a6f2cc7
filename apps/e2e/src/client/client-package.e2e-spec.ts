import 'reflect-metadata';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paymentsContract } from '@ledger/contracts';
import { PaymentsHarness, type Payer, TEST_DEVICE } from '../harness/payments-harness';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../../../..');
const EXAMPLE = path.join(root, 'examples/client-payment');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (killed after `timeoutMs`), with its output. */
function run(command: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function succeeded(what: string, ran: Ran): Ran {
  if (ran.code !== 0) throw new Error(`${what} exited ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`);
  return ran;
}

type LockEntry = { version?: string; integrity?: string; dependencies?: Record<string, string> };
const lockOf = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { packages: Record<string, LockEntry> };

/**
 * `@ledger/client` as a package: built (tools/build-client-package.ts), installed by npm from its
 * directory into a copy of `examples/client-payment` outside this repository (so nothing resolves
 * through the monorepo's path mapping or its node_modules), and imported by name by the example,
 * run as a separate Node process against the real identity, wallet and payments services. The
 * example pays a merchant from a funded payer's wallet; the test checks the payment through the services.
 */
describe('the client package, built and installed by an outside program', () => {
  let h: PaymentsHarness | undefined;
  let payer: Payer;
  // The repository's layout, mirrored: the example's `file:../../dist/libs/client` finds the package built here.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-client-package-'));
  const packageDir = path.join(tmp, 'dist/libs/client');
  const exampleDir = path.join(tmp, 'examples/client-payment');

  afterAll(async () => {
    await h?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('builds, installs offline from the lockfile, type-checks and runs the example, which completes a merchant payment', async () => {
    const build = run(process.execPath, ['-r', '@swc-node/register', 'tools/build-client-package.ts', '--out', packageDir], root, 90_000);
    const services = PaymentsHarness.start('client_package').then(async (started) => {
      h = started;
      payer = await started.payer('10000');
    });
    const [built] = await Promise.all([build, services]);
    succeeded('the build', built);
    expect(fs.existsSync(path.join(packageDir, 'lib/client/src/index.d.ts'))).toBe(true);

    // The example's lockfile pins the package's dependencies at the versions this repository is tested with.
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'libs/client/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const exampleLock = lockOf(path.join(EXAMPLE, 'package-lock.json'));
    const rootLock = lockOf(path.join(root, 'package-lock.json'));
    expect(exampleLock.packages['node_modules/@ledger/client']?.dependencies).toEqual(manifest.dependencies);
    for (const name of Object.keys(manifest.dependencies)) {
      const { version, integrity } = rootLock.packages[`node_modules/${name}`] ?? {};
      expect(exampleLock.packages[`node_modules/${name}`]).toMatchObject({ version, integrity });
    }

    fs.cpSync(EXAMPLE, exampleDir, { recursive: true, filter: (source) => !source.includes(`${path.sep}node_modules`) });
    // `--prefer-offline`: the tarballs come from npm's cache by the lockfile's integrity, the network only if they are not there.
    succeeded('npm ci', await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], exampleDir, 60_000));
    const installed = path.join(exampleDir, 'node_modules');
    // A copy with its own dependencies, not a link back into this repository.
    expect(fs.lstatSync(path.join(installed, '@ledger/client')).isSymbolicLink()).toBe(false);
    // The client's own dependencies (kafkajs, TypeBox: no Nest) and the example's TypeScript.
    const entries = fs.readdirSync(installed).filter((entry) => !entry.startsWith('.'));
    expect(entries.sort()).toEqual(['@ledger', '@sinclair', '@types', 'kafkajs', 'typescript', 'undici-types']);

    const { userId, walletId } = payer;
    const before = await h!.balance(walletId);
    // The example type-checks against the package's declarations (its `npm run typecheck`) while it runs.
    const [typechecked, example] = await Promise.all([
      run(process.execPath, [path.join(installed, 'typescript/bin/tsc'), '-p', '.'], exampleDir, 60_000),
      run(process.execPath, ['main.ts'], exampleDir, 45_000, {
        ...process.env,
        LEDGER_TOPIC_PREFIX: h!.topicPrefix,
        LEDGER_USER_ID: userId,
        LEDGER_WALLET_ID: walletId,
        LEDGER_PAYMENT_PASSWORD: h!.password(),
        LEDGER_DEVICE_ID: TEST_DEVICE,
        LEDGER_AMOUNT_MINOR: '1250',
      }),
    ]);
    succeeded('tsc on the example', typechecked);
    const ran = succeeded('the example', example);
    const summaryLine = ran.stdout.split('\n').find((line) => line.startsWith('{"payment"'));
    if (summaryLine === undefined) throw new Error(`the example printed no summary:\n${ran.stdout}\n${ran.stderr}`);
    const summary = JSON.parse(summaryLine) as {
      payment: { paymentId: string; status: string };
      availableBefore: string;
      availableAfter: string;
    };
    expect(summary).toMatchObject({
      payment: { status: 'completed', kind: 'merchant', amountMinor: '1250' },
      availableBefore: before.availableMinor,
      availableAfter: String(BigInt(before.availableMinor) - 1250n),
    });
    // The services agree: the payment is recorded completed, and the money left the wallet.
    const { paymentId } = summary.payment;
    expect(await h!.send(paymentsContract.getPayment, { paymentId }, paymentId)).toMatchObject({
      status: 'accepted',
      data: { status: 'completed', postings: expect.arrayContaining([{ account: `wallet:${walletId}`, amountMinor: '-1250' }]) },
    });
    expect((await h!.balance(walletId)).availableMinor).toBe(summary.availableAfter);
  });
});
