/** The payments service as the app (`apps/payments`) and the cross-service tests start it. */
export { PAYMENTS_CONTEXT, paymentsModule } from './payments.module';
