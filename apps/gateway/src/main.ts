import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createLogger, startTracingFromEnv } from '@ledger/messaging';
import { loadGatewayConfig, startGateway } from '@ledger/gateway-service';
import { managementEndpointFromEnv } from '@ledger/observability';

void (async () => {
  // The lines logged before the application exists take the same format as the rest.
  Logger.overrideLogger(createLogger({ service: 'gateway' }));
  // Off unless an OTLP endpoint is configured (see docs/deploy.md); the spans' flush is the module's `FlushTracingOnShutdown`.
  await startTracingFromEnv('ledger-gateway');
  const config = loadGatewayConfig();
  if (config.messageKeyring.isDevelopmentKeyring)
    new Logger('gateway').warn(
      'using the development keys (MESSAGE_KEYS and the seal keys are not set): fine locally, never in production',
    );
  const gateway = await startGateway(config, { management: managementEndpointFromEnv('gateway') });
  new Logger('gateway').log(
    `HTTP on ${gateway.url} (API page ${gateway.url}/docs), ping on ${config.topicPrefix}gateway.commands (pid ${process.pid})` +
      (gateway.management ? `, metrics and health on ${gateway.management.url}` : ''),
  );
})().catch((error: unknown) => {
  console.error('gateway failed to start', error);
  process.exit(1);
});
