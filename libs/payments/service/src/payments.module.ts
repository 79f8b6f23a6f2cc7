import { Module, type Type } from '@nestjs/common';
import { EventStoreModule } from '@ledger/event-store';
import { pingControllerFor } from '@ledger/messaging';
import { RegistryController } from './registry/registry.controller';
import { PaymentsController } from './payments.controller';
import { PAYMENTS_CONTEXT, PAYMENTS_OPTIONS, PaymentsRuntime, type PaymentsServiceOptions } from './payments-runtime';

export { PAYMENTS_CONTEXT } from './payments-runtime';

/**
 * The payments service: process managers for the money flows, on the event store schema
 * `payments`. A function so tests can start isolated instances (own database, topic prefix, clock,
 * simulators); `main.ts` calls it with the defaults.
 */
export function paymentsModule(options: PaymentsServiceOptions = {}): Type<unknown> {
  @Module({
    imports: [EventStoreModule.forRoot({ schema: 'payments', url: options.databaseUrl })],
    controllers: [pingControllerFor(PAYMENTS_CONTEXT), PaymentsController, RegistryController],
    providers: [{ provide: PAYMENTS_OPTIONS, useValue: options }, PaymentsRuntime],
  })
  class PaymentsModule {}
  return PaymentsModule;
}
