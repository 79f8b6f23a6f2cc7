import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FlushTracingOnShutdown, pingControllerFor } from '@ledger/messaging';
import { COMMAND_BUS, type CommandBus } from './command-bus';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { Edge } from './gateway.services';
import { HealthRoutes } from './health.routes';
import { MaintenanceRoutes, SupportRoutes } from './identity-support.routes';
import { IdentityRoutes } from './identity.routes';
import { SupportAccessRoutes, SupportPaymentRoutes } from './payments-support.routes';
import { StatementRoutes, SupportStatementRoutes } from './statement.routes';
import { RegistryRoutes } from './registry.routes';
import { IdentityVerificationRoutes } from './identity-verification.routes';
import { MerchantRoutes } from './merchant.routes';
import { CounterRoutes } from './counter.routes';
import { PaymentRoutes } from './payments.routes';
import { ProblemDetailsFilter } from './problem';
import { SecondFactorRoutes } from './second-factor.routes';
import { StaffRoutes } from './staff.routes';
import { CardRoutes, WalletRoutes } from './wallet-cards.routes';

export const GATEWAY_CONTEXT = 'gateway';

/** The HTTP routes, plus the `gateway.Ping.v1` handler `npm start` uses as the health check. */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, bus: CommandBus): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [
        HealthRoutes,
        IdentityRoutes,
        SupportRoutes,
        StaffRoutes,
        WalletRoutes,
        CardRoutes,
        PaymentRoutes,
        SupportPaymentRoutes,
        SupportAccessRoutes,
        StatementRoutes,
        SupportStatementRoutes,
        RegistryRoutes,
        IdentityVerificationRoutes,
        MerchantRoutes,
        CounterRoutes,
        MaintenanceRoutes,
        pingControllerFor(GATEWAY_CONTEXT),
        SecondFactorRoutes,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: COMMAND_BUS, useValue: bus },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        Edge,
        FlushTracingOnShutdown,
      ],
    };
  }
}
