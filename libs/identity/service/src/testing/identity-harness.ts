import { randomInt } from 'node:crypto';
import { Module, type INestMicroservice } from '@nestjs/common';
import { identityContract, type CommandContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { ARGON2_OWASP_PARAMS, HASH_PURPOSE, Keyring, encryptField, messageKeyOf, openField, openingKeysFromEnv } from '@ledger/crypto';
import { KafkaCommandClient, startCommandService } from '@ledger/messaging';
import { simulatorEndpoint } from '@ledger/partners-http';
import { PartnerSimulator } from '@ledger/partners-simulator';
import { createTestDatabase, senderPlaying, startTestClient, uniqueSuffix, type TestDatabase } from '@ledger/testing';
import { ManualClock } from '@ledger/util';
import type { IdentityConfig } from '../config';
import { IDENTITY_CONTEXT, IdentityCoreModule, identityEventsTopic } from '../identity.module';
import { idNumberCheckCharacter } from '../infra/id-number';

/**
 * One identity service per test file, driven only through its Kafka interface: its own database,
 * topic prefix, keyrings (fresh random ones, not the development keys), a manual clock the test
 * moves, and a partner simulator (its own, unless given one) whose SMS inbox the test reads codes from.
 */
export interface IdentityHarness {
  client: KafkaCommandClient;
  service: INestMicroservice;
  db: TestDatabase;
  clock: ManualClock;
  fieldKeyring: Keyring;
  topicPrefix: string;
  eventsTopic: string;
  /** The partner simulator the service sends SMS to (the handsets' inboxes). */
  partners: PartnerSimulator;
  /** Encrypts a secret field the way the gateway does. */
  enc(field: identityContract.SecretField, plaintext: string): string;
  /** Decrypts a secret the service returned (a token, the provisioning URI). */
  dec(field: identityContract.SecretField, token: string): string;
  /** The Kafka key of a phone's commands, as the gateway makes it (never the number). */
  phoneKey(phone: string): string;
  send<C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    actor?: string,
    options?: { key?: string; commandId?: string },
  ): Promise<CommandResult>;
  /** The code in the last SMS the handset of `phone` received (the partner simulator's inbox). */
  latestCode(phone: string): string;
  /** Request code → read it → register; returns the new user id. */
  register(phone: string, loginPassword?: string, extra?: { idNumber?: string; deviceId?: string; name?: string }): Promise<string>;
  stop(): Promise<void>;
}

export const GOOD_LOGIN_PASSWORD = 'Wallet2026ok';
export const GOOD_PAYMENT_PASSWORD = '802417';

/** A random mainland mobile number, unique enough per test. */
export function randomPhone(): string {
  return `13${randomInt(0, 1_000_000_000).toString().padStart(9, '0')}`;
}

/** A random, checksum-valid resident ID number. */
export function randomIdNumber(): string {
  const first17 = `110105${randomInt(1950, 2005)}${String(randomInt(1, 13)).padStart(2, '0')}${String(randomInt(1, 29)).padStart(2, '0')}${String(randomInt(0, 1000)).padStart(3, '0')}`;
  return first17 + idNumberCheckCharacter(first17);
}

export async function startIdentityHarness(
  label: string,
  options: { logger?: false | Array<'log' | 'warn' | 'error'>; config?: Partial<IdentityConfig>; partners?: PartnerSimulator } = {},
): Promise<IdentityHarness> {
  const db = await createTestDatabase(label);
  const topicPrefix = `t-${uniqueSuffix()}.`;
  const clock = new ManualClock(new Date());
  const fieldKeyring = Keyring.generate(['t1']);
  const pepperKeyring = Keyring.generate(['p1']);
  const partners = options.partners ?? (await PartnerSimulator.start());

  @Module({
    imports: [
      IdentityCoreModule.forRoot({
        databaseUrl: db.url,
        topicPrefix,
        clock,
        fieldKeyring,
        pepperKeyring,
        sms: simulatorEndpoint(partners.url, 'sms'),
        argon2: ARGON2_OWASP_PARAMS,
        ...options.config,
      }),
    ],
  })
  class TestIdentityModule {}

  const service = await startCommandService({
    context: IDENTITY_CONTEXT,
    module: TestIdentityModule,
    topicPrefix,
    logger: options.logger ?? false,
  });
  const client = await startTestClient({ name: `${label}-client`, sender: 'gateway', topicPrefix, timeoutMs: 30_000 });

  const enc = (field: identityContract.SecretField, plaintext: string) =>
    encryptField(plaintext, fieldKeyring, identityContract.secretAad(field));
  // The harness plays the gateway: tokens in results are sealed for the gateway's (development) key.
  const gatewayOpeners = { keyring: fieldKeyring, opening: openingKeysFromEnv(process.env, 'gateway') };
  const dec = (field: identityContract.SecretField, token: string) => openField(token, gatewayOpeners, identityContract.secretAad(field));
  const phoneKey = (phone: string) => messageKeyOf(HASH_PURPOSE.phone, phone, fieldKeyring);
  const send = <C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    actor = 'anonymous',
    sendOptions: { key?: string; commandId?: string } = {},
  ) =>
    client.send(contract, payload, {
      key: sendOptions.key ?? 'identity-test',
      actor,
      sender: senderPlaying(actor, contract),
      commandId: sendOptions.commandId,
    });

  const latestCode = (phone: string): string => {
    const code = partners.sms.latestCode(phone);
    if (code === undefined) throw new Error(`no SMS code in the inbox of ${phone}`);
    return code;
  };

  const register = async (
    phone: string,
    loginPassword = GOOD_LOGIN_PASSWORD,
    extra: { idNumber?: string; deviceId?: string; name?: string } = {},
  ): Promise<string> => {
    const requested = await send(
      identityContract.requestVerificationCode,
      { phone: enc('phone', phone), purpose: 'registration' },
      'anonymous',
      { key: phoneKey(phone) },
    );
    if (requested.status !== 'accepted') throw new Error(`code request failed: ${requested.code}`);
    const result = await send(
      identityContract.registerUser,
      {
        phone: enc('phone', phone),
        code: enc('code', latestCode(phone)),
        loginPassword: enc('loginPassword', loginPassword),
        name: enc('name', extra.name ?? '张三'),
        ...(extra.idNumber === undefined ? {} : { idNumber: enc('idNumber', extra.idNumber) }),
        ...(extra.deviceId === undefined ? {} : { deviceId: extra.deviceId }),
      },
      'anonymous',
      { key: phoneKey(phone) },
    );
    if (result.status !== 'accepted') throw new Error(`registration failed: ${result.code} ${result.message}`);
    return String(result.data?.['userId']);
  };

  return {
    client,
    service,
    db,
    clock,
    fieldKeyring,
    topicPrefix,
    eventsTopic: identityEventsTopic(topicPrefix),
    partners,
    enc,
    dec,
    phoneKey,
    send,
    latestCode,
    register,
    async stop() {
      await client.stop();
      await service.close();
      await db.drop();
      if (!options.partners) await partners.close();
    },
  };
}

/** Narrows a result to rejected with `code`, failing the test with the whole result otherwise. */
export function expectRejected(result: CommandResult, code: string): Extract<CommandResult, { status: 'rejected' }> {
  expect(result).toMatchObject({ status: 'rejected', code });
  return result as Extract<CommandResult, { status: 'rejected' }>;
}

export function expectAccepted(result: CommandResult): Record<string, unknown> {
  expect(result).toMatchObject({ status: 'accepted' });
  return (result as Extract<CommandResult, { status: 'accepted' }>).data ?? {};
}

/** Retries a probe until it stops throwing (read models are eventually consistent). */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
