export * from './kafka';
export * from './envelope';
export * from './results';
export * from './command-handler.decorator';
export * from './kafka-command-server';
export * from './kafka-command-client';
export * from './ping.controller';
export * from './service-bootstrap';
