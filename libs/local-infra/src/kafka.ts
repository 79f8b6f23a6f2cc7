import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  ResourcePatternTypes,
  logLevel,
  type AclEntry,
  type KafkaConfig,
  type SASLOptions,
} from 'kafkajs';
import { KAFKA_PRINCIPALS, busGrants, type Operation } from './kafka-grants';
import { localDir, repoRoot } from './paths';
import { killStaleProcess, sleep, startProcess, waitForPort, type ManagedProcess } from './processes';

const pomFile = path.join(repoRoot, 'deploy/kafka/pom.xml');

/** The Kafka version pinned in deploy/kafka/pom.xml. */
export function pinnedKafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomFile, 'utf8'));
  if (!match?.[1]) throw new Error(`no <kafka.version> in ${pomFile}`);
  return match[1];
}

function kafkaHome(): string {
  return path.join(localDir, 'kafka', pinnedKafkaVersion());
}

/**
 * Resolves the broker's jars from Maven Central into `.local/kafka/<version>/libs`. Idempotent: a
 * marker holding the pom's hash records a finished install, so a second run does nothing.
 */
export function installKafka(log: (line: string) => void = console.log): { installed: boolean; home: string } {
  const home = kafkaHome();
  const libs = path.join(home, 'libs');
  const marker = path.join(home, 'installed.sha256');
  const pomHash = createHash('sha256').update(readFileSync(pomFile)).digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === pomHash) return { installed: false, home };
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.status !== 0) throw new Error('Java 17+ is needed to run Kafka: `java -version` failed');
  log(`kafka: resolving org.apache.kafka:kafka_2.13:${pinnedKafkaVersion()} with Maven into ${path.relative(repoRoot, libs)}`);
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  execFileSync('mvn', ['-q', '-B', '-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'], {
    stdio: 'inherit',
  });
  writeFileSync(marker, pomHash + '\n');
  log(`kafka: ${readdirSync(libs).length} jars installed`);
  return { installed: true, home };
}

export interface KafkaOptions {
  /** A name for this broker's files: `.local/<name>/kafka`. */
  instance: string;
  port: number;
  controllerPort: number;
  heapMb?: number;
  /** Start from empty storage (tests) instead of keeping data between runs (`npm start`). */
  fresh?: boolean;
  /** Kafka's default partition count for auto-created topics. */
  partitions?: number;
}

/** The broker's own principal (the super user the broker and the controller authenticate as); no client uses it. The others are `PRINCIPAL_ROLES`'. */
export const KAFKA_ADMIN_PRINCIPAL = 'admin';

/** Where a local broker's credentials are kept: `{ "<principal>": "<password>" }`, readable by its owner only, never committed. */
export interface KafkaCredentialsFile {
  path: string;
  passwords: Record<string, string>;
}

export interface RunningKafka {
  brokers: string;
  /** The credentials file of this broker's principals (clients find it through KAFKA_CREDENTIALS_FILE). */
  credentialsFile: string;
  version: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Runs a single-node KRaft broker (combined broker + controller) on 127.0.0.1. */
export async function startKafka(opts: KafkaOptions): Promise<RunningKafka> {
  const { home } = installKafka();
  const root = path.join(localDir, opts.instance, 'kafka');
  const dataDir = path.join(root, 'data');
  const pidFile = path.join(root, 'kafka.pid');
  await killStaleProcess(pidFile);
  if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const credentials = kafkaCredentials(root, dataDir);
  const propsFile = path.join(root, 'server.properties');
  writeFileSync(propsFile, serverProperties(opts, dataDir, credentials.passwords[KAFKA_ADMIN_PRINCIPAL]!));
  chmodSync(propsFile, 0o600); // it holds the admin's password
  const log4jFile = path.join(root, 'log4j.properties');
  writeFileSync(log4jFile, LOG4J);
  const classpath = path.join(home, 'libs', '*');
  if (!existsSync(path.join(dataDir, 'meta.properties'))) {
    // SCRAM credentials live in the cluster's metadata: the first ones are written when the storage is formatted.
    const scram = Object.entries(credentials.passwords).flatMap(([name, password]) => [
      '--add-scram',
      `SCRAM-SHA-512=[name=${name},password=${password}]`,
    ]);
    execFileSync(
      'java',
      [
        '-cp',
        classpath,
        `-Dlog4j.configuration=file:${log4jFile}`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        randomUUID(),
        '-c',
        propsFile,
        ...scram,
      ],
      {
        stdio: 'ignore',
      },
    );
  }
  const heap = `${opts.heapMb ?? 512}m`;
  const proc = startProcess({
    name: 'kafka',
    command: 'java',
    args: [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4jFile}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      propsFile,
    ],
    logFile: path.join(root, 'kafka.log'),
    pidFile,
  });
  const brokers = `127.0.0.1:${opts.port}`;
  const admin = { sasl: scramAuth(KAFKA_ADMIN_PRINCIPAL, credentials.passwords[KAFKA_ADMIN_PRINCIPAL]!) };
  try {
    await Promise.race([
      waitForKafka(brokers, 60_000, admin).then(() => grantPrincipals(brokers, admin)),
      proc.exited.then((code) => {
        throw new Error(`kafka exited with ${code} while starting; see ${proc.logFile}`);
      }),
    ]);
  } catch (error) {
    await proc.stop(5_000);
    throw error;
  }
  return { brokers, credentialsFile: credentials.path, version: pinnedKafkaVersion(), process: proc, stop: () => proc.stop(30_000) };
}

/** A SCRAM-SHA-512 login for KafkaJS. */
export function scramAuth(username: string, password: string): SASLOptions {
  return { mechanism: 'scram-sha-512', username, password };
}

/**
 * The credentials of a local broker's principals, made once per storage: a broker whose data
 * predates them (formatted without them, or without a principal added since) starts from empty
 * storage, since principals are added here only when the storage is formatted; a credentials file
 * without its storage is made again.
 */
function kafkaCredentials(root: string, dataDir: string): KafkaCredentialsFile {
  const file = path.join(root, 'credentials.json');
  const formatted = existsSync(path.join(dataDir, 'meta.properties'));
  const kept = formatted && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : undefined;
  if (kept && [KAFKA_ADMIN_PRINCIPAL, ...KAFKA_PRINCIPALS].every((name) => kept[name] !== undefined))
    return { path: file, passwords: kept };
  if (formatted) {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
  }
  const passwords = Object.fromEntries(
    [KAFKA_ADMIN_PRINCIPAL, ...KAFKA_PRINCIPALS].map((name) => [name, randomBytes(24).toString('base64url')]),
  );
  writeFileSync(file, JSON.stringify(passwords, null, 2) + '\n', { mode: 0o600 });
  return { path: file, passwords };
}

/** The grants of `PRINCIPAL_ROLES` as the broker's ACLs. They live in the cluster's metadata; granting them again on every start changes nothing. */
function localAcls(): AclEntry[] {
  const operation: Record<Operation, AclOperationTypes> = {
    READ: AclOperationTypes.READ,
    WRITE: AclOperationTypes.WRITE,
    CREATE: AclOperationTypes.CREATE,
    DESCRIBE: AclOperationTypes.DESCRIBE,
    DELETE: AclOperationTypes.DELETE,
    ALL: AclOperationTypes.ALL,
  };
  const resource = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP, cluster: AclResourceTypes.CLUSTER } as const;
  return busGrants().flatMap((grant) =>
    grant.operations.map((op) => ({
      resourceType: resource[grant.resource],
      resourceName: grant.name,
      resourcePatternType: grant.pattern === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
      principal: `User:${grant.principal}`,
      host: '*',
      operation: operation[op],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

/**
 * Makes the broker's ACLs exactly the table's: the ones a broker kept from an earlier start (with an
 * older table) are removed first. Runs before any client of the stack connects.
 */
async function grantPrincipals(brokers: string, auth: Pick<KafkaConfig, 'sasl'>): Promise<void> {
  const acl = localAcls();
  const admin = new Kafka({ clientId: 'grants', brokers: brokers.split(','), logLevel: logLevel.NOTHING, ...auth }).admin();
  await admin.connect();
  try {
    const any = {
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    } as const;
    await admin.deleteAcls({ filters: [any] });
    await admin.createAcls({ acl });
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the broker answers a metadata request (an open port alone is not enough). */
export async function waitForKafka(brokers: string, timeoutMs: number, auth: Pick<KafkaConfig, 'sasl' | 'ssl'> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const [host, port] = brokers.split(',')[0]!.split(':');
  await waitForPort(Number(port), timeoutMs, host);
  const admin = new Kafka({ clientId: 'readiness', brokers: brokers.split(','), logLevel: logLevel.NOTHING, ...auth }).admin();
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
      return;
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  await admin.disconnect().catch(() => undefined);
  throw new Error(`Kafka at ${brokers} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

function serverProperties(opts: KafkaOptions, dataDir: string, adminPassword: string): string {
  return [
    '# Written by libs/local-infra on every start: a single-node KRaft broker for local runs.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${opts.controllerPort}`,
    // Every connection authenticates: clients with SCRAM-SHA-512 (credentials in the cluster's
    // metadata), the broker to its own controller with PLAIN (the controller cannot read SCRAM
    // credentials before its metadata is loaded). Loopback only, so no TLS.
    `listeners=SASL_PLAINTEXT://127.0.0.1:${opts.port},CONTROLLER://127.0.0.1:${opts.controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${opts.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_ADMIN_PRINCIPAL}" password="${adminPassword}";`,
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    'sasl.mechanism.controller.protocol=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${KAFKA_ADMIN_PRINCIPAL}" password="${adminPassword}" user_${KAFKA_ADMIN_PRINCIPAL}="${adminPassword}";`,
    // Deny by default: a principal may do only what an ACL grants it (grantPrincipals); the broker's own principal may do everything.
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    `super.users=User:${KAFKA_ADMIN_PRINCIPAL}`,
    'allow.everyone.if.no.acl.found=false',
    `log.dirs=${dataDir}`,
    `num.partitions=${opts.partitions ?? 4}`,
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=8',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'log.retention.hours=168',
    'num.network.threads=2',
    'num.io.threads=4',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaRaftServer=INFO',
  '',
].join('\n');
