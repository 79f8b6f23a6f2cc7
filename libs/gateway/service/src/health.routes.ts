import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Type } from '@sinclair/typebox';
import { COMMAND_BUS, type CommandBus } from './command-bus';
import { GATEWAY_ERROR, PROBLEM_CONTENT_TYPE, ProblemError } from './problem';
import { ProblemDetails, openApiSchema } from './http/schemas';

const Status = Type.Object({ status: Type.String() });

@ApiTags('health')
@Controller()
export class HealthRoutes {
  constructor(@Inject(COMMAND_BUS) private readonly bus: CommandBus) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiResponse({ status: 200, description: 'Up', content: { 'application/json': { schema: openApiSchema(Status) } } })
  health() {
    return { status: 'up' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the Kafka command client is connected' })
  @ApiResponse({ status: 200, description: 'Ready', content: { 'application/json': { schema: openApiSchema(Status) } } })
  @ApiResponse({
    status: 503,
    description: 'Problem Details with code NOT_READY',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: openApiSchema(ProblemDetails) } },
  })
  async ready() {
    // The flag alone stayed true after the broker was lost: the broker must answer now (a bounded, shared probe).
    const notReady = !this.bus.isReady()
      ? 'the Kafka command client is not connected'
      : await this.bus.checkReady?.().then(
          () => undefined,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
    if (notReady) throw new ProblemError(GATEWAY_ERROR.NOT_READY, notReady, undefined, { 'Retry-After': '5' });
    return { status: 'ready' };
  }
}
