/** The cards service as the app (`apps/cards`) and the cross-service tests start it. */
export { CARDS_CONTEXT, CardsCoreModule, CardsModule, cardsEventsTopic } from './cards.module';
