import 'reflect-metadata';
import { startCommandService } from '@ledger/messaging';
import { PAYMENTS_CONTEXT, paymentsModule } from '@ledger/payments-service';

void startCommandService({ context: PAYMENTS_CONTEXT, module: paymentsModule(), ownsProcess: true }).catch((error: unknown) => {
  console.error('payments service failed to start', error);
  process.exit(1);
});
