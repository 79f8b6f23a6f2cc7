/**
 * Upcasters turn an event stored under an old type version into the newest one at read time, so
 * stored history is never rewritten (the hash chain protects it) and deciders only know one shape
 * per event. Chains are allowed: v1 → v2 → v3.
 */
import type { EventData, EventMetadata } from './port';

export interface UpcastInput {
  type: string;
  data: EventData;
  metadata: EventMetadata;
}

export interface Upcaster {
  /** The old type, e.g. `wallet.FundsReserved.v1`. */
  fromType: string;
  /** The type it becomes, e.g. `wallet.FundsReserved.v2`. */
  toType: string;
  /** Returns the new payload, and new metadata when it changes too. Must be pure. */
  upcast(event: UpcastInput): { data: EventData; metadata?: EventMetadata };
}

/** Bound on chain length; also the cycle guard's limit. */
export const MAX_UPCAST_CHAIN = 32;

export class UpcasterRegistry {
  private readonly byFromType = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) this.register(upcaster);
  }

  /** Adds a step; refuses a second step from the same type and any step that would close a cycle. */
  register(upcaster: Upcaster): this {
    if (upcaster.fromType === upcaster.toType) throw new Error(`Upcaster from ${upcaster.fromType} to itself`);
    if (this.byFromType.has(upcaster.fromType)) throw new Error(`An upcaster from ${upcaster.fromType} is already registered`);
    this.byFromType.set(upcaster.fromType, upcaster);
    try {
      this.chainFrom(upcaster.fromType);
    } catch (error) {
      this.byFromType.delete(upcaster.fromType);
      throw error;
    }
    return this;
  }

  /** True when events of this type are rewritten on read. */
  has(type: string): boolean {
    return this.byFromType.has(type);
  }

  /** The newest type an event of `type` is read as. */
  latestType(type: string): string {
    const chain = this.chainFrom(type);
    return chain.length === 0 ? type : chain[chain.length - 1]!.toType;
  }

  /** Applies every step from the event's type to the newest version; unregistered types pass through unchanged. */
  upcast(event: UpcastInput): UpcastInput {
    if (this.byFromType.size === 0 || !this.byFromType.has(event.type)) return event;
    let current = event;
    for (const step of this.chainFrom(event.type)) {
      const next = step.upcast(current);
      current = { type: step.toType, data: next.data, metadata: next.metadata ?? current.metadata };
    }
    return current;
  }

  private chainFrom(type: string): Upcaster[] {
    const chain: Upcaster[] = [];
    let step = this.byFromType.get(type);
    while (step) {
      chain.push(step);
      if (chain.length > MAX_UPCAST_CHAIN)
        throw new Error(`Upcaster chain from ${type} is longer than ${MAX_UPCAST_CHAIN} steps or cyclic`);
      step = this.byFromType.get(step.toType);
    }
    return chain;
  }
}
