/** Local stand-ins for the Fn agent and OCI API Gateway, for integration tests and `npm start`. */
export { startFunction } from './fn-agent.js';
export type { FnAnswer, FnInvocation, FnProcess, FnProcessOptions } from './fn-agent.js';
export { startGateway } from './gateway.js';
export type { GatewayOptions, GatewayRoute, RunningGateway } from './gateway.js';
