import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { localDir } from './paths';
import { isAlive } from './processes';

/** What `.local/<instance>/run/stack.json` holds: the live pids of a stack `npm start` runs. */
export interface StackFile {
  supervisorPid: number;
  brokers: string;
  /** The local broker's credentials file (KAFKA_CREDENTIALS_FILE for a client of this stack); absent for an external broker. */
  kafkaCredentialsFile?: string;
  databaseUrl: string;
  /** Local broker and database (absent when KAFKA_BROKERS / DATABASE_URL point elsewhere). */
  infra: { kafka?: number; postgres?: number };
  /** The first instance of each service. */
  pids: Record<string, number>;
  /** Every instance of each service, replica 1 first. */
  instances: Record<string, number[]>;
  /** The partner simulator app (the acquirer, issuer, billers, SMS gateway and providers of the local stack). */
  partners?: { url: string; pid: number };
  /** Each service's management ports (metrics, health), replica 1 first: `http://127.0.0.1:<port>`. */
  management?: Record<string, string[]>;
  /** The Prometheus server of `npm start -- --prometheus`. */
  prometheus?: { url: string; pid: number };
}

export function stackFilePath(instance: string): string {
  return path.join(localDir, instance, 'run', 'stack.json');
}

/** The stack file of `instance`, or undefined when that stack never reported ready. */
export function readStackFile(instance: string): StackFile | undefined {
  const file = stackFilePath(instance);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackFile) : undefined;
}

/** The stack of `instance` while its supervisor runs; undefined when none was started or it has stopped. */
export function runningStack(instance: string): StackFile | undefined {
  const stack = readStackFile(instance);
  return stack !== undefined && isAlive(stack.supervisorPid) ? stack : undefined;
}
