import { createHmac, randomBytes } from 'node:crypto';
import { paymentsContract } from '@ledger/contracts';

type ProviderName = paymentsContract.ProviderName;

/** A provider's callback as it posts it to the ledger (`POST /provider-callbacks`). */
export interface ProviderCallback {
  readonly paymentId: string;
  readonly provider: ProviderName;
  readonly providerReference: string;
  readonly amountMinor: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly signature: string;
}

/**
 * What can go wrong with a callback, for tests and the control route: `bad-signature` (signed with
 * the wrong secret), `stale` (signed long ago), `replay` (the previous callback's nonce again).
 */
export type CallbackTampering = 'bad-signature' | 'stale' | 'replay';

export interface PaidAtProvider {
  readonly provider: ProviderName;
  readonly paymentId: string;
  readonly amountMinor: string;
  /** The provider's own reference of the payment; a fresh one by default. */
  readonly providerReference?: string;
  readonly tamper?: CallbackTampering;
}

/** Posts a callback to the ledger and gives back what it answered. */
export type CallbackDelivery = (callback: ProviderCallback) => Promise<{ status: number; body: unknown }>;

/** Delivery to the ledger's callback route (the gateway's `POST /provider-callbacks`), as the provider's servers post it. */
export function deliverTo(callbackUrl: string): CallbackDelivery {
  return async (callback) => {
    const response = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(callback),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
}

/**
 * The third-party top-up providers (Alipay, WeChat Pay): when a user has paid at the provider, it
 * calls the ledger back, the way such providers do: each provider signs with its own secret, over
 * the payment's fields, a timestamp and a one-time nonce. Tests and the control route make it pay,
 * late, twice, or with a tampered callback.
 */
export class ProviderSimulator {
  private lastNonce: string | undefined;
  private references = 0;

  constructor(
    private readonly secrets: Readonly<Record<ProviderName, string>> = paymentsContract.DEV_PROVIDER_SECRETS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The signed callback for a payment made at the provider (tampered with when asked). */
  callbackFor(paid: PaidAtProvider): ProviderCallback {
    const timestampMs = paid.tamper === 'stale' ? this.nowMs() - 2 * paymentsContract.PROVIDER_CALLBACK_WINDOW_MS : this.nowMs();
    const nonce = paid.tamper === 'replay' && this.lastNonce ? this.lastNonce : randomBytes(16).toString('hex');
    this.lastNonce = nonce;
    const fields = {
      paymentId: paid.paymentId,
      provider: paid.provider,
      providerReference: paid.providerReference ?? this.newReference(paid.provider),
      amountMinor: paid.amountMinor,
      timestamp: String(timestampMs),
      nonce,
    };
    const secret = paid.tamper === 'bad-signature' ? `not-${this.secrets[paid.provider]}` : this.secrets[paid.provider];
    return {
      ...fields,
      signature: createHmac('sha256', secret).update(paymentsContract.providerCallbackSigningString(fields)).digest('hex'),
    };
  }

  /**
   * The provider notifies the ledger `times` times (providers resend until acknowledged), each a
   * separately signed callback of the same payment, after `delayMs`.
   */
  async pay(
    paid: PaidAtProvider,
    deliver: CallbackDelivery,
    options: { times?: number; delayMs?: number } = {},
  ): Promise<Array<{ callback: ProviderCallback; status: number; body: unknown }>> {
    const times = options.times ?? 1;
    if (!Number.isSafeInteger(times) || times < 1 || times > 10) throw new RangeError('times must be 1 to 10');
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const providerReference = paid.providerReference ?? this.newReference(paid.provider);
    const answers: Array<{ callback: ProviderCallback; status: number; body: unknown }> = [];
    for (let delivery = 0; delivery < times; delivery += 1) {
      const callback = this.callbackFor({ ...paid, providerReference });
      answers.push({ callback, ...(await deliver(callback)) });
    }
    return answers;
  }

  private newReference(provider: ProviderName): string {
    this.references += 1;
    return `${provider}-${this.nowMs().toString(36)}-${this.references}`;
  }
}
