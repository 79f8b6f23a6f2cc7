import 'reflect-metadata';
import { startCommandService } from '@ledger/messaging';
import { PROJECTOR_CONTEXT, projectorModule } from '@ledger/projector-service';

void startCommandService({ context: PROJECTOR_CONTEXT, module: projectorModule(), ownsProcess: true }).catch((error: unknown) => {
  console.error('projector service failed to start', error);
  process.exit(1);
});
