import { Type, type TSchema } from '@sinclair/typebox';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The HTTP request and response bodies, as TypeBox schemas: validated at run time by `validate`
 * and rendered into the OpenAPI document by `openApiSchema`, so the two cannot disagree. Secrets
 * arrive here in plain text over TLS and leave only field-encrypted.
 */
export { ListPaymentsQuery, Phone, UserIdParam } from './schema-fields';
export * from './identity-schemas';
export * from './staff-schemas';
export * from './wallet-cards-schemas';
export * from './payments-schemas';
export * from './registry-schemas';

export const ProblemDetails = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'for people; never parse it' }),
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'stable code: branch on it' }),
    instance: Type.Optional(Type.String()),
    details: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'facts that go with the code (attemptsLeft, retryAfterMs, errors…)' }),
    ),
  },
  { description: 'RFC 9457 Problem Details (application/problem+json)' },
);

/** A TypeBox schema as a plain OpenAPI 3.1 (JSON Schema 2020-12) schema object: TypeBox's symbol keys dropped. */
export function openApiSchema(schema: TSchema): SchemaObject {
  return JSON.parse(JSON.stringify(schema)) as SchemaObject;
}
