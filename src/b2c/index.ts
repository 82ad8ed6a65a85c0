export { createB2cClient } from './client.js';
export type { B2cClient, B2cClientOptions } from './client.js';
export { B2cError, isRetryableStatus } from './errors.js';
export type { B2cFailureKind } from './errors.js';
export type { CallOptions } from './transport.js';
export type { NewContact } from './contacts.js';
export type { IncidentQuery, NewIncident, NewThread } from './incidents.js';
export { contactByPhoneFilter, roqlString } from './roql.js';
