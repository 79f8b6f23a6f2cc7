import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ALL_COMMANDS } from './catalogue';
import type { CommandContract } from './command';
import * as identity from './identity';
import { PaymentAnswer, PaymentView } from './payments-accepted';
import * as moneyIn from './payments-money-in-commands';
import * as moneyOut from './payments-money-out-commands';
import * as queries from './payments-queries';
import * as wallet from './wallet';

const isCommand = (value: unknown): value is CommandContract =>
  typeof value === 'object' && value !== null && 'type' in value && 'senders' in value && 'payload' in value;
const commandsOf = (module: Record<string, unknown>): CommandContract[] => Object.values(module).filter(isCommand);

/**
 * Commands an internal system may send whose accepted data is still described only in prose: the
 * list may shrink, never grow (a new command an internal system sends comes with its schema).
 */
const NOT_YET_DESCRIBED = [
  'payments.ListPartners.v1',
  'payments.ListMerchantPayments.v1',
  'projector.GetStatement.v1',
  'projector.GetBalanceAsOf.v1',
  'projector.GetMerchantSettlement.v1',
];

const DESCRIBED = [
  ...wallet.COMMANDS,
  ...commandsOf(moneyOut),
  ...commandsOf(moneyIn),
  ...commandsOf(queries),
  ...identity.COMMANDS.filter((command) => command.senders.internal !== undefined),
];

describe("commands' accepted schemas", () => {
  it.each(DESCRIBED.map((command) => [command.type, command] as const))(
    '%s describes its accepted data with a schema that compiles',
    (_type, command) => {
      expect(command.accepted).toBeDefined();
      expect(() => TypeCompiler.Compile(command.accepted!)).not.toThrow();
    },
  );

  it('every command an internal system may send has one, but those listed as not yet described', () => {
    const missing = ALL_COMMANDS.filter((command) => command.senders.internal !== undefined && command.accepted === undefined);
    expect(missing.map((command) => command.type).sort()).toEqual([...NOT_YET_DESCRIBED].sort());
  });

  it("a payment's answer is its view or `pending`; GetPayment's is always the view", () => {
    const view = {
      paymentId: 'p-1',
      kind: 'topup',
      status: 'awaiting_provider',
      amountMinor: '2000',
      deadline: '2026-11-22T08:15:00.000Z',
    };
    const pending = { paymentId: 'p-1', status: 'pending' };
    const answer = TypeCompiler.Compile(PaymentAnswer);
    expect(answer.Check(view)).toBe(true);
    expect(answer.Check(pending)).toBe(true);
    expect(answer.Check({ ...view, amountMinor: 2000 })).toBe(false);
    expect(answer.Check({ ...view, status: 'settled' })).toBe(false);
    expect(TypeCompiler.Compile(PaymentView).Check(pending)).toBe(false);
  });
});
