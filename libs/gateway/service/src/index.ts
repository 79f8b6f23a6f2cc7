/** The HTTP gateway as the app (`apps/gateway`), the demo and the cross-service tests start it. */
export { createGatewayApp, startGateway, type CreateGatewayOptions, type RunningGateway } from './app';
export { loadGatewayConfig, type GatewayConfig } from './config';
export { renderOpenApi } from './openapi';
export { StoryFailure, runStory, type StoryDeps, type StoryReport } from './story/story';
