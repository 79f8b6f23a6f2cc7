import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { pingControllerFor } from '@ledger/messaging';
import { startDashboard, type RunningDashboard } from './dashboard/dashboard-server';
import { Projector, type ProjectorOptions } from './projector-runtime';

export const PROJECTOR_CONTEXT = 'projector';

export interface ProjectorModuleOptions extends ProjectorOptions {
  /** The dashboard's port on 127.0.0.1 (default PROJECTOR_HTTP_PORT, else 3100); false: no dashboard. */
  dashboardPort?: number | false;
}
const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');

@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly projector: Projector;
  dashboard: RunningDashboard | undefined;

  constructor(@Inject(PROJECTOR_OPTIONS) private readonly options: ProjectorModuleOptions) {
    this.projector = new Projector(options);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
    if (this.options.dashboardPort === false) return;
    this.dashboard = await startDashboard({ source: () => this.projector.dataSource, port: this.options.dashboardPort });
    new Logger(PROJECTOR_CONTEXT).log(`dashboard at ${this.dashboard.url}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dashboard?.close();
    this.dashboard = undefined;
    await this.projector.stop();
  }
}

/**
 * The projector service: keeps the analysts' read models (schema `analytics`) live from the
 * services' event stores, serves the dashboard over HTTP, and answers `projector.Ping.v1` like
 * every service.
 */
export function projectorModule(options: ProjectorModuleOptions = {}): Type<unknown> {
  @Module({
    controllers: [pingControllerFor(PROJECTOR_CONTEXT)],
    providers: [{ provide: PROJECTOR_OPTIONS, useValue: options }, ProjectorLifecycle],
  })
  class ProjectorModule {}
  return ProjectorModule;
}
