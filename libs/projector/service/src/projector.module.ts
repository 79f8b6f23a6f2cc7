import { Module, type Type } from '@nestjs/common';
import { pingControllerFor } from '@ledger/messaging';
import { PROJECTOR_CONTEXT, PROJECTOR_OPTIONS, ProjectorLifecycle, type ProjectorModuleOptions } from './projector-lifecycle';
import { StaffActionsController } from './staff-actions.controller';

export { PROJECTOR_CONTEXT, ProjectorLifecycle, type ProjectorModuleOptions } from './projector-lifecycle';

/**
 * The projector service: keeps the analysts' read models (schema `analytics`) live from the
 * services' event stores, serves the dashboard over HTTP, answers `projector.Ping.v1` like every
 * service, and the supervisors' `projector.ListStaffActions.v1`.
 */
export function projectorModule(options: ProjectorModuleOptions = {}): Type<unknown> {
  @Module({
    controllers: [pingControllerFor(PROJECTOR_CONTEXT), StaffActionsController],
    providers: [{ provide: PROJECTOR_OPTIONS, useValue: options }, ProjectorLifecycle],
  })
  class ProjectorModule {}
  return ProjectorModule;
}
