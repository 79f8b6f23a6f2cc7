import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadGatewayConfig, startGateway } from '@ledger/gateway-service';

void (async () => {
  const config = loadGatewayConfig();
  if (config.messageKeyring.isDevelopmentKeyring)
    new Logger('gateway').warn(
      'using the development keys (MESSAGE_KEYS and the seal keys are not set): fine locally, never in production',
    );
  const gateway = await startGateway(config);
  new Logger('gateway').log(
    `HTTP on ${gateway.url} (API page ${gateway.url}/docs), ping on ${config.topicPrefix}gateway.commands (pid ${process.pid})`,
  );
})().catch((error: unknown) => {
  console.error('gateway failed to start', error);
  process.exit(1);
});
