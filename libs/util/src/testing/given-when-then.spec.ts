import { reject, type Decider } from '../decider';
import { givenWhenThen } from './given-when-then';

type Command = { type: 'deposit' | 'withdraw'; amountMinor: bigint };
type Event = { type: 'Deposited' | 'Withdrawn' | 'Overdrawn'; amountMinor: bigint };
const account: Decider<Command, Event, bigint> = {
  initialState: () => 0n,
  decide: (command, balanceMinor) => {
    if (command.type === 'deposit') return [{ type: 'Deposited', amountMinor: command.amountMinor }];
    if (command.amountMinor > balanceMinor * 2n) return reject('WAY_TOO_MUCH', 'no', { balanceMinor: balanceMinor.toString() });
    // A refusal that is recorded (it counts), like a wrong password.
    if (command.amountMinor > balanceMinor) return [{ type: 'Overdrawn', amountMinor: command.amountMinor }];
    return [{ type: 'Withdrawn', amountMinor: command.amountMinor }];
  },
  evolve: (balanceMinor, event) =>
    event.type === 'Deposited'
      ? balanceMinor + event.amountMinor
      : event.type === 'Withdrawn'
        ? balanceMinor - event.amountMinor
        : balanceMinor,
};
const recordedRejection = (events: readonly Event[]) =>
  events.some((event) => event.type === 'Overdrawn') ? reject('INSUFFICIENT_FUNDS', 'recorded') : undefined;
const { given, givenCommands, givenAccepted } = givenWhenThen(account, { recordedRejection });

describe('givenWhenThen', () => {
  it('given a history, when a command is accepted, then it tells the events, the state after and the longer history', () => {
    const deposited = { type: 'Deposited', amountMinor: 10n } as const;
    const then = given([deposited]).when({ type: 'withdraw', amountMinor: 4n });
    expect(then).toMatchObject({ events: [{ type: 'Withdrawn', amountMinor: 4n }], rejection: undefined, code: undefined, state: 6n });
    expect(then.history).toEqual([deposited, { type: 'Withdrawn', amountMinor: 4n }]);
    expect(then.result).toEqual(then.events);
  });

  it('given a refusal answered without recording, then no events and the code and details', () => {
    const then = given(givenCommands({ type: 'deposit', amountMinor: 1n })).when({ type: 'withdraw', amountMinor: 5n });
    expect(then).toMatchObject({ events: [], code: 'WAY_TOO_MUCH', details: { balanceMinor: '1' }, state: 1n });
    expect(then.result).toBe(then.rejection);
  });

  it('given a refusal that is recorded, then the events and the rejection they stand for', () => {
    const then = given(givenCommands({ type: 'deposit', amountMinor: 2n })).when({ type: 'withdraw', amountMinor: 3n });
    expect(then).toMatchObject({ events: [{ type: 'Overdrawn', amountMinor: 3n }], code: 'INSUFFICIENT_FUNDS', state: 2n });
  });

  it('folds commands into a history, each decided on the state the earlier ones left, refused ones adding nothing', () => {
    expect(
      givenCommands({ type: 'deposit', amountMinor: 3n }, { type: 'withdraw', amountMinor: 100n }, { type: 'withdraw', amountMinor: 2n }),
    ).toEqual([
      { type: 'Deposited', amountMinor: 3n },
      { type: 'Withdrawn', amountMinor: 2n },
    ]);
  });

  it('refuses a setup whose commands are not all accepted', () => {
    expect(givenAccepted({ type: 'deposit', amountMinor: 3n }, { type: 'withdraw', amountMinor: 1n })).toHaveLength(2);
    expect(() => givenAccepted({ type: 'withdraw', amountMinor: 100n })).toThrow('the given withdraw was refused: WAY_TOO_MUCH');
  });
});
