import { GATEWAY_ERROR, ProblemError, writeProblem } from '../problem';

/**
 * Reads a JSON request body with a hard byte limit and turns every failure into a Problem Details
 * answer: a body beyond the limit (413 PAYLOAD_TOO_LARGE, the rest is not read), invalid JSON
 * (400 INVALID_JSON), a body that is not JSON (415). Written here rather than with body-parser so
 * that these answers come from the same place and format as every other error.
 */
interface BodyRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  originalUrl?: string;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'error', listener: (error?: Error) => void): unknown;
  removeAllListeners(event: string): unknown;
  resume(): unknown;
}

type Response = Parameters<typeof writeProblem>[0];

export function jsonBodyMiddleware(limitBytes: number) {
  return (request: BodyRequest, response: Response, next: () => void): void => {
    const method = (request.method ?? 'GET').toUpperCase();
    const length = request.headers['content-length'];
    const chunked = request.headers['transfer-encoding'] !== undefined;
    if (method === 'GET' || method === 'HEAD' || (!chunked && (length === undefined || length === '0'))) {
      request.body = undefined;
      next();
      return;
    }
    const fail = (problem: ProblemError) => writeProblem(response, problem, request.originalUrl);
    if (typeof length === 'string' && Number(length) > limitBytes) {
      request.resume();
      fail(new ProblemError(GATEWAY_ERROR.PAYLOAD_TOO_LARGE, `the body is larger than ${limitBytes} bytes`, { limitBytes }));
      return;
    }
    const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
    if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/.test(contentType)) {
      request.resume();
      fail(
        new ProblemError(GATEWAY_ERROR.UNSUPPORTED_MEDIA_TYPE, 'send the body as application/json', { contentType: contentType || null }),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      received += chunk.length;
      if (received > limitBytes) {
        done = true;
        chunks.length = 0;
        fail(new ProblemError(GATEWAY_ERROR.PAYLOAD_TOO_LARGE, `the body is larger than ${limitBytes} bytes`, { limitBytes }));
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', () => {
      if (done) return;
      done = true;
      fail(new ProblemError(GATEWAY_ERROR.INVALID_JSON, 'the body could not be read'));
    });
    request.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        request.body = text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
      } catch (error) {
        fail(
          new ProblemError(
            GATEWAY_ERROR.INVALID_JSON,
            `the body is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`,
          ),
        );
        return;
      }
      next();
    });
  };
}
