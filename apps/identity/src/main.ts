import 'reflect-metadata';
import { startCommandService } from '@ledger/messaging';
import { IDENTITY_CONTEXT, IdentityModule } from '@ledger/identity-service';

void startCommandService({ context: IDENTITY_CONTEXT, module: IdentityModule, ownsProcess: true }).catch((error: unknown) => {
  console.error('identity service failed to start', error);
  process.exit(1);
});
