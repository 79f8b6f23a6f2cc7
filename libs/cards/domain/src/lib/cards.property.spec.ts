import fc from 'fast-check';
import { fold, isRejection } from '@ledger/util';
import { at, USER, OTHER_USER } from '../test/fixtures';
import { cardFingerprintDecider, type CardFingerprintState } from './card-fingerprint-reservation';
import { CARD_VERIFICATION_FAILURES, ISSUER_CARD_STATUSES, type CardVerification, type IssuerCardStatus } from './card-issuer';
import { checkCardNumber, CARD_NUMBER_LIKE_RUN, luhnCheckDigit } from './card-number';
import type { CardFingerprintCommand, UserCardsCommand } from './commands';
import type { CardsEvent, CardFingerprintEvent, UserCardsEvent } from './events';
import { boundCards, createUserCardsDecider, type UserCardsState } from './user-cards';

/** Random card numbers: mostly ICBC BINs, some other banks, some that fail a rule. */
const BINS = ['622202', '955880', '625330', '621226', '427020', '622848', '621700'];
const cardNumber = fc
  .tuple(
    fc.constantFrom(...BINS),
    fc.integer({ min: 16, max: 19 }),
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 13 }),
    fc.nat({ max: 9 }),
  )
  .map(([bin, length, digits, breakLuhn]) => {
    const body = `${bin}${digits}`.slice(0, length - 1);
    const number = `${body}${luhnCheckDigit(body)}`;
    // One number in ten gets a wrong check digit.
    return breakLuhn === 0 ? `${body}${(Number(luhnCheckDigit(body)) + 1) % 10}` : number;
  });

/** A stand-in for the keyed hash: deterministic per number, hex (so it may well hold digit runs). */
function fakeFingerprint(number: string): string {
  let hex = '';
  for (let seed = 0; hex.length < 64; seed += 1) {
    let hash = 0x811c9dc5 ^ seed;
    for (const character of number) hash = Math.imul(hash ^ character.charCodeAt(0), 0x01000193) >>> 0;
    hex += hash.toString(16).padStart(8, '0');
  }
  return `k1.${hex.slice(0, 64)}`;
}

type Step =
  | { kind: 'bind'; card: number; verification: 'valid' | CardVerification['outcome']; stranger: boolean }
  | { kind: 'unbind'; card: number; walletOpen: boolean; stranger: boolean }
  | { kind: 'setDefault'; card: number; stranger: boolean }
  | { kind: 'check'; card: number; status: IssuerCardStatus; stranger: boolean };

const card = fc.nat({ max: 20 });
const stranger = fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('bind' as const),
      card,
      verification: fc.oneof(
        { weight: 6, arbitrary: fc.constant('valid' as const) },
        { weight: 1, arbitrary: fc.constantFrom(...CARD_VERIFICATION_FAILURES) },
      ),
      stranger,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unbind' as const), card, walletOpen: fc.boolean(), stranger }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('setDefault' as const), card, stranger }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('check' as const), card, status: fc.constantFrom(...ISSUER_CARD_STATUSES), stranger }),
  },
);

const decider = createUserCardsDecider({ maxCardsPerUser: 4 });

interface Run {
  numbers: string[];
  events: UserCardsEvent[];
  states: UserCardsState[];
}

function run(numbers: readonly string[], steps: readonly Step[]): Run {
  let state = decider.initialState();
  const events: UserCardsEvent[] = [];
  const states: UserCardsState[] = [];
  let bindings = 0;
  steps.forEach((item, index) => {
    const now = at(index * 1_000);
    const actorUserId = item.stranger ? OTHER_USER : USER;
    // Later commands mostly address a card bound now (by position), sometimes one that is not.
    const cards = boundCards(state);
    const cardId = cards[item.card % Math.max(1, cards.length + 1)]?.cardId ?? `c-unknown-${item.card}`;
    let command: UserCardsCommand;
    switch (item.kind) {
      case 'bind': {
        const number = numbers[item.card % numbers.length] ?? '';
        bindings += 1;
        const verification: CardVerification =
          item.verification === 'valid'
            ? { outcome: 'valid', cardToken: `tok_${bindings}`, cardType: 'debit', expiresOn: '2030-01' }
            : { outcome: item.verification };
        command = {
          type: 'BindCard',
          userId: USER,
          actorUserId,
          cardId: `c-${bindings}`,
          fingerprint: fakeFingerprint(number),
          numberCheck: checkCardNumber(number),
          verification,
          holderNameMasked: '*三',
          now,
        };
        break;
      }
      case 'unbind':
        command = {
          type: 'UnbindCard',
          userId: USER,
          actorUserId,
          cardId,
          paymentPasswordVerified: true,
          walletOpen: item.walletOpen,
          now,
        };
        break;
      case 'setDefault':
        command = { type: 'SetDefaultCard', userId: USER, actorUserId, cardId, now };
        break;
      case 'check':
        command = { type: 'RecordCardCheck', userId: USER, actorUserId, cardId, issuerStatus: item.status, now };
        break;
    }
    const result = decider.decide(command, state);
    if (!isRejection(result)) {
      state = fold(decider, result, state);
      events.push(...result);
    }
    states.push(state);
  });
  return { numbers: [...numbers], events, states };
}

const runs = fc
  .tuple(fc.array(cardNumber, { minLength: 1, maxLength: 6 }), fc.array(step, { maxLength: 60 }))
  .map(([numbers, steps]) => run(numbers, steps));

/** Every string in event data, with its field name. */
function strings(value: unknown, field = ''): [string, string][] {
  if (typeof value === 'string') return [[field, value]];
  if (Array.isArray(value)) return value.flatMap((item) => strings(item, field));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => strings(item, key));
  return [];
}

describe('UserCards properties', () => {
  it('the generator reaches every event type (so the properties below are not vacuous)', () => {
    const seen = new Set(fc.sample(runs, { numRuns: 200, seed: 42 }).flatMap(({ events }) => events.map((event) => event.type)));
    expect([...seen].sort()).toEqual([
      'cards.CardBound.v1',
      'cards.CardReinstated.v1',
      'cards.CardSuspended.v1',
      'cards.CardUnbound.v1',
      'cards.DefaultCardChanged.v1',
    ]);
  });

  it('replaying the events (also after a JSON round trip) rebuilds the same state', () => {
    fc.assert(
      fc.property(runs, ({ events, states }) => {
        const final = states[states.length - 1] ?? decider.initialState();
        expect(fold(decider, events)).toEqual(final);
        const wire = JSON.parse(JSON.stringify(events)) as UserCardsEvent[];
        expect(wire).toEqual(events);
        expect(fold(decider, wire)).toEqual(final);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps at most one default card, exactly one (an active one) whenever a card is active', () => {
    fc.assert(
      fc.property(runs, ({ states }) => {
        for (const state of states) {
          const cards = boundCards(state);
          const defaultId = state.kind === 'holding' ? state.defaultCardId : null;
          const defaults = cards.filter((item) => item.cardId === defaultId);
          expect(defaults.length).toBeLessThanOrEqual(1);
          if (cards.some((item) => item.status === 'active')) {
            expect(defaults).toHaveLength(1);
            expect(defaults[0]?.status).toBe('active');
          } else {
            expect(defaultId).toBeNull();
          }
          expect(cards.length).toBeLessThanOrEqual(decider.maxCardsPerUser);
          expect(new Set(cards.map((item) => item.fingerprint)).size).toBe(cards.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never writes a card number: no run of 12+ digits outside the fingerprint, no number anywhere', () => {
    fc.assert(
      fc.property(runs, ({ numbers, events }) => {
        const all: CardsEvent[] = events;
        for (const event of all) {
          for (const [field, text] of strings(event.data)) {
            if (field === 'fingerprint') expect(text).toMatch(/^k1\.[0-9a-f]{64}$/);
            else expect(text).not.toMatch(CARD_NUMBER_LIKE_RUN);
          }
        }
        const serialized = JSON.stringify(events);
        for (const number of numbers) expect(serialized).not.toContain(number);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CardFingerprintReservation properties', () => {
  type ReservationStep = { reserve: boolean; user: number; card: number };
  const reservationStep = fc.record({ reserve: fc.boolean(), user: fc.nat({ max: 2 }), card: fc.nat({ max: 2 }) });

  it('a card has at most one holder, reservations only succeed when free, and replay rebuilds the state', () => {
    fc.assert(
      fc.property(fc.array(reservationStep, { maxLength: 40 }), (steps: ReservationStep[]) => {
        const fingerprint = fakeFingerprint('6222020000123452');
        let state: CardFingerprintState = cardFingerprintDecider.initialState();
        const events: CardFingerprintEvent[] = [];
        steps.forEach((item, index) => {
          const base = { fingerprint, userId: `u-${item.user}`, cardId: `c-${item.user}-${item.card}`, now: at(index) };
          const command: CardFingerprintCommand = item.reserve
            ? { type: 'ReserveCardFingerprint', ...base }
            : { type: 'ReleaseCardFingerprint', ...base, reason: 'card_unbound' };
          const before = state;
          const result = cardFingerprintDecider.decide(command, state);
          if (isRejection(result)) {
            expect(before.kind).toBe('reserved');
            return;
          }
          if (item.reserve && result.length > 0) expect(before.kind).toBe('free');
          state = fold(cardFingerprintDecider, result, state);
          events.push(...result);
          if (item.reserve) expect(state).toMatchObject({ kind: 'reserved', userId: base.userId });
        });
        expect(fold(cardFingerprintDecider, events)).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });
});
