import 'reflect-metadata';
import { startCommandService } from '@ledger/messaging';
import { WALLET_CONTEXT, walletModule } from '@ledger/wallet-service';

void startCommandService({ context: WALLET_CONTEXT, module: walletModule(), ownsProcess: true }).catch((error: unknown) => {
  console.error('wallet service failed to start', error);
  process.exit(1);
});
