import { cardsContract, identityContract, type CommandContract, type CommandResult } from '@ledger/contracts';
import { FieldDecryptionError, openSealedField, openingKeysFromEnv } from '@ledger/crypto';
import type { CommandBus } from './command-bus';
import { loadGatewayConfig } from './config';
import { Edge } from './gateway.services';
import { ProblemError } from './problem';

/** A bus that answers the wallet look-up from a table and records every command sent (the cache is what is under test, not Kafka). */
class RecordingBus implements CommandBus {
  readonly sent: Array<{ type: string; key: string; actor: string }> = [];
  constructor(private readonly wallets: Record<string, string>) {}
  isReady(): boolean {
    return true;
  }
  async send<C extends CommandContract>(contract: C, payload: unknown, options: { key: string; actor: string }): Promise<CommandResult> {
    this.sent.push({ type: contract.type, key: options.key, actor: options.actor });
    const walletId = this.wallets[(payload as { userId: string }).userId];
    const commandId = `c-${this.sent.length}`;
    return walletId === undefined
      ? { status: 'rejected', commandId, code: 'WALLET_NOT_OPEN', message: 'no wallet' }
      : { status: 'accepted', commandId, data: { walletId, userId: (payload as { userId: string }).userId, status: 'active' } };
  }
  async stop(): Promise<void> {}
}

describe('the wallet id of a user', () => {
  it('is looked up once per user, then answered from memory', async () => {
    const bus = new RecordingBus({ 'u-1': 'w-1', 'u-2': 'w-2' });
    const edge = new Edge(bus, loadGatewayConfig({}, { LEDGER_DEV_MODE: '1' }));
    expect(await edge.walletIdOf('u-1', 'user:u-1')).toBe('w-1');
    expect(await edge.walletIdOf('u-1', 'user:u-1')).toBe('w-1');
    expect(await edge.walletIdOf('u-2', 'user:u-2')).toBe('w-2');
    expect(bus.sent).toEqual([
      { type: 'wallet.GetWalletByUser.v1', key: 'u-1', actor: 'user:u-1' },
      { type: 'wallet.GetWalletByUser.v1', key: 'u-2', actor: 'user:u-2' },
    ]);
  });

  it('is not remembered when the look-up is refused, so a wallet opened later is found', async () => {
    const wallets: Record<string, string> = {};
    const bus = new RecordingBus(wallets);
    const edge = new Edge(bus, loadGatewayConfig({}, { LEDGER_DEV_MODE: '1' }));
    await expect(edge.walletIdOf('u-3', 'user:u-3')).rejects.toBeInstanceOf(ProblemError);
    wallets['u-3'] = 'w-3';
    expect(await edge.walletIdOf('u-3', 'user:u-3')).toBe('w-3');
    expect(bus.sent).toHaveLength(2);
  });
});

describe('the secret fields the gateway sends', () => {
  it('are sealed for the service that reads them: that service opens them, the gateway cannot, and no other service can', () => {
    const dev = { LEDGER_DEV_MODE: '1' };
    const edge = new Edge(new RecordingBus({}), loadGatewayConfig({}, dev));
    const sealed = edge.identitySecret('paymentPassword', '135790');
    expect(sealed).toMatch(/^seal:v1:dev-identity-seal:/);
    expect(openSealedField(sealed, openingKeysFromEnv(dev, 'identity'), identityContract.secretAad('paymentPassword'))).toBe('135790');
    for (const keys of [edge.config.sealOpeningKeys, openingKeysFromEnv(dev, 'cards'), openingKeysFromEnv(dev, 'payments')]) {
      expect(() => openSealedField(sealed, keys, identityContract.secretAad('paymentPassword'))).toThrow(FieldDecryptionError);
    }
    const card = edge.cardsSecret('cardNumber', '6222020200112233445');
    expect(openSealedField(card, openingKeysFromEnv(dev, 'cards'), cardsContract.secretAad('cardNumber'))).toBe('6222020200112233445');
    expect(() => openSealedField(card, edge.config.sealOpeningKeys, cardsContract.secretAad('cardNumber'))).toThrow(FieldDecryptionError);
  });
});
