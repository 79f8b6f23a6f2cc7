import { MessagePattern } from '@nestjs/microservices';
import type { CommandContract } from '@ledger/contracts';

/** Extras stored with each handler; the transport validates payloads against `contract.payload`. */
export interface CommandHandlerExtras {
  contract: CommandContract;
}

/**
 * Marks a controller method as the handler of one command type. The method receives a
 * `CommandEnvelope` whose payload already matches the contract's schema, and returns a
 * `CommandResult` (accepted, or rejected with a stable code).
 */
export function CommandHandler(contract: CommandContract): MethodDecorator {
  const extras: CommandHandlerExtras = { contract };
  return MessagePattern(contract.type, extras as unknown as Record<string, unknown>);
}
