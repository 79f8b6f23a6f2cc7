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
/** The name an event of the payments store is kept under: `payments.<Type>.v1`. */
export const storedPaymentsName = (type: string): string => `${PREFIX}${type}${SUFFIX}`;
/** The stored names are the contract's (`paymentsContract.EVENT_TYPES`): the one list of them. */
const TYPES: ReadonlySet<string> = new Set(Object.keys(paymentsContract.EVENT_TYPES));
/** Compile-time: the contract names exactly the domain's event types, no more and no fewer. */
type Missing = Exclude<PaymentEvent['type'], keyof typeof paymentsContract.EVENT_TYPES>;
type Extra = Exclude<keyof typeof paymentsContract.EVENT_TYPES, PaymentEvent['type']>;
const contractNamesEveryEvent: [Missing, Extra] extends [never, never] ? true : never = true;
void contractNamesEveryEvent;

/**
 * A codec of the payments event store (payment and risk streams): an event is stored as
 * `payments.<Type>.v1` with its data as the decider built it (JSON-native: amounts are decimal
 * strings of fen, see `MinorString`), and a stored name not in `types` is refused. `upcast`, when
 * given, turns the data of an old event into today's shape in memory.
 */
export function paymentsStoreCodec<E extends { type: string; data: object }>(
  what: string,
  types: ReadonlySet<string>,
  upcast?: (data: EventData, record: RecordedEvent) => EventData,
): EventCodec<E> {
  return {
    encode: (event) => ({ type: storedPaymentsName(event.type), data: { ...event.data } as unknown as EventData }),
    decode: (record: RecordedEvent): E => {
      const short = record.type.startsWith(PREFIX) && record.type.endsWith(SUFFIX) ? record.type.slice(PREFIX.length, -SUFFIX.length) : '';
      if (!types.has(short)) throw new Error(`${record.stream}@${record.revision}: ${record.type} is not a ${what} event`);
      return { type: short, data: upcast === undefined ? record.data : upcast(record.data, record) } as unknown as E;
    },
  };
}

/**
 * Payment events. Upcasters: transfers initiated before the recipient phone was protected carry it
 * in plain text (`request.recipientPhone` a string), and bills before their reference was
 * (`request.billReference` a string). `legacy` turns each into the protected shape in memory when
 * such an event is read (the stored event is immutable; such streams exist only in development
 * databases written before). Any other event is read as stored, without a copy.
 */
export function createPaymentCodec(legacy?: LegacyProtection): EventCodec<PaymentEvent> {
  const plainFields = [
    ['recipientPhone', legacy?.phone],
    ['billReference', legacy?.billReference],
  ] as const;
  return paymentsStoreCodec<PaymentEvent>('payment', TYPES, (data, record) => {
    const request = data.request as Record<string, unknown> | undefined;
    if (request === undefined || !plainFields.some(([field]) => typeof request[field] === 'string')) return data;
    const upcast: Record<string, unknown> = { ...request };
    for (const [field, protect] of plainFields) {
      if (typeof request[field] !== 'string') continue;
      if (!protect) throw new Error(`${record.stream}@${record.revision}: a plain ${field} and no keys to protect it`);
      upcast[field] = protect(request[field]);
    }
    return { ...data, request: upcast } as EventData;
  });
}

/** The codec without the legacy-phone upcaster (tests, tools that never meet pre-encryption transfers). */
export const paymentCodec: EventCodec<PaymentEvent> = createPaymentCodec();
