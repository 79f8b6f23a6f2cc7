export * from './wallet-harness';
// The deterministic simulation (`libs/simulation`) runs the wallet's command handling itself, without Kafka or PostgreSQL.
export { WalletLedger, walletStream } from '../wallet-ledger';
export { WalletController } from '../wallet.controller';
export type { WalletRuntime } from '../wallet-runtime';
