/**
 * Test traffic through the real domain code: the wallet decider and the payment process manager,
 * each run by `DeciderHandler` on its own event store schema (`wallet`, `payments`), as the
 * services do, with a controllable clock so "as of" instants are known.
 */
import { randomUUID } from 'node:crypto';
import { DeciderHandler, type EventCodec, type EventData, type EventStore, type RecordedEvent } from '@ledger/event-store';
import {
  createWalletDecider,
  DEFAULT_WALLET_POLICY,
  isWalletEventType,
  WALLET_EVENT,
  type AccountId,
  type WalletCommand,
  type WalletEvent,
  type WalletState,
} from '@ledger/wallet-domain';
import { holdIdFor, paymentDecider, type PaymentCommand, type PaymentEvent, type PaymentState } from '@ledger/payments-domain';

export const walletCodec: EventCodec<WalletEvent> = {
  encode: (event) => ({ type: event.type, data: { ...event.data } }),
  decode: (record: RecordedEvent) => {
    if (!isWalletEventType(record.type)) throw new Error(`not a wallet event: ${record.type}`);
    return { type: record.type, data: record.data } as unknown as WalletEvent;
  },
};

/** The payments service's storage form: `payments.<Type>.v1`, the data as the decider built it (JSON-native). */
export const paymentCodec: EventCodec<PaymentEvent> = {
  encode: (event) => ({ type: `payments.${event.type}.v1`, data: { ...event.data } as unknown as EventData }),
  decode: (record: RecordedEvent) =>
    ({ type: record.type.slice('payments.'.length, -'.v1'.length), data: record.data }) as unknown as PaymentEvent,
};

export class Traffic {
  readonly wallets: DeciderHandler<WalletCommand, WalletEvent, WalletState>;
  readonly payments: DeciderHandler<PaymentCommand, PaymentEvent, PaymentState>;
  /** The simulated clock: every command advances it by one minute. */
  private clockMs: number;

  constructor(walletStore: EventStore, paymentStore: EventStore, start = '2026-01-01T00:00:00.000Z') {
    this.wallets = new DeciderHandler({ store: walletStore, decider: createWalletDecider(DEFAULT_WALLET_POLICY), codec: walletCodec });
    this.payments = new DeciderHandler({ store: paymentStore, decider: paymentDecider, codec: paymentCodec });
    this.clockMs = Date.parse(start);
  }

  now(): string {
    return new Date(this.clockMs).toISOString();
  }

  private tick(): string {
    this.clockMs += 60_000;
    return this.now();
  }

  private meta(now: string) {
    const commandId = randomUUID();
    return { commandId, correlationId: commandId, actor: 'system:test', occurredAt: now };
  }

  async wallet(walletId: string, build: (now: string) => WalletCommand): Promise<WalletEvent[]> {
    const now = this.tick();
    const outcome = await this.wallets.handle(`wallet-${walletId}`, build(now), this.meta(now));
    if (outcome.kind === 'rejected') throw new Error(`wallet rejected: ${outcome.rejection.code}`);
    return outcome.events;
  }

  private async payment(paymentId: string, build: (now: string) => PaymentCommand): Promise<PaymentEvent[]> {
    const now = this.tick();
    const outcome = await this.payments.handle(`payment-${paymentId}`, build(now), this.meta(now));
    if (outcome.kind === 'rejected') throw new Error(`payment rejected: ${outcome.rejection.code}`);
    return outcome.events;
  }

  /** Starts a QR merchant payment from the wallet's user: its id and the start's first event. */
  private async startMerchantPayment(
    walletId: string,
    merchantId: string,
    amountMinor: bigint,
  ): Promise<{ paymentId: string; started: PaymentEvent | undefined }> {
    const paymentId = randomUUID();
    const request = {
      kind: 'merchant' as const,
      paymentId,
      userId: `user-${walletId}`,
      walletId,
      merchantId,
      channel: 'qr' as const,
      amountMinor,
      description: 'test',
    };
    const [started] = await this.payment(paymentId, (now) => ({ type: 'StartPayment', request, now }));
    return { paymentId, started };
  }

  async openFunded(walletId: string, amountMinor: bigint): Promise<void> {
    await this.wallet(walletId, (now) => ({
      type: 'OpenWallet',
      walletId,
      userId: `user-${walletId}`,
      tier: 'premium',
      prerequisites: { registered: true, paymentPasswordSet: true, cardBound: true },
      now,
    }));
    await this.credit(walletId, amountMinor, 'clearing:card:ICBC');
  }

  async credit(walletId: string, amountMinor: bigint, counterparty: AccountId): Promise<void> {
    await this.wallet(walletId, (now) => ({
      type: 'CreditWallet',
      walletId,
      creditId: randomUUID(),
      amountMinor,
      reference: 'top-up',
      counterparty,
      now,
    }));
  }

  /** A merchant payment that starts and is never driven on (a lost process): it has no outcome. Returns its id and start. */
  async abandonedPayment(walletId: string, merchantId: string, amountMinor: bigint): Promise<{ paymentId: string; initiatedAt: string }> {
    const { paymentId, started } = await this.startMerchantPayment(walletId, merchantId, amountMinor);
    if (started?.type !== 'PaymentInitiated') throw new Error('the payment did not start');
    return { paymentId, initiatedAt: started.data.initiatedAt };
  }

  /** Fails a merchant payment that waits for its password check (a wrong password): its outcome. */
  async failPayment(paymentId: string): Promise<void> {
    await this.payment(paymentId, (now) => ({
      type: 'RecordPasswordCheck',
      result: { ok: false, failure: { code: 'WRONG_PAYMENT_PASSWORD', message: 'wrong' } },
      now,
    }));
  }

  /** A merchant payment end to end: payments ↔ wallet, as the payments service drives it (in the wallet, or through the acquirer: the merchant's settlement). */
  async merchantPayment(
    walletId: string,
    merchantId: string,
    amountMinor: bigint,
    outcome: 'ok' | 'wrong-password' | 'declined' = 'ok',
  ): Promise<string> {
    const { paymentId, started } = await this.startMerchantPayment(walletId, merchantId, amountMinor);
    const inWallet = started?.type === 'PaymentInitiated' && started.data.settlement === 'wallet';
    if (inWallet && outcome === 'declined') throw new Error(`${merchantId} settles in the wallet: no acquirer declines its payments`);
    if (outcome === 'wrong-password') {
      await this.failPayment(paymentId);
      return paymentId;
    }
    await this.payment(paymentId, (now) => ({ type: 'RecordPasswordCheck', result: { ok: true }, now }));
    const holdId = holdIdFor(paymentId);
    const expiresAt = new Date(this.clockMs + 3_600_000).toISOString();
    if (inWallet) {
      const paid = await this.wallet(walletId, (now) => ({
        type: 'PayFromWallet',
        walletId,
        holdId,
        amountMinor,
        expiresAt,
        reference: paymentId,
        counterparty: `merchant:${merchantId}`,
        now,
      }));
      const captured = paid.find((event) => event.type === WALLET_EVENT.HoldCaptured);
      if (captured?.type !== WALLET_EVENT.HoldCaptured) throw new Error('a payment from the wallet produced no HoldCaptured');
      await this.payment(paymentId, (now) => ({
        type: 'RecordSettlement',
        result: { ok: true, transactionId: captured.data.transactionId, postings: captured.data.postings.map((p) => ({ ...p })) },
        now,
      }));
      return paymentId;
    }
    await this.wallet(walletId, (now) => ({
      type: 'ReserveFunds',
      walletId,
      holdId,
      amountMinor,
      expiresAt,
      reference: paymentId,
      counterparty: `merchant:${merchantId}`,
      now,
    }));
    await this.payment(paymentId, (now) => ({ type: 'RecordReservation', result: { ok: true, expiresAt }, now }));
    if (outcome === 'declined') {
      await this.payment(paymentId, (now) => ({
        type: 'RecordAcquirerAnswer',
        result: { ok: false, failure: { code: 'MERCHANT_DECLINED', message: 'declined' } },
        now,
      }));
      await this.wallet(walletId, (now) => ({ type: 'ReleaseHold', walletId, holdId, now }));
      await this.payment(paymentId, (now) => ({ type: 'RecordRelease', now }));
      return paymentId;
    }
    await this.payment(paymentId, (now) => ({ type: 'RecordAcquirerAnswer', result: { ok: true, authorizationCode: 'A1' }, now }));
    const [captured] = await this.wallet(walletId, (now) => ({ type: 'CaptureHold', walletId, holdId, amountMinor, now }));
    if (captured?.type !== WALLET_EVENT.HoldCaptured) throw new Error('capture produced no HoldCaptured');
    await this.payment(paymentId, (now) => ({
      type: 'RecordCapture',
      result: { ok: true, transactionId: captured.data.transactionId, postings: captured.data.postings.map((p) => ({ ...p })) },
      now,
    }));
    return paymentId;
  }
}
