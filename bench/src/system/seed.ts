import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadTestCard } from '@ledger/util/testing';
import {
  cardsContract,
  identityContract,
  paymentsContract,
  walletContract,
  type CommandContract,
  type CommandResult,
  type PayloadOf,
  type Sender,
} from '@ledger/contracts';
import { HASH_PURPOSE, loadMessageKeyring, messageKeyOf, sealField, sealingKeyFromEnv, type Keyring } from '@ledger/crypto';
import type { KafkaCommandClient } from '@ledger/messaging';
import type { SimulatorClient } from '@ledger/partners-simulator';

/** A wallet user the load generator pays with: registered, payment password set, card bound, wallet open and funded. */
export interface SeededUser {
  index: number;
  userId: string;
  walletId: string;
  phone: string;
  cardId: string;
  deviceId: string;
}

export const LOGIN_PASSWORD = 'Wallet2026ok';
export const PAYMENT_PASSWORD = '802417';
/** What each user starts with (counter top-up): ¥10,000. */
export const OPENING_BALANCE_MINOR = 1_000_000n;

/**
 * Seals secret fields the way the gateway does before they reach Kafka: for the reading service's
 * public key (development keys unless the *_SEAL_PUBLIC_KEY variables are set), so the services pay
 * in the bench what they pay behind the gateway to open them.
 */
export class EdgeSecrets {
  private readonly sealFor = {
    identity: sealingKeyFromEnv(process.env, 'identity'),
    cards: sealingKeyFromEnv(process.env, 'cards'),
    payments: sealingKeyFromEnv(process.env, 'payments'),
  };
  private readonly messageKeyring: Keyring = loadMessageKeyring(process.env, { allowDevelopmentKeys: true });

  identity(field: identityContract.SecretField, plaintext: string): string {
    return sealField(plaintext, this.sealFor.identity, identityContract.secretAad(field));
  }

  cards(field: cardsContract.SecretField, plaintext: string): string {
    return sealField(plaintext, this.sealFor.cards, cardsContract.secretAad(field));
  }

  payments(field: paymentsContract.SecretField, plaintext: string): string {
    return sealField(plaintext, this.sealFor.payments, paymentsContract.secretAad(field));
  }

  /** The Kafka key of a phone's commands, as the gateway makes it: a keyed hash, never the number. */
  phoneMessageKey(phone: string): string {
    return messageKeyOf(HASH_PURPOSE.phone, phone, this.messageKeyring);
  }
}

export class SeedFailure extends Error {}

/**
 * The bench's broker login writes as the gateway (the users' and the teller's commands, as the app
 * and the counter would send them) and as an internal system (`system:bench`: the tier change).
 */
const benchSender = (actor: string): Sender => (actor.startsWith('system:') ? 'internal' : 'gateway');

async function expectAccepted<C extends CommandContract>(
  client: KafkaCommandClient,
  what: string,
  contract: C,
  payload: PayloadOf<C>,
  key: string,
  actor: string,
): Promise<Record<string, unknown>> {
  const result: CommandResult = await client.send(contract, payload, { key, actor, sender: benchSender(actor), timeoutMs: 60_000 });
  if (result.status !== 'accepted') throw new SeedFailure(`${what}: ${result.code} ${result.message}`);
  return (result.data ?? {}) as Record<string, unknown>;
}

/**
 * Makes user `index` through the services' real commands, as the app would: SMS code, registration,
 * payment password, card binding (a load-test card the issuer simulator verifies), wallet opening
 * (once the wallet has learned of the card from the cards events), verified tier, counter top-up.
 */
export async function seedUser(client: KafkaCommandClient, sms: SimulatorClient, secrets: EdgeSecrets, index: number): Promise<SeededUser> {
  const card = loadTestCard(index);
  const phone = card.reservedPhone;
  const deviceId = `bench-device-${index}`;
  await expectAccepted(
    client,
    'sms code',
    identityContract.requestVerificationCode,
    { phone: secrets.identity('phone', phone), purpose: 'registration' },
    secrets.phoneMessageKey(phone),
    'anonymous',
  );
  const code = await sms.smsCode(phone, 15_000);
  const registered = await expectAccepted(
    client,
    'register',
    identityContract.registerUser,
    {
      phone: secrets.identity('phone', phone),
      code: secrets.identity('code', code),
      loginPassword: secrets.identity('loginPassword', LOGIN_PASSWORD),
      name: secrets.identity('name', card.holderName),
      deviceId,
    },
    secrets.phoneMessageKey(phone),
    'anonymous',
  );
  const userId = String(registered['userId']);
  const user = `user:${userId}`;
  await expectAccepted(
    client,
    'payment password',
    identityContract.setPaymentPassword,
    { userId, paymentPassword: secrets.identity('paymentPassword', PAYMENT_PASSWORD) },
    userId,
    user,
  );
  const bound = await expectAccepted(
    client,
    'bind card',
    cardsContract.bindCard,
    {
      userId,
      cardNumber: secrets.cards('cardNumber', card.number),
      holderName: secrets.cards('holderName', card.holderName),
      reservedPhone: secrets.cards('reservedPhone', phone),
    },
    userId,
    user,
  );
  const walletId = await openWallet(client, userId);
  await expectAccepted(client, 'verified tier', walletContract.changeWalletTier, { walletId, tier: 'verified' }, walletId, 'system:bench');
  const topUpId = randomUUID();
  await expectAccepted(
    client,
    'opening top-up',
    paymentsContract.counterTopUp,
    {
      paymentId: topUpId,
      userId,
      walletId,
      branchId: 'bench-branch',
      tellerId: 'bench-teller',
      amountMinor: OPENING_BALANCE_MINOR.toString(),
    },
    topUpId,
    'teller:bench-teller',
  );
  return { index, userId, walletId, phone, cardId: String(bound['cardId']), deviceId };
}

/** The wallet learns of the registration, the password and the card from events: retry until it has. */
async function openWallet(client: KafkaCommandClient, userId: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await client.send(walletContract.openWallet, { userId }, { key: userId, actor: `user:${userId}`, timeoutMs: 60_000 });
    if (result.status === 'accepted') return String(result.data?.['walletId']);
    if (result.code === 'WALLET_ALREADY_OPEN') return String(result.details?.['walletId']);
    if (result.code !== 'WALLET_PREREQUISITES_MISSING' || Date.now() > deadline)
      throw new SeedFailure(`open wallet: ${result.code} ${result.message}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * `count` users, reusing those an earlier run of the same stack made (`file`), each checked to
 * still have its wallet, so repeated runs do not re-register thousands of users.
 */
export async function seedUsers(options: {
  client: KafkaCommandClient;
  sms: SimulatorClient;
  count: number;
  file: string;
  concurrency: number;
  say(line: string): void;
}): Promise<SeededUser[]> {
  const { client, count, file, say } = options;
  const users: SeededUser[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SeededUser[]) : [];
  if (users.length > 0) {
    const probe = await client.send(
      walletContract.getBalance,
      { walletId: users[0]!.walletId },
      { key: users[0]!.walletId, actor: 'system:bench', sender: benchSender('system:bench') },
    );
    if (probe.status !== 'accepted') {
      say(`the users of ${file} are not in this stack (${probe.code}); seeding afresh`);
      users.length = 0;
    }
  }
  const secrets = new EdgeSecrets();
  const started = Date.now();
  let next = users.length === 0 ? 0 : Math.max(...users.map((user) => user.index)) + 1;
  const missing = Math.max(0, count - users.length);
  if (missing > 0) say(`seeding ${missing} users through identity, cards, wallet and payments (${users.length} reused)`);
  let made = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, missing) }, async () => {
      while (made < missing) {
        const index = next++;
        try {
          users.push(await seedUser(client, options.sms, secrets, index));
        } catch (error) {
          // A user an interrupted earlier run registered but never recorded: take the next card.
          if (error instanceof SeedFailure && error.message.includes('PHONE_ALREADY_REGISTERED')) continue;
          throw error;
        }
        made++;
        if (users.length % 500 === 0) say(`  ${users.length} users (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
    }),
  );
  writeFileSync(file, JSON.stringify(users));
  if (missing > 0) say(`seeded ${missing} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return users.slice(0, count);
}
