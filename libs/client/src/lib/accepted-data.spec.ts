import { cardsContract, paymentsContract, walletContract } from '@ledger/contracts';
import { AcceptedDataMismatchError, acceptedDataProblems, assertAcceptedData } from './accepted-data';

const completed = {
  paymentId: 'p-1',
  kind: 'merchant',
  status: 'completed',
  amountMinor: '1250',
  transactionIds: ['t-1'],
  postings: [
    { account: 'wallet:w-1', amountMinor: '-1250' },
    { account: 'merchant:m-canteen', amountMinor: '1250' },
  ],
  completedAt: '2026-11-22T08:00:00.000Z',
};

describe('checking accepted data against the command’s accepted schema', () => {
  it('passes a payment’s view and its pending answer, with fields a newer service adds', () => {
    expect(acceptedDataProblems(paymentsContract.payMerchant, completed)).toEqual([]);
    expect(acceptedDataProblems(paymentsContract.payMerchant, { paymentId: 'p-1', status: 'pending' })).toEqual([]);
    expect(acceptedDataProblems(paymentsContract.getPayment, { ...completed, settledBy: 'wallet' })).toEqual([]);
  });

  it('names each wrong field with what was expected and what came; for a union, per alternative', () => {
    expect(acceptedDataProblems(walletContract.getWalletByUser, { userId: 'u-1', walletId: 'w-1', status: 'active', tier: 7 })).toEqual([
      '/tier: Expected union value, got 7',
    ]);
    const problems = acceptedDataProblems(paymentsContract.payMerchant, { ...completed, amountMinor: 1250 });
    expect(problems).toEqual([
      `as alternative 1 of 2: /status: Expected 'pending', got "completed"`,
      'as alternative 2 of 2: /amountMinor: Expected string, got 1250',
    ]);
  });

  it('refuses missing data for a command with a schema, and checks nothing for a command without one', () => {
    expect(acceptedDataProblems(walletContract.getBalance, undefined)).toEqual(['(root): Expected object, got nothing']);
    expect(acceptedDataProblems(cardsContract.COMMANDS[0], { anything: 1 })).toEqual([]);
  });

  it('throws AcceptedDataMismatchError with the command, its id and the problems', () => {
    const check = () => assertAcceptedData(walletContract.getBalance, { status: 'accepted', commandId: 'c-1', data: { walletId: 'w-1' } });
    expect(check).toThrow(AcceptedDataMismatchError);
    expect(check).toThrow(
      /^wallet\.GetBalance\.v1 \(command c-1\) was accepted with data that does not match .*\/userId: Expected required property/,
    );
  });
});
