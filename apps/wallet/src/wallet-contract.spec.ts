import { TypeCompiler } from '@sinclair/typebox/compiler';
import { walletContract } from '@ledger/contracts';
import { WALLET_EVENT, WALLET_TIERS } from '@ledger/wallet-domain';
import { KeyBusy, KeyedMutex } from './keyed-mutex';
import { derivedWalletId } from './wallet-ledger';

describe('wallet contract', () => {
  it('publishes exactly the event types the domain produces', () => {
    expect(walletContract.EVENT).toEqual(WALLET_EVENT);
    expect(Object.keys(walletContract.eventData).sort()).toEqual(Object.values(WALLET_EVENT).sort());
  });

  it('accepts amounts only as positive decimal strings of fen', () => {
    const check = TypeCompiler.Compile(walletContract.reserveFunds.payload);
    const valid = { walletId: 'w-1', holdId: 'h-1', amountMinor: '100', expiresAt: '2026-11-22T10:00:00Z', reference: 'r', counterparty: 'merchant:m-1' };
    expect(check.Check(valid)).toBe(true);
    for (const amountMinor of ['0', '-1', '1.5', '01', '1e3', 100, '1234567890123456789']) expect(check.Check({ ...valid, amountMinor })).toBe(false);
    expect(check.Check({ ...valid, counterparty: 'somewhere' })).toBe(false);
    expect(check.Check({ ...valid, expiresAt: 'tomorrow' })).toBe(false);
    expect(check.Check({ ...valid, extra: 1 })).toBe(false);
  });

  it('knows every tier of the domain', () => {
    const check = TypeCompiler.Compile(walletContract.changeWalletTier.payload);
    for (const tier of WALLET_TIERS) expect(check.Check({ walletId: 'w', tier })).toBe(true);
  });

  it('derives the same wallet id from the same command id', () => {
    expect(derivedWalletId('c-1')).toBe(derivedWalletId('c-1'));
    expect(derivedWalletId('c-1')).not.toBe(derivedWalletId('c-2'));
  });
});

describe('KeyedMutex', () => {
  it('runs tasks of one key one at a time, in order, and other keys in parallel', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
    };
    await Promise.all([mutex.run('a', task('a1', 20)), mutex.run('a', task('a2', 1)), mutex.run('b', task('b1', 1))]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
    expect(mutex.activeKeys).toBe(0);
  });

  it('refuses beyond its bound instead of queueing forever, and survives a failing task', async () => {
    const mutex = new KeyedMutex(2);
    let release!: () => void;
    const blocker = mutex.run('k', () => new Promise<void>((resolve) => (release = resolve)));
    const second = mutex.run('k', async () => 'second');
    await expect(mutex.run('k', async () => 'third')).rejects.toBeInstanceOf(KeyBusy);
    release();
    await blocker;
    expect(await second).toBe('second');
    await expect(mutex.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await mutex.run('k', async () => 'after')).toBe('after');
  });
});
