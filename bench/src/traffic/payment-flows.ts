import { IDENTITY_ERROR } from '@ledger/identity-domain';
import { holdIdFor, PAYMENT_ERROR, type PaymentCommand, type PaymentEvent, type PaymentRequest } from '@ledger/payments-domain';
import { isRejection, type DomainRejection } from '@ledger/util';
import { WALLET_EVENT, type AccountId, type WalletCommand, type WalletEvent } from '@ledger/wallet-domain';
import { must } from './memory-streams';
import { YUAN, type SimUser, type Simulation } from './simulation';

const HOLD_TTL_MS = 15 * 60_000;
const ISSUER = 'ICBC';

/**
 * The payments of the simulated users, decided step by step by the payment process and wallet
 * deciders as the services would: card top-ups, merchant payments (through the acquirer, or settled
 * in the wallet), transfers, and their failures; each payment's end is tallied in the totals.
 */
export class PaymentFlows {
  constructor(private readonly sim: Simulation) {}

  private wallet(walletId: string, command: (now: string) => WalletCommand, correlationId: string): WalletEvent[] | DomainRejection {
    const now = this.sim.step();
    return this.sim.wallets.decide(`wallet-${walletId}`, command(now), { correlationId, actor: 'system:payments', now });
  }

  private payment(paymentId: string, command: (now: string) => PaymentCommand): PaymentEvent[] {
    const now = this.sim.step();
    return must(
      this.sim.payments.decide(`payment-${paymentId}`, command(now), { correlationId: paymentId, actor: 'system:payments', now }),
      'payment',
    );
  }

  private start(request: PaymentRequest): void {
    this.payment(request.paymentId, (now) => ({ type: 'StartPayment', request, now }));
  }

  /** The end of a payment: tallied from the payment decider's own state. */
  private finish(paymentId: string): void {
    const state = this.sim.payments.state(`payment-${paymentId}`);
    if (state.status === 'completed') {
      this.sim.totals.payments.completed += 1;
      if (state.request.kind === 'merchant') this.sim.totals.merchantVolumeMinor += state.request.amountMinor;
    } else if (state.status === 'failed' && state.failed) {
      this.sim.totals.payments.failed += 1;
      const code = state.failed.failure.code;
      this.sim.totals.payments.byFailure[code] = (this.sim.totals.payments.byFailure[code] ?? 0) + 1;
    } else {
      throw new Error(`payment ${paymentId} left in state ${state.status}`);
    }
  }

  private failure(code: string) {
    return { ok: false as const, failure: { code, message: code.toLowerCase().replace(/_/g, ' ') } };
  }

  topUp(user: SimUser): void {
    const paymentId = this.sim.nextId();
    const amountMinor = this.sim.amount(2_000) + 100n * YUAN;
    this.start({ kind: 'topup', paymentId, userId: user.userId, walletId: user.walletId, cardId: `card-${user.userId}`, amountMinor });
    this.payment(paymentId, (now) => ({ type: 'RecordCardCheck', result: { ok: true, last4: '1234', issuer: ISSUER }, now }));
    if (this.sim.chance(0.02)) {
      this.payment(paymentId, (now) => ({ type: 'RecordCardCharge', result: this.failure(PAYMENT_ERROR.CARD_CHARGE_DECLINED), now }));
      return this.finish(paymentId);
    }
    this.payment(paymentId, (now) => ({
      type: 'RecordCardCharge',
      result: { ok: true, issuerReference: `iss-${paymentId.slice(-8)}` },
      now,
    }));
    const [credited] = must(
      this.wallet(
        user.walletId,
        (now) => ({
          type: 'CreditWallet',
          walletId: user.walletId,
          creditId: paymentId,
          amountMinor,
          reference: paymentId,
          counterparty: `clearing:card:${ISSUER}`,
          now,
        }),
        paymentId,
      ),
      'top-up credit',
    );
    if (credited?.type !== WALLET_EVENT.WalletCredited) throw new Error('top-up produced no WalletCredited');
    this.payment(paymentId, (now) => ({
      type: 'RecordWalletCredit',
      result: { ok: true, transactionId: credited.data.transactionId, postings: credited.data.postings.map((p) => ({ ...p })) },
      now,
    }));
    this.finish(paymentId);
  }

  /** The payment password's check, recorded: 3% are mistyped (the payment fails); true when it passed. */
  private passwordChecked(paymentId: string): boolean {
    if (this.sim.chance(0.03)) {
      this.payment(paymentId, (now) => ({ type: 'RecordPasswordCheck', result: this.failure(IDENTITY_ERROR.WRONG_PAYMENT_PASSWORD), now }));
      return false;
    }
    this.payment(paymentId, (now) => ({ type: 'RecordPasswordCheck', result: { ok: true }, now }));
    return true;
  }

  /** Password, then a hold; false (and the payment failed) when either is refused. */
  private authorize(paymentId: string, walletId: string, amountMinor: bigint, counterparty: AccountId): boolean {
    if (!this.passwordChecked(paymentId)) return false;
    let expiresAt = '';
    const reserved = this.wallet(
      walletId,
      (now) => {
        expiresAt = new Date(Date.parse(now) + HOLD_TTL_MS).toISOString();
        return {
          type: 'ReserveFunds',
          walletId,
          holdId: holdIdFor(paymentId),
          amountMinor,
          expiresAt,
          reference: paymentId,
          counterparty,
          now,
        };
      },
      paymentId,
    );
    if (isRejection(reserved)) {
      this.payment(paymentId, (now) => ({
        type: 'RecordReservation',
        result: { ok: false, failure: { code: reserved.code, message: reserved.message } },
        now,
      }));
      return false;
    }
    this.payment(paymentId, (now) => ({ type: 'RecordReservation', result: { ok: true, expiresAt }, now }));
    return true;
  }

  private capture(paymentId: string, walletId: string, amountMinor: bigint): void {
    const [captured] = must(
      this.wallet(walletId, (now) => ({ type: 'CaptureHold', walletId, holdId: holdIdFor(paymentId), amountMinor, now }), paymentId),
      'capture',
    );
    if (captured?.type !== WALLET_EVENT.HoldCaptured) throw new Error('capture produced no HoldCaptured');
    this.payment(paymentId, (now) => ({
      type: 'RecordCapture',
      result: { ok: true, transactionId: captured.data.transactionId, postings: captured.data.postings.map((p) => ({ ...p })) },
      now,
    }));
  }

  private release(paymentId: string, walletId: string): void {
    must(
      this.wallet(walletId, (now) => ({ type: 'ReleaseHold', walletId, holdId: holdIdFor(paymentId), now }), paymentId),
      'release',
    );
    this.payment(paymentId, (now) => ({ type: 'RecordRelease', now }));
  }

  merchantPayment(user: SimUser): void {
    const paymentId = this.sim.nextId();
    const merchant = this.sim.pick(this.sim.merchants);
    // Occasionally more than the balance: the wallet refuses with INSUFFICIENT_FUNDS.
    const amountMinor = this.sim.chance(0.03) ? this.sim.balanceOf(user.walletId) + this.sim.amount(100) : this.sim.amount(300);
    this.start({
      kind: 'merchant',
      paymentId,
      userId: user.userId,
      walletId: user.walletId,
      merchantId: merchant.merchantId,
      channel: merchant.channels[0]!,
      amountMinor,
      description: 'order',
    });
    if (merchant.settlement === 'wallet')
      return this.settleInWallet(paymentId, user.walletId, amountMinor, `merchant:${merchant.merchantId}`);
    if (!this.authorize(paymentId, user.walletId, amountMinor, `merchant:${merchant.merchantId}`)) return this.finish(paymentId);
    if (this.sim.chance(0.03)) {
      this.payment(paymentId, (now) => ({ type: 'RecordAcquirerAnswer', result: this.failure(PAYMENT_ERROR.MERCHANT_DECLINED), now }));
      this.release(paymentId, user.walletId);
      return this.finish(paymentId);
    }
    this.payment(paymentId, (now) => ({
      type: 'RecordAcquirerAnswer',
      result: { ok: true, authorizationCode: `A${paymentId.slice(-6)}` },
      now,
    }));
    this.capture(paymentId, user.walletId, amountMinor);
    this.finish(paymentId);
  }

  /** Password, then one wallet decision that reserves and captures. */
  private settleInWallet(paymentId: string, walletId: string, amountMinor: bigint, counterparty: AccountId): void {
    if (!this.passwordChecked(paymentId)) return this.finish(paymentId);
    const paid = this.wallet(
      walletId,
      (now) => ({
        type: 'PayFromWallet',
        walletId,
        holdId: holdIdFor(paymentId),
        amountMinor,
        expiresAt: new Date(Date.parse(now) + HOLD_TTL_MS).toISOString(),
        reference: paymentId,
        counterparty,
        now,
      }),
      paymentId,
    );
    if (isRejection(paid)) {
      this.payment(paymentId, (now) => ({
        type: 'RecordSettlement',
        result: { ok: false, failure: { code: paid.code, message: paid.message } },
        now,
      }));
      return this.finish(paymentId);
    }
    const captured = paid.find((event) => event.type === WALLET_EVENT.HoldCaptured);
    if (captured?.type !== WALLET_EVENT.HoldCaptured) throw new Error('a payment from the wallet produced no HoldCaptured');
    this.payment(paymentId, (now) => ({
      type: 'RecordSettlement',
      result: { ok: true, transactionId: captured.data.transactionId, postings: captured.data.postings.map((p) => ({ ...p })) },
      now,
    }));
    this.finish(paymentId);
  }

  transfer(user: SimUser, recipient: SimUser): void {
    const paymentId = this.sim.nextId();
    const amountMinor = this.sim.amount(500);
    const phone = { encrypted: `enc:v1:${recipient.userId}`, masked: '139****0000', fingerprint: `k1.${recipient.userId}` };
    this.start({
      kind: 'transfer',
      paymentId,
      userId: user.userId,
      walletId: user.walletId,
      recipientPhone: phone,
      amountMinor,
      description: 'transfer',
    });
    if (!recipient.hasWallet || recipient === user) {
      this.payment(paymentId, (now) => ({ type: 'RecordRecipient', result: this.failure(PAYMENT_ERROR.RECIPIENT_NOT_FOUND), now }));
      return this.finish(paymentId);
    }
    this.payment(paymentId, (now) => ({
      type: 'RecordRecipient',
      result: { ok: true, recipientUserId: recipient.userId, recipientWalletId: recipient.walletId },
      now,
    }));
    if (!this.authorize(paymentId, user.walletId, amountMinor, 'clearing:transfer')) return this.finish(paymentId);
    const [credited] = must(
      this.wallet(
        recipient.walletId,
        (now) => ({
          type: 'CreditWallet',
          walletId: recipient.walletId,
          creditId: paymentId,
          amountMinor,
          reference: paymentId,
          counterparty: 'clearing:transfer',
          now,
        }),
        paymentId,
      ),
      'transfer credit',
    );
    if (credited?.type !== WALLET_EVENT.WalletCredited) throw new Error('transfer credit produced no WalletCredited');
    this.payment(paymentId, (now) => ({
      type: 'RecordRecipientCredit',
      result: { ok: true, transactionId: credited.data.transactionId, postings: credited.data.postings.map((p) => ({ ...p })) },
      now,
    }));
    this.capture(paymentId, user.walletId, amountMinor);
    this.finish(paymentId);
  }
}
