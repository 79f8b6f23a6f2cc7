import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { paymentsContract, topics, type CommandResult } from '@ledger/contracts';
import { PeriodicOffsetCommits, type KafkaCommandClient } from '@ledger/messaging';
import { EdgeSecrets, type SeededUser } from './seed';
import { orderFor, pick, type PaymentKind, type TrafficMix } from './traffic-mix';

/**
 * The load generator: an open-loop source of payments at a fixed rate (it does not wait for one
 * payment to finish before starting the next, so a slow system shows up as latency, not as a
 * politely lower request rate), and a tracker that times each payment from its command to its
 * outcome event on `payments.events`.
 */

export interface PaymentRecord {
  paymentId: string;
  kind: PaymentKind;
  sentAt: number;
  /** When the outcome event arrived (performance.now()). */
  outcomeAt?: number;
  outcome?: 'completed' | 'failed';
  /** The failure code of the outcome event, or the refusal code of the reply when no payment started. */
  code?: string;
  replyAt?: number;
  replyStatus?: string;
}

/** Follows `payments.events` and stamps each tracked payment's outcome as it arrives. */
export class OutcomeTracker {
  readonly records = new Map<string, PaymentRecord>();
  private consumer?: Consumer;
  private commits?: PeriodicOffsetCommits;
  /** Outcome events seen, tracked or not (a payment of an earlier phase finishing late). */
  outcomeEvents = 0;

  constructor(private readonly kafka: Kafka) {}

  async start(topicPrefix = ''): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: `bench-outcomes-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 20 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: `${topicPrefix}${topics.events('payments')}`, fromBeginning: false });
    const joined = new Promise<void>((resolve) => this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => resolve()));
    // The tracker's broker requests count in the system's cost: its position is committed once a
    // second, not after every fetch (a re-read outcome finds its payment already stamped).
    const commits = (this.commits = new PeriodicOffsetCommits(this.consumer, 1_000));
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        const last = batch.messages[batch.messages.length - 1];
        if (last) commits.handled(batch.topic, batch.partition, last.offset);
        for (const message of batch.messages) {
          const type = message.headers?.['message-type']?.toString();
          if (type !== paymentsContract.EVENT_TYPES.PaymentCompleted && type !== paymentsContract.EVENT_TYPES.PaymentFailed) continue;
          this.outcomeEvents++;
          const data = JSON.parse(message.value?.toString() ?? '{}') as { paymentId?: string; failure?: { code?: string } };
          const record = data.paymentId === undefined ? undefined : this.records.get(data.paymentId);
          if (!record || record.outcomeAt !== undefined) continue;
          record.outcomeAt = now;
          record.outcome = type === paymentsContract.EVENT_TYPES.PaymentCompleted ? 'completed' : 'failed';
          if (record.outcome === 'failed') record.code = data.failure?.code ?? 'UNKNOWN';
        }
      },
    });
    commits.start();
    await joined;
    // A new group starts at the latest offsets once its partitions are assigned; give the first fetch a moment.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }

  async stop(): Promise<void> {
    await this.commits?.stop();
    await this.consumer?.disconnect();
  }
}

export interface LoadOptions {
  client: KafkaCommandClient;
  tracker: OutcomeTracker;
  users: SeededUser[];
  mix: TrafficMix;
  /** Payments started per second. */
  rate: number;
  durationMs: number;
  /** The encrypted payment password (the gateway encrypts it; one ciphertext serves every command). */
  paymentPassword: string;
  label: string;
  say(line: string): void;
  /**
   * Resends a payment refused PAYMENTS_BUSY or left unanswered (TIMEOUT) up to this many times, with
   * the same command id (so a payment that started is joined, never started twice), as an app would;
   * 0 (the default) reports the refusal, to measure what gets refused.
   */
  busyRetries?: number;
  /** How long to wait after the sending for the last outcomes (default 60 s); what is still open then counts as unfinished. */
  drainMs?: number;
  /**
   * Who pays: a user drawn at random each time (the default), or every user in turn, so that a run
   * of at least `users.length` payments has each user pay once (the warm-up, which loads every
   * payer's streams into the services' caches before anything is measured).
   */
  payers?: 'random' | 'each-in-turn';
}

/** Sends payments at `rate` per second for `durationMs`; returns the records of this phase. */
export async function runLoad(options: LoadOptions): Promise<{ records: PaymentRecord[]; startedAt: number; endedAt: number }> {
  const { client, tracker, users, mix, rate } = options;
  const records: PaymentRecord[] = [];
  const inFlightReplies: Array<Promise<void>> = [];
  const startedAt = performance.now();
  const endAt = startedAt + options.durationMs;
  let sent = 0;
  let nextReport = startedAt + 10_000;

  const busyRetries = options.busyRetries ?? 0;
  let drained = false;
  const send = (record: PaymentRecord, attempt: () => Promise<CommandResult>, retriesLeft = busyRetries) => {
    inFlightReplies.push(
      attempt().then(
        (reply) => {
          if (reply.status === 'rejected' && (reply.code === 'PAYMENTS_BUSY' || reply.code === 'TIMEOUT') && retriesLeft > 0 && !drained) {
            // Exponential backoff from the Retry-After, with jitter: thousands of refused payments
            // resent every second would themselves keep the service busy (a retry storm).
            const retryAfterMs = Number(reply.details?.['retryAfterMs'] ?? 1_000);
            const backoffMs = Math.min(retryAfterMs * 2 ** (busyRetries - retriesLeft), 30_000) * (0.5 + Math.random());
            setTimeout(() => {
              // After the drain a payment is no longer resent: it stays refused.
              if (drained) {
                record.replyStatus = reply.status;
                record.code ??= reply.code;
              } else {
                send(record, attempt, retriesLeft - 1);
              }
            }, backoffMs);
            return;
          }
          record.replyAt = performance.now();
          record.replyStatus = reply.status;
          // Refused before a payment started (risk rules, validation): no outcome event will come.
          if (
            reply.status === 'rejected' &&
            reply.details?.['status'] !== 'failed' &&
            record.outcomeAt === undefined &&
            record.code === undefined
          )
            record.code = reply.code;
        },
        (error: unknown) => {
          record.replyStatus = 'error';
          record.code = `SEND_FAILED: ${error instanceof Error ? error.message : String(error)}`;
        },
      ),
    );
  };

  const secrets = new EdgeSecrets();
  const startOne = () => {
    const payer = users[options.payers === 'each-in-turn' ? sent % users.length : Math.floor(Math.random() * users.length)]!;
    const kind = pick(mix.kinds, Math.random()).kind;
    const paymentId = randomUUID();
    const record: PaymentRecord = { paymentId, kind, sentAt: performance.now() };
    tracker.records.set(paymentId, record);
    records.push(record);
    const base = { paymentId, userId: payer.userId, walletId: payer.walletId };
    // One command id per payment: a resend after PAYMENTS_BUSY is the same command.
    const sendOptions = { key: paymentId, actor: `user:${payer.userId}`, timeoutMs: 60_000, commandId: randomUUID() };
    const order = orderFor(kind, payer, users, mix);
    switch (order.kind) {
      case 'merchant': {
        const { merchantId, channel, amountMinor } = order;
        send(record, () =>
          client.send(
            paymentsContract.payMerchant,
            { ...base, merchantId, channel, amountMinor, paymentPassword: options.paymentPassword, deviceId: payer.deviceId },
            sendOptions,
          ),
        );
        break;
      }
      case 'transfer': {
        // Encrypted for payments as the gateway does (the number never travels in clear), once per payment.
        const recipientPhone = secrets.payments('recipientPhone', order.recipientPhone);
        const { amountMinor } = order;
        send(record, () =>
          client.send(
            paymentsContract.transfer,
            { ...base, recipientPhone, amountMinor, paymentPassword: options.paymentPassword, deviceId: payer.deviceId },
            sendOptions,
          ),
        );
        break;
      }
      case 'card_topup': {
        const { cardId, amountMinor } = order;
        send(record, () => client.send(paymentsContract.topUpFromCard, { ...base, cardId, amountMinor }, sendOptions));
        break;
      }
    }
    sent++;
  };

  while (performance.now() < endAt) {
    const now = performance.now();
    const due = Math.floor(((now - startedAt) / 1000) * rate) - sent;
    for (let i = 0; i < due; i++) startOne();
    if (now >= nextReport) {
      const done = records.filter((record) => record.outcomeAt !== undefined || record.code !== undefined).length;
      options.say(
        `  ${options.label}: ${((now - startedAt) / 1000).toFixed(0)} s, ${sent} sent, ${done} finished, ${sent - done} in flight`,
      );
      nextReport += 10_000;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The last turn of the loop may end just short of the rate × duration payments: send the rest.
  const total = Math.round((options.durationMs / 1000) * rate);
  while (sent < total) startOne();
  const endedAt = performance.now();
  // Let the stragglers finish (bounded): a payment still open after this counts as unfinished.
  const drainUntil = performance.now() + (options.drainMs ?? 60_000);
  while (performance.now() < drainUntil && records.some((record) => record.outcomeAt === undefined && record.code === undefined)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  drained = true;
  await Promise.race([Promise.allSettled(inFlightReplies), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  return { records, startedAt, endedAt };
}

/**
 * Outcome per payment for a report: code counts, latencies of those with an outcome event. Rates
 * are per second of the span from the first payment sent to the last outcome received, so payments
 * that finish in the drain after the sending stopped do not inflate them.
 */
export function summarize(records: PaymentRecord[], startedAt: number, sendingEndedAt: number) {
  const byCode = new Map<string, number>();
  const latencies: number[] = [];
  const merchantLatencies: number[] = [];
  let completed = 0;
  let completedMerchant = 0;
  let unfinished = 0;
  let lastOutcomeAt = sendingEndedAt;
  for (const record of records) {
    if (record.outcomeAt !== undefined && record.outcomeAt > lastOutcomeAt) lastOutcomeAt = record.outcomeAt;
    const code = record.outcome === 'completed' ? 'COMPLETED' : (record.code ?? 'UNFINISHED');
    byCode.set(`${record.kind}:${code}`, (byCode.get(`${record.kind}:${code}`) ?? 0) + 1);
    if (record.outcomeAt !== undefined) {
      latencies.push(record.outcomeAt - record.sentAt);
      if (record.kind === 'merchant') merchantLatencies.push(record.outcomeAt - record.sentAt);
    }
    if (record.outcome === 'completed') {
      completed++;
      if (record.kind === 'merchant') completedMerchant++;
    }
    if (record.outcomeAt === undefined && record.code === undefined) unfinished++;
  }
  const spanS = (lastOutcomeAt - startedAt) / 1000;
  return {
    sent: records.length,
    completed,
    completedMerchant,
    unfinished,
    completedPerSecond: completed / spanS,
    completedMerchantPerSecond: completedMerchant / spanS,
    latencies,
    merchantLatencies,
    byCode: Object.fromEntries([...byCode].sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** Completed payments and latency percentiles per second of the run, for the chart. */
export function timeline(
  records: PaymentRecord[],
  startedAt: number,
): Array<{ second: number; completed: number; p50Ms: number; p99Ms: number }> {
  const buckets = new Map<number, number[]>();
  for (const record of records) {
    if (record.outcomeAt === undefined || record.outcome !== 'completed') continue;
    const second = Math.floor((record.outcomeAt - startedAt) / 1000);
    let bucket = buckets.get(second);
    if (!bucket) buckets.set(second, (bucket = []));
    bucket.push(record.outcomeAt - record.sentAt);
  }
  const last = Math.max(0, ...buckets.keys());
  return Array.from({ length: last + 1 }, (_, second) => {
    const latencies = (buckets.get(second) ?? []).sort((a, b) => a - b);
    const at = (q: number) =>
      latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!;
    return { second, completed: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99) };
  });
}
