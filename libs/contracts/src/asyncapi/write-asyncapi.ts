/**
 * Writes `docs/asyncapi.yaml` from the contracts: `npm run asyncapi`
 * (`node -r @swc-node/register libs/contracts/src/asyncapi/write-asyncapi.ts`).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAsyncApiYaml } from './build-asyncapi';

export const ASYNCAPI_FILE = path.resolve(__dirname, '../../../../docs/asyncapi.yaml');

if (require.main === module) {
  writeFileSync(ASYNCAPI_FILE, renderAsyncApiYaml());
  console.log(`wrote ${path.relative(process.cwd(), ASYNCAPI_FILE)}`);
}
