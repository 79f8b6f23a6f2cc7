import { Logger, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  lifecycleCheck,
  managementEndpointFromEnv,
  startManagementServer,
  type ManagementEndpoint,
  type RunningManagementServer,
} from '@ledger/observability';
import type { Kafka } from 'kafkajs';
import { createKafka } from './kafka';
import { KafkaCommandServer } from './kafka-command-server';
import { createLogger } from './logging/logger';
import { startTracingFromEnv } from './tracing/start-tracing';

export interface CommandServiceOptions {
  /** The bounded context, e.g. `identity`; names the command topics and the consumer group. */
  context: string;
  module: Type<unknown>;
  /** Prefix of every topic and group name (isolated test runs); from KAFKA_TOPIC_PREFIX by default. */
  topicPrefix?: string;
  partitionsConsumedConcurrently?: number;
  /** The levels Nest's logger (pino, `createLogger`) prints, by default from LOG_LEVEL; `false` silences it (tests). */
  logger?: false | Array<'log' | 'warn' | 'error' | 'debug' | 'verbose'>;
  /**
   * The service is the process (its `main.ts`): SIGTERM/SIGINT close the app (drain the consumers,
   * finish what is in flight) and then exit with 0. Nest's own shutdown hooks re-raise the signal
   * instead, so the process dies of it and exit-time work (a `--cpu-prof` profile) never happens.
   * Tests leave it off: their process is not the service's.
   */
  ownsProcess?: boolean;
  /**
   * The management port (metrics, liveness, readiness). By default, when the service owns the
   * process, MANAGEMENT_PORT and MANAGEMENT_HOST (else the service's own default port on
   * 127.0.0.1); otherwise none. Tests that look at it pass `{ port: 0, host: '127.0.0.1' }`.
   */
  management?: ManagementEndpoint | false;
  /** The broker client of the command server (default: from the environment, `createKafka`). */
  kafka?: Kafka;
}

const managementServers = new WeakMap<object, RunningManagementServer>();

/** The management server a service started by `startCommandService` serves, if it has one. */
export function managementServerOf(app: INestMicroservice): RunningManagementServer | undefined {
  return managementServers.get(app);
}

/** Starts a Nest microservice that consumes `<context>.commands.from.<sender>` for its senders and answers on each `reply-to`. */
export async function startCommandService(options: CommandServiceOptions): Promise<INestMicroservice> {
  // The process's tracing, when its environment asks for it; a test that traces starts its own.
  const tracing = options.ownsProcess ? await startTracingFromEnv(`ledger-${options.context}`) : undefined;
  const prefix = options.topicPrefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '';
  // Up before anything connects: liveness answers while the service starts, readiness says it is starting.
  const lifecycle = lifecycleCheck();
  const endpoint = options.management ?? (options.ownsProcess ? managementEndpointFromEnv(options.context) : false);
  const management = endpoint ? await startManagementServer(endpoint) : undefined;
  const strategy = new KafkaCommandServer({
    kafka: options.kafka ?? createKafka(options.context),
    groupId: `${prefix}${options.context}-service`,
    context: options.context,
    topicPrefix: prefix,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
  });
  const app = await NestFactory.createMicroservice(options.module, {
    strategy,
    logger: options.logger === false ? false : createLogger({ service: options.context, levels: options.logger }),
  });
  if (options.ownsProcess) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(
        signal,
        () =>
          void app
            .close()
            // The spans still waiting go before the process does; an unreachable collector does not fail the exit.
            .then(() => tracing?.shutdown().catch(() => undefined))
            .then(
              () => process.exit(0),
              () => process.exit(1),
            ),
      );
    }
  } else {
    app.enableShutdownHooks();
  }
  // Not ready while draining: the close marks it, then takes the port down with the service.
  const close = app.close.bind(app);
  app.close = async () => {
    lifecycle.stopping();
    try {
      await close();
    } finally {
      lifecycle.remove();
      await management?.close();
    }
  };
  if (management) managementServers.set(app, management);
  await app.listen().catch(async (error: unknown) => {
    lifecycle.remove();
    await management?.close();
    throw error;
  });
  lifecycle.started();
  if (options.logger !== false)
    new Logger(options.context).log(
      `consuming ${prefix}${options.context}.commands.from.* (pid ${process.pid})${management ? `, metrics and health on ${management.url}` : ''}`,
    );
  return app;
}
