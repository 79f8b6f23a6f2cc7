import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { paymentsContract } from '@ledger/contracts';
import { KafkaCommandServer, createKafka, createLogger } from '@ledger/messaging';
import { lifecycleCheck, startManagementServer, type ManagementEndpoint, type RunningManagementServer } from '@ledger/observability';
import { isDevMode } from '@ledger/util';
import type { Kafka } from 'kafkajs';
import { KafkaCommandBus, type CommandBus } from './command-bus';
import { type GatewayConfig } from './config';
import { GATEWAY_CONTEXT, GatewayModule } from './gateway.module';
import { jsonBodyMiddleware } from './http/body';
import { beginRequestScope, resumeRequestScope } from './http/request-scope';
import * as S from './http/schemas';
import type { TSchema } from '@sinclair/typebox';

export interface CreateGatewayOptions {
  config: GatewayConfig;
  bus: CommandBus;
  logger?: false | Array<'log' | 'warn' | 'error'>;
}

/** The Nest HTTP application, not yet listening and without Kafka: what the OpenAPI document is built from. */
export async function createGatewayApp(options: CreateGatewayOptions): Promise<INestApplication> {
  const app = await NestFactory.create(GatewayModule.forRoot(options.config, options.bus), {
    bodyParser: false,
    logger: options.logger === false ? false : createLogger({ service: GATEWAY_CONTEXT, levels: options.logger }),
  });
  const http = app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void; disable(name: string): void };
  http.set('trust proxy', options.config.trustProxy);
  http.disable('x-powered-by');
  // The request's scope (correlation id, log context, span) comes first, so that even a refused body has it.
  app.use(beginRequestScope);
  app.use(jsonBodyMiddleware(options.config.bodyLimitBytes));
  app.use(resumeRequestScope);
  return app;
}

/**
 * What the API page adds on a development stack (`LEDGER_DEV_MODE=1`): where the simulated partners
 * put what a tester needs. Never in the committed document nor in a deployment.
 */
export const DEV_API_NOTES =
  "\n\n**Development stack only.** SMS codes reach the partner simulator's handsets: read them at `GET <partners>/sms/inbox?to=<phone>` " +
  '(`http://127.0.0.1:4400` on `npm start`). ' +
  'The simulated ICBC cards, with the holder name and reserved phone each binds with, are listed by `npm start`. ' +
  'To play Alipay / WeChat paying a top-up, `POST <partners>/providers/v1/payments` `{ provider, paymentId, amountMinor }`: the simulated provider calls back. ' +
  `Or sign a callback yourself with the development secrets \`${paymentsContract.DEV_PROVIDER_SECRETS.alipay}\` / \`${paymentsContract.DEV_PROVIDER_SECRETS.wechat}\`: ` +
  'signature = hex HMAC-SHA256(secret, "<provider>|<paymentId>|<providerReference>|<amountMinor>|<timestamp>|<nonce>"), timestamp in Unix ms.';

export function buildOpenApiDocument(app: INestApplication, devNotes = ''): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('E-wallet ledger gateway')
    .setDescription(
      'HTTP API of the e-wallet for the app and for support staff. Errors are RFC 9457 Problem Details (application/problem+json) with a stable `code`. ' +
        "User routes need `Authorization: Bearer <accessToken>` from POST /sessions and act only on the caller's own user id; /support routes need the support role." +
        devNotes,
    )
    .setVersion('1.0.0')
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return withPathParameterSchemas(SwaggerModule.createDocument(app, config));
}

/** The ids in paths, as the gateway and the services check them (Nest's `@Param` documents only "string"). */
const PATH_PARAMETERS: Readonly<Record<string, TSchema>> = {
  userId: S.UserIdParam,
  cardId: S.CardIdParam,
  paymentId: S.PaymentIdParam,
  agentId: S.AgentIdParam,
  merchantId: S.MerchantIdParam,
  billerId: S.BillerIdParam,
  keyId: S.ApiKeyIdParam,
  day: S.DayParam,
};

function withPathParameterSchemas(document: OpenAPIObject): OpenAPIObject {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as Array<{ parameters?: Array<{ in?: string; name?: string; schema?: unknown }> }>) {
      for (const parameter of operation.parameters ?? []) {
        const schema = parameter.in === 'path' && parameter.name !== undefined ? PATH_PARAMETERS[parameter.name] : undefined;
        if (schema !== undefined) parameter.schema = S.openApiSchema(schema);
      }
    }
  }
  return document;
}

export interface RunningGateway {
  app: INestApplication;
  bus: KafkaCommandBus;
  url: string;
  /** The management port (metrics, liveness, readiness), when asked for. */
  management?: RunningManagementServer;
  stop(): Promise<void>;
}

/**
 * Starts everything: the Kafka command client, the HTTP server with the interactive API page at
 * /docs, and a Kafka command listener answering `gateway.Ping.v1` (hybrid application).
 */
export async function startGateway(
  config: GatewayConfig,
  options: { kafka?: Kafka; logger?: false | Array<'log' | 'warn' | 'error'>; management?: ManagementEndpoint } = {},
): Promise<RunningGateway> {
  // Up first: liveness answers while Kafka is reached; readiness waits for the listener.
  const lifecycle = lifecycleCheck();
  const management = options.management ? await startManagementServer(options.management) : undefined;
  const kafka = options.kafka ?? createKafka(GATEWAY_CONTEXT);
  const bus = new KafkaCommandBus({ kafka, topicPrefix: config.topicPrefix, timeoutMs: config.commandTimeoutMs });
  await bus.start();
  const app = await createGatewayApp({ config, bus, logger: options.logger });
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, isDevMode() ? DEV_API_NOTES : ''), { jsonDocumentUrl: 'docs/openapi.json' });
  const strategy = new KafkaCommandServer({
    kafka,
    groupId: `${config.topicPrefix}${GATEWAY_CONTEXT}-service`,
    context: GATEWAY_CONTEXT,
    topicPrefix: config.topicPrefix,
    numPartitions: 1,
  });
  app.connectMicroservice({ strategy }, { inheritAppConfig: false });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  lifecycle.started();
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    bus,
    url: `http://${config.host}:${address.port}`,
    management,
    async stop() {
      lifecycle.stopping();
      try {
        await app.close();
        await bus.stop();
      } finally {
        lifecycle.remove();
        await management?.close();
      }
    },
  };
}
