import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { localDir, readStackFile, repoRoot, stackFilePath, type StackFile } from '@ledger/local-infra';
import { kafkaAuthFromEnv, type KafkaAuth } from '@ledger/messaging';
import { SimulatorClient } from '@ledger/partners-simulator';

/**
 * The stack a system benchmark drives: the one `npm start` runs (tools/start.ts), started here as a
 * child process in an instance of its own (`.local/<instance>/`, its own ports), so a developer's
 * stack is never disturbed and the figures come from the same code path as `npm start`.
 */
export interface BenchStackOptions {
  instance: string;
  replicas: number;
  kafkaPort: number;
  postgresPort: number;
  gatewayPort: number;
  /** Extra service environment (risk limits for a load test, the partner simulator's load-test cards). */
  env: Record<string, string>;
}

export interface BenchStack {
  readonly instance: string;
  /** The stack's partner simulator app (its SMS inbox, its faults). */
  readonly partners: SimulatorClient;
  /** The live stack file (pids change when the supervisor restarts a service). */
  file(): StackFile;
  /** The broker login of `principal` on this stack's broker. */
  kafkaAuth(principal: string): KafkaAuth;
  /** Asks the supervisor to restart the local Kafka broker (SIGUSR2). */
  restartBroker(): void;
  stop(): Promise<void>;
}

export async function startBenchStack(options: BenchStackOptions, say: (line: string) => void): Promise<BenchStack> {
  const stackFile = stackFilePath(options.instance);
  rmSync(stackFile, { force: true });
  const partnersPort = options.gatewayPort + 60;
  const logFile = path.join(localDir, options.instance, 'start.log');
  mkdirSync(path.dirname(logFile), { recursive: true });
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/start.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...options.env,
      LEDGER_INSTANCE: options.instance,
      LEDGER_REPLICAS: String(options.replicas),
      KAFKA_PORT: String(options.kafkaPort),
      KAFKA_CONTROLLER_PORT: String(options.kafkaPort + 1),
      POSTGRES_PORT: String(options.postgresPort),
      GATEWAY_PORT: String(options.gatewayPort),
      PROJECTOR_HTTP_PORT: String(options.gatewayPort + 50),
      PARTNERS_PORT: String(partnersPort),
      // BENCH_CPU_PROF_DIR: every service writes a V8 CPU profile there when it stops (where the time goes).
      NODE_OPTIONS: [
        '--disable-warning=TimeoutNegativeWarning',
        ...(process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF_DIR)}`] : []),
      ].join(' '),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  say(
    `starting the stack (instance ${options.instance}, ${options.replicas} replica(s) per service; log ${path.relative(repoRoot, logFile)})`,
  );

  const deadline = Date.now() + 300_000;
  for (;;) {
    const stack = readStackFile(options.instance);
    if (stack?.supervisorPid === child.pid) break;
    if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode} before it was ready; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`the stack was not ready within 5 minutes; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  say('stack ready');

  const file = (): StackFile => {
    const stack = readStackFile(options.instance);
    if (!stack) throw new Error(`${stackFile} is gone`);
    return stack;
  };
  return {
    instance: options.instance,
    partners: new SimulatorClient(`http://127.0.0.1:${partnersPort}`),
    file,
    kafkaAuth(principal) {
      const credentials = file().kafkaCredentialsFile;
      return credentials ? kafkaAuthFromEnv({ KAFKA_SASL_USERNAME: principal, KAFKA_CREDENTIALS_FILE: credentials }) : {};
    },
    restartBroker() {
      child.kill('SIGUSR2');
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      await exited;
      log.end();
    },
  };
}
