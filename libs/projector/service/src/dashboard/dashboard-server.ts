/**
 * The dashboard's HTTP listener: a small Nest application on Express (127.0.0.1 only), next to the
 * projector's Kafka microservice. `GET /` is the page, `GET /api/dashboard` the same data as JSON.
 * It reads the read models through the projector's DataSource on every request, so it shows the
 * tables a replay has just swapped in.
 */
import type { AddressInfo } from 'node:net';
import {
  Controller,
  Get,
  Header,
  Inject,
  Module,
  type INestApplication,
  type LoggerService,
  type LogLevel,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { dashboardData, type DashboardData } from './dashboard-data';
import { DASHBOARD_CSP, renderDashboard } from './page';

export const DEFAULT_DASHBOARD_PORT = 3100;
const DASHBOARD_SOURCE = Symbol('DASHBOARD_SOURCE');

/** Where the dashboard gets its DataSource from (the projector opens it after the listener is built). */
export type DashboardSource = () => DataSource | undefined;

export interface DashboardOptions {
  source: DashboardSource;
  /** 0 picks a free port. Defaults to PROJECTOR_HTTP_PORT, else 3100. */
  port?: number;
  logger?: LoggerService | LogLevel[] | false;
}

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

export function dashboardPortFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.PROJECTOR_HTTP_PORT;
  if (text === undefined || text === '') return DEFAULT_DASHBOARD_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PROJECTOR_HTTP_PORT: not a port: ${text}`);
  return port;
}

function dashboardModule(source: DashboardSource): Type<unknown> {
  @Controller()
  class DashboardController {
    constructor(@Inject(DASHBOARD_SOURCE) private readonly dataSource: DashboardSource) {}

    private load(): Promise<DashboardData> {
      const dataSource = this.dataSource();
      if (!dataSource?.isInitialized) throw new Error('the projector has not opened the analytics database yet');
      return dashboardData(dataSource);
    }

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', DASHBOARD_CSP)
    @Header('Cache-Control', 'no-store')
    async page(): Promise<string> {
      return renderDashboard(await this.load());
    }

    @Get('api/dashboard')
    @Header('Cache-Control', 'no-store')
    data(): Promise<DashboardData> {
      return this.load();
    }
  }

  @Module({ controllers: [DashboardController], providers: [{ provide: DASHBOARD_SOURCE, useValue: source }] })
  class DashboardModule {}
  return DashboardModule;
}

/** Starts the dashboard on 127.0.0.1; resolves once it listens. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const app: INestApplication = await NestFactory.create(dashboardModule(options.source), { logger: options.logger ?? ['warn', 'error'] });
  await app.listen(options.port ?? dashboardPortFromEnv(), '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
