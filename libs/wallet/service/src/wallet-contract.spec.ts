import { TypeCompiler } from '@sinclair/typebox/compiler';
import { walletContract } from '@ledger/contracts';
import { WALLET_ERROR, WALLET_EVENT, WALLET_TIERS } from '@ledger/wallet-domain';
import { derivedWalletId } from './wallet-ledger';

describe('wallet contract', () => {
  it('publishes exactly the event types the domain produces', () => {
    expect(walletContract.EVENT_TYPES).toEqual(WALLET_EVENT);
    expect(Object.keys(walletContract.eventData).sort()).toEqual(Object.values(WALLET_EVENT).sort());
  });

  it("lists exactly the codes the wallet can answer: the decider's and the service's", () => {
    const answered = new Set<string>([...Object.values(WALLET_ERROR), ...Object.values(walletContract.WALLET_SERVICE_ERROR)]);
    expect([...walletContract.ERROR_CODES].sort()).toEqual([...answered].sort());
  });

  it('accepts amounts only as positive decimal strings of fen', () => {
    const check = TypeCompiler.Compile(walletContract.reserveFunds.payload);
    const valid = {
      walletId: 'w-1',
      holdId: 'h-1',
      amountMinor: '100',
      expiresAt: '2026-11-22T10:00:00Z',
      reference: 'r',
      counterparty: 'merchant:m-1',
    };
    expect(check.Check(valid)).toBe(true);
    for (const amountMinor of ['0', '-1', '1.5', '01', '1e3', 100, '1234567890123456789'])
      expect(check.Check({ ...valid, amountMinor })).toBe(false);
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
