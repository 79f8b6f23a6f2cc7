import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { kafkaBrokers } from '@ledger/testing';

/**
 * The tests' broker authenticates every client (SASL/SCRAM-SHA-512 on its only client listener):
 * nobody reaches a topic without a principal's password. Run against a local broker, whose
 * credentials file the test infrastructure names; an external broker (KAFKA_BROKERS) is the
 * operator's to secure, so these checks are skipped there.
 */
const credentialsFile = process.env.KAFKA_CREDENTIALS_FILE;
const local = credentialsFile === undefined ? describe.skip : describe;

local('the authenticated broker', () => {
  const attempt = async (login: Pick<KafkaConfig, 'sasl'>) => {
    const admin = new Kafka({ clientId: 'auth-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 5_000, requestTimeout: 5_000, ...login }).admin();
    try {
      await admin.connect();
      return await admin.listTopics();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  it("lets a principal with its password in, and each service has a principal of its own", async () => {
    const passwords = JSON.parse(readFileSync(credentialsFile!, 'utf8')) as Record<string, string>;
    expect(Object.keys(passwords)).toEqual(expect.arrayContaining(['identity', 'cards', 'wallet', 'payments', 'gateway', 'projector', 'bench', 'tests']));
    expect(new Set(Object.values(passwords)).size).toBe(Object.keys(passwords).length);
    await expect(attempt({ sasl: { mechanism: 'scram-sha-512', username: 'wallet', password: passwords.wallet! } })).resolves.toEqual(expect.any(Array));
  });

  it('refuses a client that does not authenticate', async () => {
    await expect(attempt({})).rejects.toThrow();
  });

  it('refuses a wrong password, and one principal with the password of another', async () => {
    const passwords = JSON.parse(readFileSync(credentialsFile!, 'utf8')) as Record<string, string>;
    await expect(attempt({ sasl: { mechanism: 'scram-sha-512', username: 'wallet', password: 'not-the-password' } })).rejects.toThrow(/authentication failed/i);
    await expect(attempt({ sasl: { mechanism: 'scram-sha-512', username: 'wallet', password: passwords.payments! } })).rejects.toThrow(/authentication failed/i);
  });
});
