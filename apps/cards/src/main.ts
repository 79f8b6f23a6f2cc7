import 'reflect-metadata';
import { startCommandService } from '@ledger/messaging';
import { CARDS_CONTEXT, CardsModule } from '@ledger/cards-service';

void startCommandService({ context: CARDS_CONTEXT, module: CardsModule, ownsProcess: true }).catch((error: unknown) => {
  console.error('cards service failed to start', error);
  process.exit(1);
});
