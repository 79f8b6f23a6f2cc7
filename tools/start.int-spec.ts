import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort, isAlive, isPortOpen, localDir, repoRoot, sleep } from '@ledger/local-infra';

/**
 * `npm start` brings the stack up and SIGINT (what Ctrl-C sends) takes it down with no process left
 * behind. The stack runs on its own ports and folder so it does not disturb a developer's stack.
 */
describe('npm start / Ctrl-C', () => {
  const instance = `start-test-${process.pid}`;
  const stackFile = path.join(localDir, instance, 'run', 'stack.json');

  afterAll(() => rmSync(path.join(localDir, instance), { recursive: true, force: true }));

  it('starts Kafka, PostgreSQL, the partner simulator and every service, reports them healthy, and stops them all on SIGINT', async () => {
    const ports = {
      KAFKA_PORT: String(await freePort()),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      POSTGRES_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
      PARTNERS_PORT: String(await freePort()),
      // Free management ports, apart from a developer's stack on the default ones.
      MANAGEMENT_PORT_BASE: '0',
    };
    const env: NodeJS.ProcessEnv = { ...process.env, ...ports, LEDGER_INSTANCE: instance };
    delete env.KAFKA_BROKERS;
    delete env.DATABASE_URL;
    const supervisor = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/start.ts'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    supervisor.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    supervisor.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 150_000;
    while (!output.includes('ready.') && Date.now() < deadline && supervisor.exitCode === null) await sleep(250);
    expect(output).toContain('[start] ready.');
    expect(output).toMatch(/identity healthy/);
    expect(output).toMatch(/Apache Kafka 3\.9\.\d/);
    expect(output).toMatch(/partners healthy/);

    const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as {
      pids: Record<string, number>;
      partners: { url: string; pid: number };
      management: Record<string, string[]>;
    };
    expect(stack.partners.url).toBe(`http://127.0.0.1:${ports.PARTNERS_PORT}`);
    // The stack's partners answer as the simulator they are (which a deployment would refuse).
    expect((await fetch(stack.partners.url)).headers.get('x-partner-simulator')).toBe('1');
    const kafkaPid = Number(readFileSync(path.join(localDir, instance, 'kafka', 'kafka.pid'), 'utf8'));
    const postgresPid = Number(readFileSync(path.join(localDir, instance, 'postgres', 'postgres.pid'), 'utf8'));
    const pids = [...Object.values(stack.pids), stack.partners.pid, kafkaPid, postgresPid];
    expect(pids.every(isAlive)).toBe(true);
    // Every service is ready on its management port, and serves its metrics there.
    expect(Object.keys(stack.management).sort()).toEqual(Object.keys(stack.pids).sort());
    for (const [service, [url]] of Object.entries(stack.management)) {
      expect({ service, ready: (await fetch(`${url!}/health/ready`)).status }).toEqual({ service, ready: 200 });
      expect(await (await fetch(`${url!}/metrics`)).text()).toMatch(/^ledger_ready 1$/m);
    }
    expect(output).toContain('Metrics and health (management ports');

    supervisor.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('[start] stopped');
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await isPortOpen(Number(ports.KAFKA_PORT))).toBe(false);
    expect(await isPortOpen(Number(ports.POSTGRES_PORT))).toBe(false);
    expect(await isPortOpen(Number(ports.GATEWAY_PORT))).toBe(false);
    expect(await isPortOpen(Number(ports.PARTNERS_PORT))).toBe(false);
    // Data is kept for the next run.
    expect(existsSync(path.join(localDir, instance, 'postgres', 'data', 'PG_VERSION'))).toBe(true);
  }, 240_000);
});
