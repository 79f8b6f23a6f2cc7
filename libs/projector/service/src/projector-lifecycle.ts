import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { startDashboard, type RunningDashboard } from './dashboard/dashboard-server';
import { Projector, type ProjectorOptions } from './projector-runtime';

export const PROJECTOR_CONTEXT = 'projector';

export interface ProjectorModuleOptions extends ProjectorOptions {
  /** The dashboard's port on 127.0.0.1 (default PROJECTOR_HTTP_PORT, else 3100); false: no dashboard. */
  dashboardPort?: number | false;
}
export const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');

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
