import { Type } from '@sinclair/typebox';
import { defineCommand } from './command';

/**
 * Every service answers `<context>.Ping.v1` from the operators' tools. `npm start` uses it as the health
 * check that proves a service consumes commands and produces results through the real broker.
 */
export const pingCommand = (context: string) =>
  defineCommand({
    type: `${context}.Ping.v1`,
    context,
    description: 'Health probe: the service answers with its name, pid and uptime.',
    senders: { operator: ['system'] },
    rejects: [],
    payload: Type.Object({ note: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
  });
