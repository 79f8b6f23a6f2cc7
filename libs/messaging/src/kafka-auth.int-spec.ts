import { readFileSync } from 'node:fs';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel, type KafkaConfig } from 'kafkajs';
import { kafkaBrokers } from '@ledger/testing';
import { ensureTopics } from './kafka';

/**
 * The tests' broker authenticates every client (SASL/SCRAM-SHA-512 on its only client listener):
 * nobody reaches a topic without a principal's password. Run against a local broker, whose
 * credentials file the test infrastructure names; an external broker (KAFKA_BROKERS) is the
 * operator's to secure, so these checks are skipped there.
 */
const credentialsFile = process.env.KAFKA_CREDENTIALS_FILE;
const local = credentialsFile === undefined ? describe.skip : describe;

local('the authenticated broker', () => {
  const attempt = async <T = string[]>(
    login: Pick<KafkaConfig, 'sasl'>,
    act: (admin: ReturnType<Kafka['admin']>) => Promise<T> = (admin) => admin.listTopics() as Promise<T>,
    retries = 0,
  ): Promise<T> => {
    const admin = new Kafka({
      clientId: 'auth-test',
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
      retry: { retries },
      connectionTimeout: 5_000,
      requestTimeout: 5_000,
      ...login,
    }).admin();
    try {
      await admin.connect();
      return await act(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  const login = (username: string) => ({
    sasl: {
      mechanism: 'scram-sha-512' as const,
      username,
      password: (JSON.parse(readFileSync(credentialsFile!, 'utf8')) as Record<string, string>)[username]!,
    },
  });

  it('lets a principal with its password in, and each service has a principal of its own', async () => {
    const passwords = JSON.parse(readFileSync(credentialsFile!, 'utf8')) as Record<string, string>;
    expect(Object.keys(passwords)).toEqual(
      expect.arrayContaining([
        'identity',
        'cards',
        'wallet',
        'payments',
        'gateway',
        'projector',
        'operator',
        'bench',
        'risk-engine',
        'tests',
      ]),
    );
    expect(new Set(Object.values(passwords)).size).toBe(Object.keys(passwords).length);
    await expect(attempt({ sasl: { mechanism: 'scram-sha-512', username: 'wallet', password: passwords.wallet! } })).resolves.toEqual(
      expect.any(Array),
    );
  });

  it('refuses a client that does not authenticate', async () => {
    await expect(attempt({})).rejects.toThrow();
  });

  it('refuses a wrong password, and one principal with the password of another', async () => {
    const passwords = JSON.parse(readFileSync(credentialsFile!, 'utf8')) as Record<string, string>;
    await expect(attempt({ sasl: { mechanism: 'scram-sha-512', username: 'wallet', password: 'not-the-password' } })).rejects.toThrow(
      /authentication failed/i,
    );
    await expect(attempt({ sasl: { mechanism: 'scram-sha-512', username: 'wallet', password: passwords.payments! } })).rejects.toThrow(
      /authentication failed/i,
    );
  });

  it('authorizes by ACLs, deny by default: each principal has its grants, and none may grant itself more', async () => {
    const all = {
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    };
    const described = await attempt(login('tests'), (admin) => admin.describeAcls(all));
    const principals = new Set(described.resources.flatMap((resource) => resource.acls.map((acl) => acl.principal)));
    for (const service of ['identity', 'cards', 'wallet', 'payments', 'gateway', 'projector'])
      expect(principals).toContain(`User:${service}`);
    const grant = {
      resourceType: AclResourceTypes.CLUSTER,
      resourceName: 'kafka-cluster',
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:wallet',
      host: '*',
      operation: AclOperationTypes.ALTER,
      permissionType: AclPermissionTypes.ALLOW,
    };
    await expect(attempt(login('wallet'), (admin) => admin.createAcls({ acl: [grant] }))).rejects.toThrow(/authoriz/i);
  });

  /** Writes one record to `topic` (the broker's own name, no test prefix: the grants name it) as `principal`. */
  const publish = async (principal: string, topic: string) => {
    const producer = new Kafka({
      clientId: 'auth-test',
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      ...login(principal),
    }).producer();
    await producer.connect();
    try {
      return await producer.send({ topic, acks: -1, messages: [{ key: 'forged', value: JSON.stringify({ userId: 'forged' }) }] });
    } finally {
      await producer.disconnect();
    }
  };

  it("lets only a context's own service publish its events: another principal cannot forge an event the others act on", async () => {
    await attempt(login('tests'), (admin) => ensureTopics(admin, ['identity.events'], 1));
    await expect(publish('identity', 'identity.events')).resolves.toEqual(expect.any(Array));
    for (const principal of ['cards', 'wallet', 'payments', 'gateway', 'bench'])
      await expect(publish(principal, 'identity.events')).rejects.toThrow(/authoriz/i);
  });

  it("lets only a sender write its command topics: the wallet's money commands come from payments alone", async () => {
    const fromPayments = 'wallet.commands.from.payments';
    await attempt(login('tests'), (admin) =>
      ensureTopics(
        admin,
        [fromPayments, 'wallet.commands.from.gateway', 'wallet.commands.from.internal', 'identity.commands.from.cards'],
        1,
      ),
    );
    await expect(publish('payments', fromPayments)).resolves.toEqual(expect.any(Array));
    for (const principal of ['gateway', 'cards', 'identity', 'wallet', 'projector', 'operator', 'bench', 'risk-engine'])
      await expect(publish(principal, fromPayments)).rejects.toThrow(/authoriz/i);
    // The gateway writes its own topic, an internal system the internal one, and neither the other's.
    await expect(publish('gateway', 'wallet.commands.from.gateway')).resolves.toEqual(expect.any(Array));
    await expect(publish('risk-engine', 'wallet.commands.from.internal')).resolves.toEqual(expect.any(Array));
    await expect(publish('risk-engine', 'wallet.commands.from.gateway')).rejects.toThrow(/authoriz/i);
    await expect(publish('gateway', 'wallet.commands.from.internal')).rejects.toThrow(/authoriz/i);
    // cards asks identity to check a payment password, and writes nothing else.
    await expect(publish('cards', 'identity.commands.from.cards')).resolves.toEqual(expect.any(Array));
    await expect(publish('identity', 'identity.commands.from.cards')).rejects.toThrow(/authoriz/i);
  });

  it('lets a principal read only what it consumes: its own command topics, the events it follows, its own groups and reply topics', async () => {
    const describeTopic = (principal: string, topic: string) => attempt(login(principal), (admin) => admin.fetchTopicOffsets(topic));
    // Retried: a group's coordinator may still be loading on a fresh broker; a refusal is not retriable.
    const describeGroup = (principal: string, groupId: string) => attempt(login(principal), (admin) => admin.describeGroups([groupId]), 5);
    await attempt(login('tests'), (admin) =>
      ensureTopics(admin, ['wallet.commands.from.payments', 'payments.events', 'replies.gateway.auth-test'], 1),
    );
    await expect(describeTopic('wallet', 'wallet.commands.from.payments')).resolves.toEqual(expect.any(Array));
    await expect(describeTopic('gateway', 'wallet.commands.from.payments')).rejects.toThrow(/authoriz/i);
    // cards follows the wallet's events, not the payments' ones.
    await expect(describeTopic('cards', 'payments.events')).rejects.toThrow(/authoriz/i);
    await expect(describeTopic('gateway', 'replies.gateway.auth-test')).resolves.toEqual(expect.any(Array));
    // Another sender cannot see the gateway's results (the services that answer may write every reply topic).
    await expect(describeTopic('operator', 'replies.gateway.auth-test')).rejects.toThrow(/authoriz/i);
    await expect(describeGroup('wallet', 'wallet-service')).resolves.toMatchObject({ groups: [{ groupId: 'wallet-service' }] });
    // The broker answers the gateway's FindCoordinator with GROUP_AUTHORIZATION_FAILED, which KafkaJS reports as no coordinator found.
    await expect(describeGroup('gateway', 'wallet-service')).rejects.toThrow(/authoriz|coordinator/i);
  });
});
