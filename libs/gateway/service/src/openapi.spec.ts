import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderOpenApi } from './openapi';

const COMMITTED = path.resolve(__dirname, '../../../../docs/openapi.json');

describe('docs/openapi.json', () => {
  it('matches the document built from the code (regenerate: node -r @swc-node/register apps/gateway/src/cli/write-openapi.ts)', async () => {
    // Given the routes as they are in the code / when the document is built / then it equals the committed file.
    const built = await renderOpenApi();
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(JSON.parse(built));
    expect(readFileSync(COMMITTED, 'utf8')).toBe(built);
  });

  it('is OpenAPI 3.1 and documents Problem Details on every operation that can fail', async () => {
    const document = JSON.parse(await renderOpenApi()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    for (const [route, operations] of Object.entries(document.paths)) {
      if (route === '/health') continue;
      for (const operation of Object.values(operations)) {
        const problems = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
        expect(problems.length).toBeGreaterThan(0);
        for (const [, response] of problems) expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
      }
    }
  });

  it('gives every id in a path the pattern the routes check it with', async () => {
    const document = JSON.parse(await renderOpenApi()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: { pattern?: string } }> }>>;
    };
    const pathParameters = Object.values(document.paths)
      .flatMap((operations) => Object.values(operations))
      .flatMap((operation) => operation.parameters ?? [])
      .filter((parameter) => parameter.in === 'path');
    expect(pathParameters.length).toBeGreaterThan(0);
    for (const parameter of pathParameters)
      expect({ [parameter.name]: parameter.schema?.pattern }).toEqual({ [parameter.name]: expect.any(String) });
  });
});
