/**
 * The payments service's partners (the card acquirer, the card issuer's charges and payouts, the
 * billers) behind their ports in `@ledger/payments-domain`, reached over HTTP. Locally and in tests
 * the partner simulator app (`apps/partners`) answers for them.
 */
export * from './http-partners';
