import { fold } from '@ledger/util';
import { LUHN_INVALID_CARD_NUMBER, TEST_CARDS } from '@ledger/util/testing';
import { at, bound, cardBound, cmd, defaultChanged, fingerprintOf, givenWhenThen, MINUTE, OTHER_USER, USER } from '../test/fixtures';
import { checkCardNumber } from './card-number';
import { CARDS_ERROR, InvalidCardsCommand } from './codes';
import { CARDS_EVENT, type UserCardsEvent } from './events';
import {
  bindPrecheck,
  cardForUse,
  createUserCardsDecider,
  defaultCard,
  evolveUserCards,
  issuerStatusRejection,
  listCards,
  userCardsDecider,
  userCardsStreamId,
  type UserCardsState,
} from './user-cards';

const given = givenWhenThen(userCardsDecider);

const suspended = (cardId: string, reason: 'expired' | 'blocked' = 'expired', ms = MINUTE): UserCardsEvent => ({
  type: CARDS_EVENT.CardSuspended,
  data: { userId: USER, cardId, reason, suspendedAt: at(ms) },
});

function defaultIdOf(state: UserCardsState): string | null {
  return state.kind === 'holding' ? state.defaultCardId : null;
}

describe('BindCard', () => {
  it('binds the first card and makes it the default', () => {
    const result = given([]).when(cmd.bind('zhangSanDebit'));
    expect(result.events).toEqual([cardBound('zhangSanDebit'), defaultChanged('card-zhangSanDebit', null, 'first_card')]);
    expect(listCards(result.state)).toEqual([
      {
        cardId: 'card-zhangSanDebit',
        maskedNumber: '**** **** **** 3452',
        last4: '3452',
        issuer: 'ICBC',
        cardType: 'debit',
        holderNameMasked: '*三',
        status: 'active',
        isDefault: true,
      },
    ]);
  });

  it('binds further cards without moving the default', () => {
    const result = given(bound('zhangSanDebit')).when(cmd.bind('zhangSanSecond'));
    expect(result.events).toEqual([cardBound('zhangSanSecond')]);
    expect(listCards(result.state).map((card) => [card.last4, card.isDefault])).toEqual([
      ['3452', true],
      ['6781', false],
    ]);
  });

  it('keeps the issuer’s card type over the BIN table’s guess', () => {
    const result = given([]).when(
      cmd.bind('zhangSanDebit', { verification: { outcome: 'valid', cardToken: 'tok_x', cardType: 'credit', expiresOn: '2030-01' } }),
    );
    expect(result.events[0]).toMatchObject({ data: { cardType: 'credit', cardToken: 'tok_x', expiresOn: '2030-01' } });
  });

  it.each([
    ['a failed check digit', LUHN_INVALID_CARD_NUMBER, 'luhn'],
    ['15 digits', '622202000012345', 'too_short'],
    ['20 digits', '62220200001234567890', 'too_long'],
    ['letters', '6222abcd00123452', 'not_digits'],
  ])('rejects %s with INVALID_CARD_NUMBER (no issuer answer needed)', (_name, number, reason) => {
    const result = given([]).when(cmd.bind('zhangSanDebit', { numberCheck: checkCardNumber(number), verification: undefined }));
    expect(result.code).toBe(CARDS_ERROR.INVALID_CARD_NUMBER);
    expect(result.details).toEqual({ reason });
    expect(result.events).toEqual([]);
  });

  it('rejects a non-ICBC card with CARD_NOT_SUPPORTED', () => {
    const result = given([]).when(cmd.bind('nonIcbc', { verification: undefined }));
    expect(result.code).toBe(CARDS_ERROR.CARD_NOT_SUPPORTED);
    expect(result.details).toEqual({ issuer: 'ABC', last4: '3452' });
  });

  it.each([
    ['expired', CARDS_ERROR.CARD_EXPIRED],
    ['blocked', CARDS_ERROR.CARD_BLOCKED],
    ['holder_mismatch', CARDS_ERROR.CARD_HOLDER_MISMATCH],
    ['phone_mismatch', CARDS_ERROR.RESERVED_PHONE_MISMATCH],
    ['unknown_card', CARDS_ERROR.INVALID_CARD_NUMBER],
  ] as const)('rejects the issuer answer %s with %s', (outcome, code) => {
    const result = given(bound('zhangSanDebit')).when(cmd.bind('zhangSanSecond', { verification: { outcome } }));
    expect(result.code).toBe(code);
    expect(result.events).toEqual([]);
  });

  it('rejects the same card again (same fingerprint, active or suspended) with CARD_ALREADY_BOUND', () => {
    const again = given(bound('zhangSanDebit')).when(cmd.bind('zhangSanDebit', { cardId: 'card-new' }));
    expect(again.code).toBe(CARDS_ERROR.CARD_ALREADY_BOUND);
    expect(again.details).toEqual({ cardId: 'card-zhangSanDebit' });
    expect(
      given([...bound('zhangSanDebit'), suspended('card-zhangSanDebit')]).when(cmd.bind('zhangSanDebit', { cardId: 'card-new' })).code,
    ).toBe(CARDS_ERROR.CARD_ALREADY_BOUND);
  });

  it('rejects binding beyond the maximum with TOO_MANY_CARDS (10 by default, configurable)', () => {
    const small = givenWhenThen(createUserCardsDecider({ maxCardsPerUser: 2 }));
    const result = small(bound('zhangSanDebit', 'zhangSanSecond')).when(cmd.bind('zhangSanCredit'));
    expect(result.code).toBe(CARDS_ERROR.TOO_MANY_CARDS);
    expect(result.details).toEqual({ maxCards: 2 });

    const ten: UserCardsEvent[] = [];
    for (let index = 0; index < 10; index += 1) {
      const bind = cmd.bind('zhangSanDebit', {
        cardId: `c-${index}`,
        fingerprint: `k1.${String(index).padStart(2, 'a')}${'f'.repeat(62)}`,
      });
      ten.push(...given(ten).when(bind).events);
    }
    expect(given(ten).when(cmd.bind('zhangSanSecond')).code).toBe(CARDS_ERROR.TOO_MANY_CARDS);
    expect(userCardsDecider.maxCardsPerUser).toBe(10);
    expect(() => createUserCardsDecider({ maxCardsPerUser: 0 })).toThrow();
  });

  it('rejects another actor with NOT_CARD_OWNER before looking at anything else', () => {
    const result = given([]).when(
      cmd.bind('zhangSanDebit', { actorUserId: OTHER_USER, numberCheck: checkCardNumber(LUHN_INVALID_CARD_NUMBER) }),
    );
    expect(result.code).toBe(CARDS_ERROR.NOT_CARD_OWNER);
  });

  it('exposes the pre-checks the service runs before calling the issuer (same answers as decide)', () => {
    const state = fold(userCardsDecider, bound('zhangSanDebit'));
    const request = (name: keyof typeof TEST_CARDS, actorUserId = USER) => ({
      userId: USER,
      actorUserId,
      fingerprint: fingerprintOf(name),
      numberCheck: checkCardNumber(TEST_CARDS[name].number),
    });
    expect(bindPrecheck(state, request('zhangSanSecond'))).toBeUndefined();
    expect(bindPrecheck(state, request('zhangSanDebit'))?.code).toBe(CARDS_ERROR.CARD_ALREADY_BOUND);
    expect(bindPrecheck(state, request('nonIcbc'))?.code).toBe(CARDS_ERROR.CARD_NOT_SUPPORTED);
    expect(bindPrecheck(state, request('zhangSanSecond', OTHER_USER))?.code).toBe(CARDS_ERROR.NOT_CARD_OWNER);
    expect(bindPrecheck(state, request('zhangSanSecond'), 1)?.code).toBe(CARDS_ERROR.TOO_MANY_CARDS);
  });

  it('makes a new card the default when no card is active', () => {
    const allSuspended = [...bound('zhangSanDebit'), suspended('card-zhangSanDebit')];
    expect(given(allSuspended).when(cmd.bind('zhangSanSecond')).events).toEqual([
      cardBound('zhangSanSecond'),
      defaultChanged('card-zhangSanSecond', null, 'first_card'),
    ]);
    const allUnbound = [...bound('zhangSanDebit'), ...given(bound('zhangSanDebit')).when(cmd.unbind('card-zhangSanDebit')).events];
    expect(given(allUnbound).when(cmd.bind('zhangSanDebit', { cardId: 'card-again' })).events[1]).toEqual(
      defaultChanged('card-again', null, 'first_card'),
    );
  });

  it('throws for input no correct adapter sends: a full number as token or name, a missing issuer answer, a reused card id, a bad expiry', () => {
    const valid = { outcome: 'valid', cardType: 'debit', expiresOn: '2030-01' } as const;
    expect(() =>
      given([]).when(cmd.bind('zhangSanDebit', { verification: { ...valid, cardToken: TEST_CARDS.zhangSanDebit.number } })),
    ).toThrow(InvalidCardsCommand);
    expect(() => given([]).when(cmd.bind('zhangSanDebit', { verification: { ...valid, cardToken: 'tok 6222 0200 0012 3452' } }))).toThrow(
      InvalidCardsCommand,
    );
    expect(() => given([]).when(cmd.bind('zhangSanDebit', { holderNameMasked: '6222020000123452' }))).toThrow(InvalidCardsCommand);
    expect(() => given([]).when(cmd.bind('zhangSanDebit', { verification: undefined }))).toThrow(InvalidCardsCommand);
    expect(() => given([]).when(cmd.bind('zhangSanDebit', { verification: { ...valid, cardToken: 'tok', expiresOn: '2030-13' } }))).toThrow(
      InvalidCardsCommand,
    );
    expect(() => given(bound('zhangSanDebit')).when(cmd.bind('zhangSanSecond', { cardId: 'card-zhangSanDebit' }))).toThrow(
      InvalidCardsCommand,
    );
    expect(() => given([]).when(cmd.bind('zhangSanDebit', { fingerprint: 'plain' }))).toThrow(InvalidCardsCommand);
    expect(() => given([]).when(cmd.bind('zhangSanDebit', { now: 'nope' }))).toThrow(InvalidCardsCommand);
    expect(() => given(bound('zhangSanDebit')).when(cmd.bind('zhangSanSecond', { userId: OTHER_USER, actorUserId: OTHER_USER }))).toThrow(
      InvalidCardsCommand,
    );
  });
});

describe('UnbindCard', () => {
  const three = bound('zhangSanDebit', 'zhangSanSecond', 'zhangSanCredit');

  it('unbinds a card that is not the default: the default stays', () => {
    const result = given(three).when(cmd.unbind('card-zhangSanSecond'));
    expect(result.events).toEqual([
      {
        type: CARDS_EVENT.CardUnbound,
        data: {
          userId: USER,
          cardId: 'card-zhangSanSecond',
          fingerprint: fingerprintOf('zhangSanSecond'),
          last4: '6781',
          wasDefault: false,
          remainingCards: 2,
          lastCardOfOpenWallet: false,
          unboundAt: at(MINUTE),
        },
      },
    ]);
    expect(defaultIdOf(result.state)).toBe('card-zhangSanDebit');
  });

  it('moves the default to the earliest-bound other active card when the default is unbound', () => {
    const result = given(three).when(cmd.unbind('card-zhangSanDebit'));
    expect(result.events[0]).toMatchObject({ type: CARDS_EVENT.CardUnbound, data: { wasDefault: true, remainingCards: 2 } });
    expect(result.events[1]).toEqual(defaultChanged('card-zhangSanSecond', 'card-zhangSanDebit', 'default_unbound', MINUTE));
    expect(defaultCard(result.state)?.cardId).toBe('card-zhangSanSecond');
  });

  it('skips suspended cards when moving the default, and leaves no default when none is active', () => {
    const secondSuspended = [...three, suspended('card-zhangSanSecond')];
    expect(given(secondSuspended).when(cmd.unbind('card-zhangSanDebit')).events[1]).toEqual(
      defaultChanged('card-zhangSanCredit', 'card-zhangSanDebit', 'default_unbound', MINUTE),
    );
    const onlySuspendedLeft = [...bound('zhangSanDebit', 'zhangSanSecond'), suspended('card-zhangSanSecond')];
    const result = given(onlySuspendedLeft).when(cmd.unbind('card-zhangSanDebit'));
    expect(result.events.map((event) => event.type)).toEqual([CARDS_EVENT.CardUnbound]);
    expect(defaultIdOf(result.state)).toBeNull();
  });

  it('allows unbinding the last card of an open wallet, and reports it', () => {
    const result = given(bound('zhangSanDebit')).when(cmd.unbind('card-zhangSanDebit', { walletOpen: true }));
    expect(result.events).toEqual([
      {
        type: CARDS_EVENT.CardUnbound,
        data: {
          userId: USER,
          cardId: 'card-zhangSanDebit',
          fingerprint: fingerprintOf('zhangSanDebit'),
          last4: '3452',
          wasDefault: true,
          remainingCards: 0,
          lastCardOfOpenWallet: true,
          unboundAt: at(MINUTE),
        },
      },
    ]);
    expect(listCards(result.state)).toEqual([]);
    expect(defaultIdOf(result.state)).toBeNull();
  });

  it('does not report the last card when the wallet is not open', () => {
    expect(given(bound('zhangSanDebit')).when(cmd.unbind('card-zhangSanDebit', { walletOpen: false })).events[0]).toMatchObject({
      data: { lastCardOfOpenWallet: false },
    });
  });

  it('rejects an unknown or already unbound card with CARD_NOT_FOUND', () => {
    expect(given([]).when(cmd.unbind('card-x')).code).toBe(CARDS_ERROR.CARD_NOT_FOUND);
    const once = given(bound('zhangSanDebit')).when(cmd.unbind('card-zhangSanDebit'));
    const twice = given(once.history).when(cmd.unbind('card-zhangSanDebit'));
    expect(twice.code).toBe(CARDS_ERROR.CARD_NOT_FOUND);
    expect(twice.details).toEqual({ cardId: 'card-zhangSanDebit' });
  });

  it('rejects another actor with NOT_CARD_OWNER', () => {
    expect(given(bound('zhangSanDebit')).when(cmd.unbind('card-zhangSanDebit', { actorUserId: OTHER_USER })).code).toBe(
      CARDS_ERROR.NOT_CARD_OWNER,
    );
  });

  it('throws without a verified payment password (identity verifies it first)', () => {
    expect(() => given(bound('zhangSanDebit')).when(cmd.unbind('card-zhangSanDebit', { paymentPasswordVerified: false as true }))).toThrow(
      InvalidCardsCommand,
    );
  });
});

describe('SetDefaultCard', () => {
  const two = bound('zhangSanDebit', 'zhangSanSecond');

  it('moves the default to the chosen card', () => {
    const result = given(two).when(cmd.setDefault('card-zhangSanSecond'));
    expect(result.events).toEqual([defaultChanged('card-zhangSanSecond', 'card-zhangSanDebit', 'chosen_by_user', MINUTE)]);
    expect(
      listCards(result.state)
        .filter((card) => card.isDefault)
        .map((card) => card.cardId),
    ).toEqual(['card-zhangSanSecond']);
  });

  it('changes nothing when the card is already the default', () => {
    const result = given(two).when(cmd.setDefault('card-zhangSanDebit'));
    expect(result.events).toEqual([]);
    expect(result.rejection).toBeUndefined();
  });

  it('rejects CARD_NOT_FOUND, CARD_SUSPENDED and NOT_CARD_OWNER', () => {
    expect(given(two).when(cmd.setDefault('card-x')).code).toBe(CARDS_ERROR.CARD_NOT_FOUND);
    const rejection = given([...two, suspended('card-zhangSanSecond', 'blocked')]).when(cmd.setDefault('card-zhangSanSecond'));
    expect(rejection.code).toBe(CARDS_ERROR.CARD_SUSPENDED);
    expect(rejection.details).toEqual({ cardId: 'card-zhangSanSecond', reason: 'blocked' });
    expect(given(two).when(cmd.setDefault('card-zhangSanSecond', { actorUserId: OTHER_USER })).code).toBe(CARDS_ERROR.NOT_CARD_OWNER);
  });
});

describe('RecordCardCheck', () => {
  const two = bound('zhangSanDebit', 'zhangSanSecond');

  it.each(['expired', 'blocked'] as const)('suspends a card the issuer now reports %s', (status) => {
    const result = given(two).when(cmd.check('card-zhangSanSecond', status));
    expect(result.events).toEqual([suspended('card-zhangSanSecond', status)]);
    expect(listCards(result.state)[1]).toMatchObject({ status: 'suspended', isDefault: false });
  });

  it('is idempotent: an already suspended card gives no events (whatever the new reason)', () => {
    const history = [...two, suspended('card-zhangSanSecond', 'expired')];
    expect(given(history).when(cmd.check('card-zhangSanSecond', 'expired')).events).toEqual([]);
    expect(given(history).when(cmd.check('card-zhangSanSecond', 'blocked')).events).toEqual([]);
  });

  it('moves the default off a suspended default card, or clears it when no card is active', () => {
    const moved = given(two).when(cmd.check('card-zhangSanDebit', 'blocked'));
    expect(moved.events).toEqual([
      suspended('card-zhangSanDebit', 'blocked'),
      defaultChanged('card-zhangSanSecond', 'card-zhangSanDebit', 'default_suspended', MINUTE),
    ]);
    const cleared = given(bound('zhangSanDebit')).when(cmd.check('card-zhangSanDebit', 'expired'));
    expect(cleared.events).toEqual([suspended('card-zhangSanDebit', 'expired')]);
    expect(defaultIdOf(cleared.state)).toBeNull();
  });

  it('reinstates a suspended card the issuer reports active again; it becomes the default only if there is none', () => {
    const alone = given([...bound('zhangSanDebit'), suspended('card-zhangSanDebit')]).when(
      cmd.check('card-zhangSanDebit', 'active', { now: at(2 * MINUTE) }),
    );
    expect(alone.events).toEqual([
      { type: CARDS_EVENT.CardReinstated, data: { userId: USER, cardId: 'card-zhangSanDebit', reinstatedAt: at(2 * MINUTE) } },
      defaultChanged('card-zhangSanDebit', null, 'card_reinstated', 2 * MINUTE),
    ]);
    expect(listCards(alone.state)[0]).toMatchObject({ status: 'active', isDefault: true });
    const withDefault = given([...two, suspended('card-zhangSanSecond')]).when(cmd.check('card-zhangSanSecond', 'active'));
    expect(withDefault.events.map((event) => event.type)).toEqual([CARDS_EVENT.CardReinstated]);
  });

  it('changes nothing for an active card reported active', () => {
    expect(given(two).when(cmd.check('card-zhangSanDebit', 'active')).events).toEqual([]);
  });

  it('rejects CARD_NOT_FOUND and NOT_CARD_OWNER', () => {
    expect(given(two).when(cmd.check('card-x', 'blocked')).code).toBe(CARDS_ERROR.CARD_NOT_FOUND);
    expect(given(two).when(cmd.check('card-zhangSanDebit', 'blocked', { actorUserId: OTHER_USER })).code).toBe(CARDS_ERROR.NOT_CARD_OWNER);
  });

  it('answers the check with CARD_EXPIRED / CARD_BLOCKED', () => {
    expect(issuerStatusRejection('active')).toBeUndefined();
    expect(issuerStatusRejection('expired')?.code).toBe(CARDS_ERROR.CARD_EXPIRED);
    expect(issuerStatusRejection('blocked')?.code).toBe(CARDS_ERROR.CARD_BLOCKED);
  });
});

describe('queries and streams', () => {
  it('tells payments which card it may use', () => {
    const state = fold(userCardsDecider, [...bound('zhangSanDebit', 'zhangSanSecond'), suspended('card-zhangSanSecond')]);
    expect(cardForUse(state, { userId: USER, actorUserId: USER, cardId: 'card-zhangSanDebit' })).toMatchObject({
      cardToken: TEST_CARDS.zhangSanDebit.cardToken,
      status: 'active',
    });
    expect(cardForUse(state, { userId: USER, actorUserId: USER, cardId: 'card-zhangSanSecond' })).toMatchObject({
      code: CARDS_ERROR.CARD_SUSPENDED,
    });
    expect(cardForUse(state, { userId: USER, actorUserId: USER, cardId: 'card-x' })).toMatchObject({ code: CARDS_ERROR.CARD_NOT_FOUND });
    expect(cardForUse(state, { userId: USER, actorUserId: OTHER_USER, cardId: 'card-zhangSanDebit' })).toMatchObject({
      code: CARDS_ERROR.NOT_CARD_OWNER,
    });
  });

  it('names streams cards-<userId>', () => {
    expect(userCardsStreamId(USER)).toBe(`cards-${USER}`);
    expect(() => userCardsStreamId('')).toThrow(InvalidCardsCommand);
  });

  it('refuses to fold a corrupted stream', () => {
    const initial = userCardsDecider.initialState();
    expect(() => evolveUserCards(initial, suspended('card-x'))).toThrow(/not bound/);
    expect(() => fold(userCardsDecider, [cardBound('zhangSanDebit'), cardBound('zhangSanDebit')])).toThrow(/bound twice/);
    expect(() => fold(userCardsDecider, [cardBound('zhangSanDebit'), cardBound('zhangSanSecond', OTHER_USER)])).toThrow(/in the cards of/);
    expect(() =>
      fold(userCardsDecider, [
        cardBound('zhangSanDebit'),
        suspended('card-zhangSanDebit'),
        defaultChanged('card-zhangSanDebit', null, 'first_card'),
      ]),
    ).toThrow(/suspended/);
  });
});
