import 'reflect-metadata';
import type { INestMicroservice } from '@nestjs/common';
import { pingCommand } from '@ledger/contracts';
import { KafkaCommandClient, startCommandService } from '@ledger/messaging';
import { testKafka, uniqueSuffix } from '@ledger/testing';
import { IDENTITY_CONTEXT, IdentityModule } from './identity.module';

describe('identity service over the real broker', () => {
  const topicPrefix = `t-${uniqueSuffix()}.`;
  let service: INestMicroservice;
  let client: KafkaCommandClient;

  beforeAll(async () => {
    service = await startCommandService({ context: IDENTITY_CONTEXT, module: IdentityModule, topicPrefix, logger: false });
    client = new KafkaCommandClient({ kafka: testKafka('identity-test'), clientName: 'identity-test', topicPrefix, defaultTimeoutMs: 20_000 });
    await client.start();
  });

  afterAll(async () => {
    await client.stop();
    await service.close();
  });

  it('answers its health probe with its name and pid', async () => {
    const result = await client.send(pingCommand(IDENTITY_CONTEXT), {}, { key: 'health', actor: 'system:test' });
    expect(result).toMatchObject({ status: 'accepted', data: { service: 'identity', pid: process.pid } });
  });
});
