import { Logger, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createKafka } from './kafka';
import { KafkaCommandServer } from './kafka-command-server';

export interface CommandServiceOptions {
  /** The bounded context, e.g. `identity`; names the command topics and the consumer group. */
  context: string;
  module: Type<unknown>;
  /** Prefix of every topic and group name (isolated test runs); from KAFKA_TOPIC_PREFIX by default. */
  topicPrefix?: string;
  partitionsConsumedConcurrently?: number;
  /** Nest's logger; `false` silences it (tests). */
  logger?: false | Array<'log' | 'warn' | 'error' | 'debug' | 'verbose'>;
  /**
   * The service is the process (its `main.ts`): SIGTERM/SIGINT close the app (drain the consumers,
   * finish what is in flight) and then exit with 0. Nest's own shutdown hooks re-raise the signal
   * instead, so the process dies of it and exit-time work (a `--cpu-prof` profile) never happens.
   * Tests leave it off: their process is not the service's.
   */
  ownsProcess?: boolean;
}

/** Starts a Nest microservice that consumes `<context>.commands.from.<sender>` for its senders and answers on each `reply-to`. */
export async function startCommandService(options: CommandServiceOptions): Promise<INestMicroservice> {
  const prefix = options.topicPrefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '';
  const strategy = new KafkaCommandServer({
    kafka: createKafka(options.context),
    groupId: `${prefix}${options.context}-service`,
    context: options.context,
    topicPrefix: prefix,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
  });
  const app = await NestFactory.createMicroservice(options.module, { strategy, logger: options.logger ?? ['log', 'warn', 'error'] });
  if (options.ownsProcess) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(
        signal,
        () =>
          void app.close().then(
            () => process.exit(0),
            () => process.exit(1),
          ),
      );
    }
  } else {
    app.enableShutdownHooks();
  }
  await app.listen();
  if (options.logger !== false)
    new Logger(options.context).log(`consuming ${prefix}${options.context}.commands.from.* (pid ${process.pid})`);
  return app;
}
