/**
 * Faults a simulated partner can be told to show on its next requests, whatever they ask:
 * - `unavailable`: refuses at once with a 503; nothing is done.
 * - `timeout`: holds the request `holdMs`, then drops the connection; nothing is done.
 * - `lose-answer`: does the work, then answers 500 (the answer is lost): the client, repeating with
 *   the same idempotency key, gets the first answer a second time.
 * - `delay`: waits `delayMs`, then answers normally.
 */
export type FaultMode = 'unavailable' | 'timeout' | 'lose-answer' | 'delay';
export const FAULT_MODES: readonly FaultMode[] = ['unavailable', 'timeout', 'lose-answer', 'delay'];

export const SIMULATED_PARTNERS = ['acquirer', 'issuer', 'biller', 'sms'] as const;
export type SimulatedPartner = (typeof SIMULATED_PARTNERS)[number];

export interface Fault {
  readonly mode: FaultMode;
  /** For `delay`, and how long a `timeout` holds the request. */
  readonly delayMs?: number;
}

interface ArmedFault extends Fault {
  remaining: number;
  readonly operation: string | undefined;
}

/** Every switch takes a count; this bounds them so a typo cannot queue a million failures. */
const MAX_COUNT = 10_000;
const MAX_DELAY_MS = 120_000;

export class FaultSwitches {
  private readonly armed = new Map<SimulatedPartner, ArmedFault[]>();

  /** The next `count` requests to `partner` (of `operation`, or any) show `fault`. */
  arm(partner: SimulatedPartner, fault: Fault, options: { count?: number; operation?: string } = {}): void {
    const count = options.count ?? 1;
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_COUNT) throw new RangeError(`count must be 1 to ${MAX_COUNT}`);
    if (!FAULT_MODES.includes(fault.mode)) throw new RangeError(`mode must be one of ${FAULT_MODES.join(', ')}`);
    if (fault.delayMs !== undefined && !(fault.delayMs >= 0 && fault.delayMs <= MAX_DELAY_MS))
      throw new RangeError(`delayMs must be 0 to ${MAX_DELAY_MS}`);
    const queue = this.armed.get(partner) ?? [];
    queue.push({ ...fault, remaining: count, operation: options.operation });
    this.armed.set(partner, queue);
  }

  /** Consumes one use of the first armed fault that matches this request, if any. */
  take(partner: SimulatedPartner, operation: string): Fault | undefined {
    const queue = this.armed.get(partner);
    const index = queue?.findIndex((fault) => fault.operation === undefined || fault.operation === operation) ?? -1;
    if (!queue || index < 0) return undefined;
    const fault = queue[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) queue.splice(index, 1);
    return { mode: fault.mode, ...(fault.delayMs === undefined ? {} : { delayMs: fault.delayMs }) };
  }

  clear(partner?: SimulatedPartner): void {
    if (partner) this.armed.delete(partner);
    else this.armed.clear();
  }
}
