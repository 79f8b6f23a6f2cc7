export { BrokerProbe } from './broker-probe';
export { ConsumerLagSampler, type ConsumerLagOptions } from './consumer-lag';
export { CommandMetrics, classifyResult, UNKNOWN_COMMAND_LABEL, UNPARSED_COMMAND_LABEL } from './command-metrics';
