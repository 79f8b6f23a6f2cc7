import type { Static, TSchema } from '@sinclair/typebox';

/**
 * A command's contract: its versioned type name, the context whose topic carries it, and the JSON
 * schema of its payload. Services validate incoming payloads against the schema; the AsyncAPI
 * document is generated from the same objects.
 */
export interface CommandContract<Name extends string = string, Payload extends TSchema = TSchema> {
  readonly type: Name;
  readonly context: string;
  readonly payload: Payload;
  readonly description: string;
}

export type PayloadOf<C extends CommandContract> = Static<C['payload']>;

export function defineCommand<Name extends string, Payload extends TSchema>(contract: CommandContract<Name, Payload>): CommandContract<Name, Payload> {
  return contract;
}
