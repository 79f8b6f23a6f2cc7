import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { TSchema } from '@sinclair/typebox';
import { KNOWN_CODES, PROBLEM_CONTENT_TYPE, statusForCode } from '../problem';
import { ProblemDetails, openApiSchema } from './schemas';

/**
 * One decorator per route for its OpenAPI operation: summary, request body schema, success
 * response and the stable error codes it may answer with, grouped by HTTP status (from the same
 * `statusForCode` table the exception filter uses). A code no contract lists is refused when the
 * route is declared: a route documents only codes some service can answer.
 */
export function Route(options: {
  summary: string;
  description?: string;
  body?: TSchema;
  status: number;
  response: TSchema;
  codes: readonly string[];
  auth?: 'user' | 'support';
}): MethodDecorator {
  const unknown = options.codes.filter((code) => !KNOWN_CODES.includes(code));
  if (unknown.length > 0) throw new Error(`route "${options.summary}" lists codes no contract defines: ${unknown.join(', ')}`);
  const byStatus = new Map<number, string[]>();
  const codes = [...options.codes, 'VALIDATION_FAILED', ...(options.body ? ['INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] : []), 'TIMEOUT', 'SERVICE_UNAVAILABLE'];
  if (options.auth) codes.push('UNAUTHENTICATED', 'FORBIDDEN');
  for (const code of new Set(codes)) {
    const status = statusForCode(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const decorators = [
    ApiOperation({ summary: options.summary, ...(options.description === undefined ? {} : { description: options.description }) }),
    ApiResponse({ status: options.status, description: 'Success', content: { 'application/json': { schema: openApiSchema(options.response) } } }),
    ...[...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, statusCodes]) =>
        ApiResponse({ status, description: `Problem Details with code ${statusCodes.sort().join(', ')}`, content: { [PROBLEM_CONTENT_TYPE]: { schema: openApiSchema(ProblemDetails) } } }),
      ),
  ];
  if (options.body) decorators.push(ApiBody({ schema: openApiSchema(options.body) }));
  if (options.auth) decorators.push(ApiBearerAuth());
  return applyDecorators(...decorators);
}
