import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { pingControllerFor } from '@ledger/messaging';
import { Projector, type ProjectorOptions } from './projector-runtime';

export const PROJECTOR_CONTEXT = 'projector';
const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');

@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly projector: Projector;

  constructor(@Inject(PROJECTOR_OPTIONS) options: ProjectorOptions) {
    this.projector = new Projector(options);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.projector.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.projector.stop();
  }
}

/**
 * The projector service: keeps the analysts' read models (schema `analytics`) live from the
 * services' event stores, and answers `projector.Ping.v1` like every service.
 */
export function projectorModule(options: ProjectorOptions = {}): Type<unknown> {
  @Module({
    controllers: [pingControllerFor(PROJECTOR_CONTEXT)],
    providers: [{ provide: PROJECTOR_OPTIONS, useValue: options }, ProjectorLifecycle],
  })
  class ProjectorModule {}
  return ProjectorModule;
}
