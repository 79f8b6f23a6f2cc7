/**
 * Operational alerts: the projector checks the ledger's invariants on its read models continuously
 * and publishes a breach on `ops.alerts` (`topics.alerts`) when it starts (`raised`) and once more
 * when it is gone (`cleared`), never on every evaluation. One alert key per invariant and subject,
 * which is also the Kafka message key, so one alert's raise and clear stay in order.
 */
import { Type, type Static } from '@sinclair/typebox';
import { topics } from './topics';
import { Instant } from './wallet';

export const CONTEXT = 'ops';
export const ALERTS_TOPIC = topics.alerts;
export const INVARIANT_ALERT_TYPE = 'ops.InvariantAlert.v1';

/**
 * The invariants an alert can name:
 * - `ledger-balanced`: the trial balance sums to zero per currency;
 * - `payment-single-outcome`: no payment has more than one outcome event;
 * - `payment-outcome-has-payment`: no outcome belongs to a payment that never started;
 * - `payment-outcome-in-time`: every payment has its outcome within the configured time of its start;
 * - `hold-closed-by-expiry`: no hold stays open past its expiry;
 * - `wallet-balance-equals-postings`: each wallet's balance equals the sum of the journal's postings to it, and its statement's balance;
 * - `read-model-equals-replay`: a read model equals what a replay of the same events builds.
 */
export const INVARIANTS = [
  'ledger-balanced',
  'payment-single-outcome',
  'payment-outcome-has-payment',
  'payment-outcome-in-time',
  'hold-closed-by-expiry',
  'wallet-balance-equals-postings',
  'read-model-equals-replay',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export const ALERT_STATES = ['raised', 'cleared'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
/** `critical`: money or a payment's outcome may be wrong; `warning`: something is late or a derived view is wrong. */
export const ALERT_SEVERITIES = ['critical', 'warning'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** At most this many violating ids travel with an alert; `detailsTotal` is how many there were. */
export const ALERT_DETAILS_MAX = 20;

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((value) => Type.Literal(value)));

/** The value of an `ops.InvariantAlert.v1` message. */
export const InvariantAlert = Type.Object(
  {
    alertId: Type.String({ minLength: 1, maxLength: 100, description: 'Unique per message (also its `message-id`): dedupe by it.' }),
    key: Type.String({ minLength: 1, maxLength: 200, description: '`<invariant>:<subject>`, one per alert; also the message key.' }),
    invariant: literals(INVARIANTS),
    subject: Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'What the invariant was checked on: a currency (`CNY`), a read model (`payments`, `wallets`), or a projection for replay.',
    }),
    state: literals(ALERT_STATES),
    severity: literals(ALERT_SEVERITIES),
    summary: Type.String({ minLength: 1, maxLength: 500 }),
    details: Type.Array(Type.String({ maxLength: 200 }), {
      maxItems: ALERT_DETAILS_MAX,
      description: 'The first violating ids (payment, hold, wallet or stream ids) when raised; empty when cleared.',
    }),
    detailsTotal: Type.Integer({ minimum: 0, description: 'How many violations there were (details lists at most 20 of them).' }),
    firstSeenAt: Instant,
    at: Instant,
  },
  {
    additionalProperties: false,
    description: 'A breached invariant that started (`raised`, `at` = `firstSeenAt`) or ended (`cleared`, `at` = when it was gone).',
  },
);
export type InvariantAlert = Static<typeof InvariantAlert>;
