/** The wallet service as the app (`apps/wallet`) and the cross-service tests start it, and its ledger check (`npm run ledger:check`). */
export { WALLET_CONTEXT, walletModule } from './wallet.module';
export { checkLedger, formatReport, type LedgerCheckOptions, type LedgerCheckReport } from './ledger-check';
