import type { CallbackTampering } from './providers/provider-simulator';
import type { Fault, SimulatedPartner } from './faults';
import { codeInNewest } from './sms/sms-inbox';

/**
 * The partner simulator app's development routes, for the tools that drive a running stack (the
 * demo, benchmarks, chaos runs): read a handset's SMS, make a provider pay and call back, arm faults.
 */
export class SimulatorClient {
  constructor(readonly baseUrl: string) {}

  /** The code in the newest SMS of `phone`, waiting up to `timeoutMs` for one to arrive. */
  async smsCode(phone: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { messages } = (await this.get(`/sms/inbox?to=${encodeURIComponent(phone)}`)) as { messages: Array<{ text: string }> };
      const code = codeInNewest(messages);
      if (code !== undefined) return code;
      if (Date.now() > deadline) throw new Error(`no SMS code for ${phone} at ${this.baseUrl} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The user paid at the provider; resolves with the ledger's answer to the (last) callback. */
  async payAtProvider(paid: {
    provider: 'alipay' | 'wechat';
    paymentId: string;
    amountMinor: string;
    tamper?: CallbackTampering;
    times?: number;
  }): Promise<{ status: number; body: Record<string, unknown> }> {
    const { deliveries } = (await this.post('/providers/v1/payments', paid)) as {
      deliveries: Array<{ status: number; body: Record<string, unknown> }>;
    };
    const last = deliveries[deliveries.length - 1];
    if (!last) throw new Error('the provider delivered no callback');
    return { status: last.status, body: last.body };
  }

  async armFault(partner: SimulatedPartner, fault: Fault, options: { count?: number; operation?: string } = {}): Promise<void> {
    await this.post('/control/faults', { partner, ...fault, ...options });
  }

  async reset(): Promise<void> {
    await this.post('/control/reset', {});
  }

  private async get(path: string): Promise<unknown> {
    return this.answer(await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) }), path);
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return this.answer(response, path);
  }

  private async answer(response: Response, path: string): Promise<unknown> {
    const text = await response.text();
    if (!response.ok) throw new Error(`partner simulator ${path}: ${response.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  }
}
