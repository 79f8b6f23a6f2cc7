/**
 * How the services talk to partners (the acquirer, the card issuer, billers, the SMS gateway): one
 * HTTP client with timeouts, bounded retries, a circuit breaker, idempotency keys and request
 * signatures, and the configuration of each partner's URL and credential.
 */
export * from './circuit-breaker';
export * from './partner-client';
export * from './partner-endpoint';
export * from './request-signature';
export * from './partner-apis';
