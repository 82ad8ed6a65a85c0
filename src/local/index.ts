/** Local stand-ins for the Fn agent and OCI API Gateway, for integration tests and `npm start`. */
export { startFunction } from './fn-agent.js';
export type { FnAnswer, FnProcess, FnProcessOptions } from './fn-agent.js';
export { startGateway } from './gateway.js';
export type { GatewayRoute, RunningGateway } from './gateway.js';
