import { Controller, type Type } from '@nestjs/common';
import { pingCommand, type AcceptedResult } from '@ledger/contracts';
import { CommandHandler } from './command-handler.decorator';
import type { CommandEnvelope } from './envelope';
import { accepted } from './results';

/** A controller answering `<context>.Ping.v1`, the health probe every service offers. */
export function pingControllerFor(context: string): Type<unknown> {
  const startedAt = Date.now();
  @Controller()
  class PingController {
    @CommandHandler(pingCommand(context))
    ping(command: CommandEnvelope): AcceptedResult {
      return accepted(command, { service: context, pid: process.pid, uptimeMs: Date.now() - startedAt });
    }
  }
  return PingController;
}
