import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderOpenApi } from '@ledger/gateway-service';

/** Writes docs/openapi.json from the code (`node -r @swc-node/register apps/gateway/src/cli/write-openapi.ts`). */
void renderOpenApi().then(
  (document) => {
    const target = path.resolve(__dirname, '../../../../docs/openapi.json');
    writeFileSync(target, document);
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
  },
  (error: unknown) => {
    console.error('could not build the OpenAPI document', error);
    process.exit(1);
  },
);
