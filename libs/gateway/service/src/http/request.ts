import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The parts of an Express request the routes use (the gateway has no @types/express). */
export interface HttpRequest {
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  socket?: { remoteAddress?: string };
}

export interface RequestInfo {
  ip: string;
  authorization: string | undefined;
  body: unknown;
}

/** The client IP (X-Forwarded-For only under `trustProxy`), the Authorization header and the parsed body. */
export const Http = createParamDecorator((_data: unknown, context: ExecutionContext): RequestInfo => {
  const request = context.switchToHttp().getRequest<HttpRequest>();
  const authorization = request.headers['authorization'];
  return {
    ip: request.ip ?? request.socket?.remoteAddress ?? 'unknown',
    authorization: Array.isArray(authorization) ? authorization[0] : authorization,
    body: request.body,
  };
});
