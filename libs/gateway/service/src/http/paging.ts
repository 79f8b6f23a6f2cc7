import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import * as S from './schemas';
import { validate } from './validation';

/** The query parameters of every paged list route (payments, support-access trails, staff actions), for the OpenAPI document. */
export const PageQuery = () =>
  applyDecorators(
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'string', pattern: '^([1-9]|[1-9][0-9]|100)$' },
      description: '1..100, default 20',
    }),
    ApiQuery({
      name: 'before',
      required: false,
      schema: { type: 'string', minLength: 1, maxLength: 200 },
      description: 'nextCursor of the previous page',
    }),
  );

/** A paged list's query, validated, as a list query's payload fields: `limit` a number, `before` the opaque cursor. */
export function pageOf(query: unknown): { limit?: number; before?: string } {
  const { limit, before } = validate(S.ListPaymentsQuery, query ?? {}, 'query');
  return { ...(limit === undefined ? {} : { limit: Number(limit) }), ...(before === undefined ? {} : { before }) };
}
