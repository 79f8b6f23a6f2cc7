import { Module, type Type } from '@nestjs/common';
import { pingControllerFor } from '@ledger/messaging';
import { PROJECTOR_CONTEXT, PROJECTOR_OPTIONS, ProjectorLifecycle, type ProjectorModuleOptions } from './projector-lifecycle';
import { StaffActionsController } from './staff-actions.controller';
import { MerchantSettlementController } from './merchant-settlement.controller';
import { StatementController } from './statement.controller';

export { PROJECTOR_CONTEXT, ProjectorLifecycle, type AlertOptions, type ProjectorModuleOptions } from './projector-lifecycle';

/**
 * The projector service: keeps the analysts' read models (schema `analytics`) live from the
 * services' event stores, serves the dashboard over HTTP, answers `projector.Ping.v1` like every
 * service, the supervisors' `projector.ListStaffActions.v1`, and the users' statements and balances
 * as of an instant (`projector.GetStatement.v1`, `projector.GetBalanceAsOf.v1`) and the merchants'
 * settlement statements (`projector.GetMerchantSettlement.v1`); and checks the ledger's invariants
 * continuously, raising and clearing alerts on `ops.alerts` (`alerts/invariant-monitor.ts`).
 */
export function projectorModule(options: ProjectorModuleOptions = {}): Type<unknown> {
  @Module({
    controllers: [pingControllerFor(PROJECTOR_CONTEXT), StaffActionsController, StatementController, MerchantSettlementController],
    providers: [{ provide: PROJECTOR_OPTIONS, useValue: options }, ProjectorLifecycle],
  })
  class ProjectorModule {}
  return ProjectorModule;
}
