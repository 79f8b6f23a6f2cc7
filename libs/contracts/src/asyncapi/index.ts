/** The AsyncAPI document built from the contracts, and the validator that checks real messages against it (`@ledger/contracts/asyncapi`). */
export { buildAsyncApi } from './build-asyncapi';
export { AsyncApiValidator, type MessageCheck } from './asyncapi-validator';
