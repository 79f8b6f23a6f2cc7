import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kafkaAuthFromEnv } from './kafka';

describe("a client's broker login, from its environment", () => {
  const credentials = path.join(mkdtempSync(path.join(tmpdir(), 'kafka-auth-')), 'credentials.json');
  writeFileSync(credentials, JSON.stringify({ wallet: 'wallet-secret', payments: 'payments-secret' }));

  it('logs in as KAFKA_SASL_USERNAME with SCRAM-SHA-512, the password from KAFKA_SASL_PASSWORD or the credentials file', () => {
    expect(kafkaAuthFromEnv({ KAFKA_SASL_USERNAME: 'wallet', KAFKA_SASL_PASSWORD: 'p' })).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'wallet', password: 'p' },
    });
    expect(kafkaAuthFromEnv({ KAFKA_SASL_USERNAME: 'payments', KAFKA_CREDENTIALS_FILE: credentials })).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'payments', password: 'payments-secret' },
    });
    expect(
      kafkaAuthFromEnv({ KAFKA_SASL_USERNAME: 'wallet', KAFKA_SASL_PASSWORD: 'p', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' }).sasl,
    ).toMatchObject({ mechanism: 'scram-sha-256' });
  });

  it('refuses a principal without a password and an unknown mechanism, rather than connecting unauthenticated', () => {
    expect(() => kafkaAuthFromEnv({ KAFKA_SASL_USERNAME: 'gateway', KAFKA_CREDENTIALS_FILE: credentials })).toThrow(
      /no Kafka password for principal gateway/,
    );
    expect(() => kafkaAuthFromEnv({ KAFKA_SASL_USERNAME: 'wallet', KAFKA_SASL_PASSWORD: 'p', KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      /KAFKA_SASL_MECHANISM/,
    );
  });

  it('adds TLS when asked, and asks for nothing without a principal', () => {
    expect(kafkaAuthFromEnv({})).toEqual({});
    expect(kafkaAuthFromEnv({ KAFKA_SSL: '1', KAFKA_SASL_USERNAME: 'wallet', KAFKA_SASL_PASSWORD: 'p' })).toMatchObject({
      ssl: true,
      sasl: { username: 'wallet' },
    });
  });
});
