export { createB2cClient } from './client.js';
export type { B2cClient } from './client.js';
export { B2cError } from './errors.js';
export type { CallOptions } from './transport.js';
export type { NewIncident, NewThread } from './incidents.js';
export { contactByNationalNumberFilter, contactByPhoneFilter, phoneMatches, roqlString } from './roql.js';
export { createSiteProbe } from './site-probe.js';
export type { SiteProbe } from './site-probe.js';
