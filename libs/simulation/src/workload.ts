/**
 * What happens in one schedule, drawn from its seed: the users (each with an open, funded wallet, a
 * phone, a bound card and a payment password) and the requests that reach the front door, at planned
 * times: payments of every kind (some bound to fail: a wrong password, an unknown phone, a bill of
 * another amount, more than the balance), client resends, provider callbacks (some late, some
 * twice), supervisors' decisions and merchants' refunds.
 */
import {
  MERCHANTS,
  PAYMENT_CHANNELS,
  recordedRequest,
  type PaymentRequest,
  type ProtectedValue,
  type RecordedPaymentRequest,
} from '@ledger/payments-domain';
import type { WalletTier } from '@ledger/wallet-domain';
import { seal, type PartnerBooks, type SimUser } from './outside';
import { FRONT_DOOR, PAYMENTS_SETTINGS, type CallbackPayload, type DecisionPayload, type StartPayload } from './payments-node';
import type { Random } from './random';

export interface PlannedUser extends SimUser {
  tier: WalletTier;
  /** Funded at the start (fen). */
  balanceMinor: bigint;
}

/** One request of the schedule, sent at `at` (simulated ms). */
export interface PlannedRequest {
  at: number;
  type: (typeof FRONT_DOOR)[keyof typeof FRONT_DOOR];
  key: string;
  actor: string;
  commandId: string;
  payload: StartPayload | CallbackPayload | DecisionPayload;
}

export interface Workload {
  users: PlannedUser[];
  /** Every payment a start is planned for, by id. */
  payments: Map<string, PaymentRequest>;
  requests: PlannedRequest[];
}

const TIERS: readonly WalletTier[] = ['basic', 'verified', 'premium'];
const KINDS = ['merchant', 'transfer', 'withdrawal', 'bill', 'topup', 'provider_topup', 'counter', 'refund'] as const;
const KIND_WEIGHTS = [5, 3, 2, 2, 2, 1, 1, 2];

const protect = (plain: string): ProtectedValue => ({
  encrypted: seal(plain),
  masked: `${plain.slice(0, 3)}****`,
  fingerprint: `fp-${plain}`,
});

/** The users of a schedule; their wallets are opened (and their ids filled in) before any request is drawn. */
export function drawUsers(random: Random, books: PartnerBooks): PlannedUser[] {
  const users: PlannedUser[] = Array.from({ length: random.between(2, 4) }, (_, i) => ({
    userId: `u${i + 1}`,
    walletId: '',
    phone: `1380000000${i + 1}`,
    cardId: `card-u${i + 1}`,
    password: `pw-u${i + 1}`,
    tier: random.pick(TIERS),
    balanceMinor: random.chance(0.15) ? 0n : BigInt(random.between(1, 300_000)),
  }));
  for (const user of users) if (random.chance(0.15)) books.decliningCards.add(user.cardId);
  return users;
}

export function drawWorkload(random: Random, books: PartnerBooks, users: PlannedUser[], startAt: (ms: number) => string): Workload {
  const payments = new Map<string, PaymentRequest>();
  const requests: PlannedRequest[] = [];
  const merchantPayments: Array<{ paymentId: string; merchantId: string; amountMinor: bigint; at: number }> = [];
  const count = random.between(1, 7);
  for (let n = 1; n <= count; n++) {
    const paymentId = `p${n}`;
    const at = random.int(3_000);
    let kind = KINDS[random.weighted(KIND_WEIGHTS)]!;
    if (kind === 'refund' && merchantPayments.length === 0) kind = 'merchant';
    const user = random.pick(users);
    const amountMinor = BigInt(random.chance(0.2) ? random.between(1, 500_000) : random.between(1, 50_000));
    const password = random.chance(0.9) ? user.password : 'pw-wrong';
    let request: PaymentRequest;
    let actor = `user:${user.userId}`;
    let key = user.userId;
    let merchantId: string | undefined;
    switch (kind) {
      case 'merchant': {
        merchantId = random.chance(0.05) ? 'm-cash-only' : random.pick(['m-canteen', 'm-coffee', 'm-bookshop']);
        // Mostly a channel the merchant takes (CHANNEL_NOT_SUPPORTED now and then).
        const taken = MERCHANTS.find((m) => m.merchantId === merchantId)?.channels ?? [];
        const channel = taken.length > 0 && random.chance(0.9) ? random.pick(taken) : random.pick(PAYMENT_CHANNELS);
        request = { kind, paymentId, userId: user.userId, walletId: user.walletId, merchantId, channel, amountMinor, description: 'order' };
        merchantPayments.push({ paymentId, merchantId, amountMinor, at });
        break;
      }
      case 'transfer': {
        const other = users.find((u) => u !== user)!;
        const phone = random.chance(0.8) ? other.phone : random.chance(0.5) ? user.phone : '13899999999';
        request = {
          kind,
          paymentId,
          userId: user.userId,
          walletId: user.walletId,
          recipientPhone: protect(phone),
          amountMinor,
          description: 'gift',
        };
        break;
      }
      case 'withdrawal': {
        const cardId = random.chance(0.9) ? user.cardId : random.pick(['card-unknown', ...users.map((u) => u.cardId)]);
        request = { kind, paymentId, userId: user.userId, walletId: user.walletId, cardId, amountMinor };
        break;
      }
      case 'bill': {
        const billerId = random.chance(0.05) ? 'b-unknown' : random.pick(['b-power', 'b-water', 'b-mobile']);
        const reference = `acct-${n}`;
        if (random.chance(0.9))
          books.knownBills.set(
            `${billerId}/${reference}`,
            billerId === 'b-mobile' ? {} : { amountDueMinor: random.chance(0.9) ? amountMinor : amountMinor + 1n },
          );
        request = {
          kind,
          paymentId,
          userId: user.userId,
          walletId: user.walletId,
          billerId,
          billReference: protect(reference),
          amountMinor,
        };
        break;
      }
      case 'topup': {
        const cardId = random.chance(0.95) ? user.cardId : 'card-unknown';
        request = { kind, paymentId, userId: user.userId, walletId: user.walletId, cardId, amountMinor };
        break;
      }
      case 'provider_topup': {
        const provider = random.pick(['alipay', 'wechat'] as const);
        const deadlineMs = at + PAYMENTS_SETTINGS.providerDeadlineMs;
        request = { kind, paymentId, userId: user.userId, walletId: user.walletId, provider, amountMinor, deadline: startAt(deadlineMs) };
        // The provider's callbacks: usually one before the deadline; sometimes late, twice, for another amount, or never.
        const callbacks = random.weighted([1, 6, 2]);
        for (let c = 0; c < callbacks; c++) {
          const when = random.chance(0.85) ? at + random.int(60_000) : deadlineMs + random.between(-5_000, 60_000);
          const reference = random.chance(0.8) ? `prov-${paymentId}` : `prov-${paymentId}-${c}`;
          const amount = random.chance(0.95) ? amountMinor : amountMinor + 1n;
          requests.push(
            request_(when, FRONT_DOOR.callback, paymentId, `provider:${provider}`, `${paymentId}:callback:${c}`, {
              paymentId,
              provider,
              providerReference: reference,
              amountMinor: amount.toString(),
            }),
          );
        }
        break;
      }
      case 'counter': {
        const large = random.chance(0.4);
        const amount = large ? BigInt(random.between(2_000_001, 5_000_000)) : amountMinor;
        request = { kind, paymentId, userId: user.userId, walletId: user.walletId, branchId: 'br-1', tellerId: 't-1', amountMinor: amount };
        actor = 'teller:t-1';
        key = paymentId;
        if (large && random.chance(0.85)) {
          const supervisorId = random.chance(0.95) ? 's-1' : 't-1';
          const when = random.chance(0.9) ? at + random.int(600_000) : at + 4 * 3_600_000 + random.int(60_000);
          requests.push(
            request_(when, FRONT_DOOR.decision, paymentId, `supervisor:${supervisorId}`, `${paymentId}:decision`, {
              paymentId,
              supervisorId,
              approve: random.chance(0.8),
            }),
          );
        }
        break;
      }
      case 'refund': {
        const original = random.pick(merchantPayments);
        const refundAmount = random.chance(0.8) ? BigInt(random.between(1, Number(original.amountMinor))) : original.amountMinor + 1n;
        request = { kind, paymentId, originalPaymentId: original.paymentId, amountMinor: refundAmount, reason: 'returned' };
        merchantId = original.merchantId;
        actor = `merchant:${original.merchantId}`;
        key = paymentId;
        // Mostly once the original has completed; now and then while it is still in flight.
        const when = original.at + (random.chance(0.8) ? random.between(10_000, 120_000) : random.int(10_000));
        requests.push(start(when, request, actor, key, `${paymentId}:start`, {}, merchantId));
        payments.set(paymentId, request);
        continue;
      }
    }
    payments.set(paymentId, request);
    const secrets =
      kind === 'merchant' || kind === 'transfer' || kind === 'withdrawal' || kind === 'bill' ? { paymentPassword: seal(password) } : {};
    requests.push(start(at, request, actor, key, `${paymentId}:start`, secrets, merchantId));
    // A client that got no answer (or a user who pressed again) sends the same payment again, password included.
    for (let r = 1; random.chance(0.3) && r <= 2; r++)
      requests.push(start(at + random.int(90_000), request, actor, key, `${paymentId}:start:${r}`, secrets, merchantId));
  }
  requests.sort((a, b) => a.at - b.at || (a.commandId < b.commandId ? -1 : 1));
  return { users, payments, requests };
}

function start(
  at: number,
  request: PaymentRequest,
  actor: string,
  key: string,
  commandId: string,
  secrets: { paymentPassword?: string },
  merchantId: string | undefined,
): PlannedRequest {
  const payload: StartPayload = { request: recordedRequest(request) as RecordedPaymentRequest, secrets };
  if (merchantId !== undefined && request.kind === 'refund') payload.merchantId = merchantId;
  return request_(at, FRONT_DOOR.start, key, actor, commandId, payload);
}

function request_(
  at: number,
  type: PlannedRequest['type'],
  key: string,
  actor: string,
  commandId: string,
  payload: PlannedRequest['payload'],
): PlannedRequest {
  return { at: Math.max(0, at), type, key, actor, commandId, payload };
}
