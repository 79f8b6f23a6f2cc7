import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { CommandContract } from '@ledger/contracts';
import type { TSchema } from '@sinclair/typebox';
import { KNOWN_CODES, PROBLEM_CONTENT_TYPE, statusForCode } from '../problem';
import { ProblemDetails, openApiSchema } from './schemas';

/**
 * One decorator per route for its OpenAPI operation: summary, request body schema, success
 * response and the stable error codes it may answer with, grouped by HTTP status (from the same
 * `statusForCode` table the exception filter uses). The codes are those of the `commands` the route
 * sends (each contract's `rejects`, the one list of them) and the route's own (`codes`: the gateway's
 * rate limits, a malformed cursor). A code no contract lists is refused when the route is declared.
 */
export function Route(options: {
  summary: string;
  description?: string;
  body?: TSchema;
  status: number;
  response: TSchema;
  commands?: readonly CommandContract[];
  codes?: readonly string[];
  auth?: 'user' | 'support';
}): MethodDecorator {
  const own = options.codes ?? [];
  const unknown = own.filter((code) => !KNOWN_CODES.includes(code));
  if (unknown.length > 0) throw new Error(`route "${options.summary}" lists codes no contract defines: ${unknown.join(', ')}`);
  const byStatus = new Map<number, string[]>();
  const codes = [
    ...(options.commands ?? []).flatMap((command) => command.rejects),
    ...own,
    'VALIDATION_FAILED',
    ...(options.body ? ['INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] : []),
    'TIMEOUT',
    'SERVICE_UNAVAILABLE',
  ];
  if (options.auth) codes.push('UNAUTHENTICATED', 'FORBIDDEN');
  for (const code of new Set(codes)) {
    const status = statusForCode(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const decorators = [
    ApiOperation({ summary: options.summary, ...(options.description === undefined ? {} : { description: options.description }) }),
    ApiResponse({
      status: options.status,
      description: 'Success',
      content: { 'application/json': { schema: openApiSchema(options.response) } },
    }),
    ...[...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, statusCodes]) =>
        ApiResponse({
          status,
          description: `Problem Details with code ${statusCodes.sort().join(', ')}`,
          content: { [PROBLEM_CONTENT_TYPE]: { schema: openApiSchema(ProblemDetails) } },
        }),
      ),
  ];
  if (options.body) decorators.push(ApiBody({ schema: openApiSchema(options.body) }));
  if (options.auth) decorators.push(ApiBearerAuth());
  return applyDecorators(...decorators);
}
