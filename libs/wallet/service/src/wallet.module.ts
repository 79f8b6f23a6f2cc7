import { Module, type Type } from '@nestjs/common';
import { EventStoreModule } from '@ledger/event-store';
import { pingControllerFor } from '@ledger/messaging';
import { WalletController } from './wallet.controller';
import { WALLET_CONTEXT, WALLET_OPTIONS, WalletRuntime, type WalletServiceOptions } from './wallet-runtime';

export { WALLET_CONTEXT } from './wallet-runtime';

/**
 * The wallet service: balances, holds, limits and freeze, on the event store schema `wallet`.
 * A function rather than a static module so tests can start several isolated instances (own
 * database, topic prefix, clock) in one process; `main.ts` calls it with the defaults.
 */
export function walletModule(options: WalletServiceOptions = {}): Type<unknown> {
  @Module({
    imports: [EventStoreModule.forRoot({ schema: 'wallet', url: options.databaseUrl })],
    controllers: [pingControllerFor(WALLET_CONTEXT), WalletController],
    providers: [{ provide: WALLET_OPTIONS, useValue: options }, WalletRuntime],
  })
  class WalletModule {}
  return WalletModule;
}
