import { paymentsContract } from '@ledger/contracts';
import type { EventCodec, EventData, RecordedEvent } from '@ledger/event-store';
import type { PaymentEvent, ProtectedValue } from '@ledger/payments-domain';

/** How plain personal data in old events is protected when they are read (see the upcasters below). */
export interface LegacyProtection {
  phone(raw: string): ProtectedValue;
  billReference(raw: string): ProtectedValue;
}

const PREFIX = 'payments.';
const SUFFIX = '.v1';
/** The stored names are the contract's (`paymentsContract.EVENT_TYPES`): the one list of them. */
const TYPES: ReadonlySet<string> = new Set(Object.keys(paymentsContract.EVENT_TYPES));
/** Compile-time: the contract names exactly the domain's event types, no more and no fewer. */
type Missing = Exclude<PaymentEvent['type'], keyof typeof paymentsContract.EVENT_TYPES>;
type Extra = Exclude<keyof typeof paymentsContract.EVENT_TYPES, PaymentEvent['type']>;
const contractNamesEveryEvent: [Missing, Extra] extends [never, never] ? true : never = true;
void contractNamesEveryEvent;

/**
 * Payment events are stored as `payments.<Type>.v1`; their data is JSON-native as the decider built
 * it (amounts are decimal strings of fen, see `MinorString`), so it is stored as it is.
 *
 * Upcasters: transfers initiated before the recipient phone was protected carry it in plain text
 * (`request.recipientPhone` a string), and bills before their reference was (`request.billReference`
 * a string). `legacy` turns each into the protected shape in memory when such an event is read (the
 * stored event is immutable; such streams exist only in development databases written before).
 */
export function createPaymentCodec(legacy?: LegacyProtection): EventCodec<PaymentEvent> {
  return {
    encode: (event) => ({ type: `${PREFIX}${event.type}${SUFFIX}`, data: { ...event.data } as unknown as EventData }),
    decode: (record: RecordedEvent): PaymentEvent => {
      const short = record.type.startsWith(PREFIX) && record.type.endsWith(SUFFIX) ? record.type.slice(PREFIX.length, -SUFFIX.length) : '';
      if (!TYPES.has(short)) throw new Error(`${record.stream}@${record.revision}: ${record.type} is not a payment event`);
      const data: Record<string, unknown> = { ...record.data };
      const request = data.request as Record<string, unknown> | undefined;
      if (request) {
        const upcast: Record<string, unknown> = { ...request };
        for (const [field, protect] of [
          ['recipientPhone', legacy?.phone],
          ['billReference', legacy?.billReference],
        ] as const) {
          if (typeof request[field] !== 'string') continue;
          if (!protect) throw new Error(`${record.stream}@${record.revision}: a plain ${field} and no keys to protect it`);
          upcast[field] = protect(request[field]);
        }
        data.request = upcast;
      }
      return { type: short, data } as unknown as PaymentEvent;
    },
  };
}

/** The codec without the legacy-phone upcaster (tests, tools that never meet pre-encryption transfers). */
export const paymentCodec: EventCodec<PaymentEvent> = createPaymentCodec();
