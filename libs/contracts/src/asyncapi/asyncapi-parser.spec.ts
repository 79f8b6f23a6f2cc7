import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { ASYNCAPI_FILE } from './write-asyncapi';

/**
 * The committed document must satisfy the official AsyncAPI parser (its JSON Schema of AsyncAPI 3
 * and its Spectral rules), not only this project's own validator: tools that read the document
 * (generators, catalogues, Studio) start with this parser and refuse a document it errors on.
 */
async function parseErrors(text: string) {
  const { document, diagnostics } = await new Parser().parse(text);
  const errors = diagnostics
    .filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error)
    .map((diagnostic) => `${diagnostic.code} at /${diagnostic.path.join('/')}: ${diagnostic.message}`);
  return { document, errors };
}

describe('docs/asyncapi.yaml through the official AsyncAPI parser', () => {
  const text = readFileSync(ASYNCAPI_FILE, 'utf8');

  it('parses with no error diagnostics', async () => {
    const { document, errors } = await parseErrors(text);
    // The list itself is the failure message: each error's rule, JSON path and text.
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.channels().length).toBeGreaterThan(0);
  });

  it('reports a broken reference in the same document as an error', async () => {
    const broken = text.replace(/\$ref: "#\/components\/messages\/[^"]+"/, '$ref: "#/components/messages/NoSuchMessage"');
    expect(broken).not.toBe(text);
    const { errors } = await parseErrors(broken);
    expect(errors.join('\n')).toMatch(/NoSuchMessage/);
  });
});
