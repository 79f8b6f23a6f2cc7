import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { localDir, repoRoot, stackFilePath, type StackFile } from '@ledger/local-infra';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';

jest.setTimeout(120_000);
const run = promisify(execFile);

/** `npm run ledger:check` (and the other operator commands) as the README gives them, with `env`. */
async function ledgerCheck(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/against-local-stack.ts', 'apps/wallet/src/cli/ledger-check.ts'],
      { cwd: repoRoot, env, timeout: 90_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('operator commands find the database of the local stack', () => {
  const instance = `against-stack-test-${process.pid}`;
  let db: TestDatabase;
  const withoutDatabase = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, LEDGER_INSTANCE: instance };
    delete env.DATABASE_URL;
    delete env.EVENT_STORE_URL;
    return env;
  };

  beforeAll(async () => {
    db = await createTestDatabase('against_stack');
  });
  afterAll(async () => {
    rmSync(path.join(localDir, instance), { recursive: true, force: true });
    await db?.drop();
  });

  it('without DATABASE_URL and with no stack running, says what to do and exits 2, without a stack trace', async () => {
    const result = await ledgerCheck(withoutDatabase());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no local stack "${instance}" is running`);
    expect(result.stderr).toContain('npm start');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('with a stack running (its supervisor alive), checks that stack’s database', async () => {
    const stack: StackFile = {
      supervisorPid: process.pid,
      brokers: '127.0.0.1:1',
      databaseUrl: db.url,
      infra: {},
      pids: {},
      instances: {},
    };
    mkdirSync(path.dirname(stackFilePath(instance)), { recursive: true });
    writeFileSync(stackFilePath(instance), JSON.stringify(stack));
    const result = await ledgerCheck(withoutDatabase());
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('ledger:check OK: 0 events');
  });

  it('a stack whose supervisor has stopped counts as none', async () => {
    const stack: StackFile = {
      supervisorPid: 2 ** 22 + 1,
      brokers: '127.0.0.1:1',
      databaseUrl: db.url,
      infra: {},
      pids: {},
      instances: {},
    };
    writeFileSync(stackFilePath(instance), JSON.stringify(stack));
    expect((await ledgerCheck(withoutDatabase())).code).toBe(2);
  });
});
