/**
 * A program outside the monorepo that uses the packaged `@ledger/client`: it reads a wallet's
 * balance, pays a merchant from it, and prints the payment and the balance after. Node runs it as is
 * (`node main.ts`: Node 24 strips the types), importing the client by its package name.
 *
 * Its environment:
 * - KAFKA_BROKERS (default 127.0.0.1:9092) and the broker login (KAFKA_SASL_USERNAME with
 *   KAFKA_SASL_PASSWORD or KAFKA_CREDENTIALS_FILE), read by `createKafka`;
 * - LEDGER_TOPIC_PREFIX: the prefix of every topic name, if the services run under one (the tests' do);
 * - LEDGER_USER_ID, LEDGER_WALLET_ID: the payer and their wallet;
 * - LEDGER_PAYMENT_PASSWORD: the payer's payment password as the gateway forwards it, encrypted for
 *   identity (`enc:v1:…`): a password never travels in clear, and no program but the app sees it;
 * - LEDGER_MERCHANT_ID (default m-canteen), LEDGER_AMOUNT_MINOR (fen, default 1250), LEDGER_DEVICE_ID.
 */
import { randomUUID } from 'node:crypto';
import { LedgerCommands, createKafka, paymentsContract, walletContract, type AcceptedOf } from '@ledger/client';

type Payment = AcceptedOf<typeof paymentsContract.payMerchant>;

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Fen as yuan for people, without a float: "1250" → "12.50". */
function yuan(minor: string): string {
  const digits = minor.padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

async function main(): Promise<number> {
  const userId = required('LEDGER_USER_ID');
  const walletId = required('LEDGER_WALLET_ID');
  const paymentPassword = required('LEDGER_PAYMENT_PASSWORD');
  const merchantId = process.env.LEDGER_MERCHANT_ID ?? 'm-canteen';
  const amountMinor = process.env.LEDGER_AMOUNT_MINOR ?? '1250';
  const system = 'system:client-example';

  const commands = new LedgerCommands({
    kafka: createKafka('client-example'),
    clientName: 'client-example',
    topicPrefix: process.env.LEDGER_TOPIC_PREFIX ?? '',
    defaultTimeoutMs: 30_000,
    // Every answer is checked against its command's contract: a mismatch throws instead of being read.
    validateResults: true,
  });
  await commands.start();
  try {
    // Typed by the contract: `availableMinor` is a decimal string of fen.
    const before = await commands.request(walletContract.getBalance, { walletId }, { key: walletId, actor: system });

    // Payments are started by users through the gateway, so this one is sent as the gateway's sender
    // for the user. An internal system's own sender may not start one: on a broker with ACLs only the
    // gateway's principal may write the gateway's command topics, so there this program logs in as it.
    const paymentId = randomUUID();
    const result = await commands.send(
      paymentsContract.payMerchant,
      {
        paymentId,
        userId,
        walletId,
        merchantId,
        channel: 'online',
        amountMinor,
        description: 'client package example',
        paymentPassword,
        deviceId: process.env.LEDGER_DEVICE_ID ?? 'client-example',
      },
      { key: paymentId, actor: `user:${userId}`, sender: 'gateway' },
    );
    if (result.status === 'rejected') {
      console.error(`payment ${paymentId} rejected: ${result.code} (${result.message})`);
      return 1;
    }

    // Not decided within the service's wait bound (`pending`, or a step it waits at): it carries on; ask until it is.
    let payment: Payment = result.data;
    const deadline = Date.now() + 30_000;
    while (payment.status !== 'completed' && payment.status !== 'failed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      payment = await commands.request(paymentsContract.getPayment, { paymentId }, { key: paymentId, actor: system });
    }
    if (payment.status !== 'completed') {
      console.error(`payment ${paymentId} is ${payment.status}`);
      return 1;
    }

    const after = await commands.request(walletContract.getBalance, { walletId }, { key: walletId, actor: system });
    console.log(`paid ${merchantId} ${yuan(payment.amountMinor)} yuan: payment ${paymentId} ${payment.status} at ${payment.completedAt}`);
    console.log(`available in wallet ${walletId}: ${yuan(before.availableMinor)} → ${yuan(after.availableMinor)} yuan`);
    console.log(JSON.stringify({ payment, availableBefore: before.availableMinor, availableAfter: after.availableMinor }));
    return 0;
  } finally {
    await commands.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
