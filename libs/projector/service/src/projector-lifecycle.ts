import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DatabaseReadiness, isPostgresUrl } from '@ledger/event-store';
import { createKafka } from '@ledger/messaging';
import { KafkaAlertSink } from './alerts/alert-sink';
import { InvariantMonitor } from './alerts/invariant-monitor';
import type { MonitorSettings } from './alerts/monitor-settings';
import { startDashboard, type RunningDashboard } from './dashboard/dashboard-server';
import { Projector, type ProjectorOptions } from './projector-runtime';

export const PROJECTOR_CONTEXT = 'projector';

/** The live invariant checks and where their alerts go; unset settings come from the environment (`monitorSettingsFromEnv`). */
export interface AlertOptions extends Partial<MonitorSettings> {
  /** The broker client for `ops.alerts` (default: the environment's, `createKafka`). */
  kafka?: Kafka;
  /** Prefix of the alerts topic (default KAFKA_TOPIC_PREFIX), as the service's other topics. */
  topicPrefix?: string;
}

export interface ProjectorModuleOptions extends ProjectorOptions {
  /** The dashboard's port on 127.0.0.1 (default PROJECTOR_HTTP_PORT, else 3100); false: no dashboard. */
  dashboardPort?: number | false;
  /** The invariant monitor and its alerts on `ops.alerts` (on by default); false: none. */
  alerts?: AlertOptions | false;
}
export const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');

@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly projector: Projector;
  dashboard: RunningDashboard | undefined;
  monitor: InvariantMonitor | undefined;
  private sink: KafkaAlertSink | undefined;
  private readiness: DatabaseReadiness | undefined;

  constructor(@Inject(PROJECTOR_OPTIONS) private readonly options: ProjectorModuleOptions) {
    this.projector = new Projector(options);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Readiness: the analytics database (where the read models and the stores are) answers.
    const url = this.options.databaseUrl ?? process.env.DATABASE_URL;
    if (url !== undefined && isPostgresUrl(url)) this.readiness = new DatabaseReadiness(url);
    await this.projector.start();
    this.startMonitor();
    if (this.options.dashboardPort === false) return;
    this.dashboard = await startDashboard({ source: () => this.projector.dataSource, port: this.options.dashboardPort });
    new Logger(PROJECTOR_CONTEXT).log(`dashboard at ${this.dashboard.url}`);
  }

  private startMonitor(): void {
    const alerts = this.options.alerts;
    if (alerts === false) return;
    const { kafka, topicPrefix, ...settings } = alerts ?? {};
    this.sink = new KafkaAlertSink({
      kafka: kafka ?? createKafka(`${PROJECTOR_CONTEXT}-alerts`),
      topicPrefix: topicPrefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '',
    });
    const projector = this.projector;
    this.monitor = new InvariantMonitor({
      ...settings,
      projector,
      sink: this.sink,
      replaySources: { store: (source) => projector.storeFor(source), order: (source) => projector.cursorOrderOf(source) },
      logger: new Logger(`${PROJECTOR_CONTEXT}.invariants`),
    });
    this.monitor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readiness?.close();
    this.readiness = undefined;
    await this.dashboard?.close();
    this.dashboard = undefined;
    await this.monitor?.stop();
    this.monitor = undefined;
    await this.sink?.close();
    this.sink = undefined;
    await this.projector.stop();
  }
}
