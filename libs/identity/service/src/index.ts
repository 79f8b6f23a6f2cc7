/** The identity service as the app (`apps/identity`) and the cross-service tests start it. */
export { IDENTITY_CONTEXT, IdentityCoreModule, IdentityModule, identityEventsTopic } from './identity.module';
