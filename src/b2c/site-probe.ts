/**
 * Reads of a site's set-up that the workflow never needs and the preflight does: the API root,
 * NamedID lists, an incident custom field, and a sample of how contacts' numbers are stored.
 */
import { z } from 'zod';
import { parseBody, B2cTransport, type TransportOptions } from './transport.js';

const NamedIdsSchema = z.looseObject({
  items: z.array(z.looseObject({ id: z.number().int(), lookupName: z.string() })),
});
const QueryResultsSchema = z.looseObject({
  items: z.array(z.looseObject({ columnNames: z.array(z.string()), rows: z.array(z.array(z.string().nullable())) })),
});
const IncidentIdsSchema = z.looseObject({ items: z.array(z.looseObject({ id: z.number().int() })) });
const IncidentSchema = z.looseObject({
  customFields: z.looseObject({ c: z.record(z.string(), z.unknown()).optional() }).optional(),
  createdTime: z.string().optional(),
});

export interface StoredPhone {
  readonly number: string;
  readonly rawNumber: string;
}

export interface SiteProbe {
  /** `GET` of the version root: credentials, application context and version in one call. */
  versionRoot(): Promise<void>;
  /** `GET /namedIDs/<resource>/<field path>`, e.g. `contacts/phones/phoneType`. */
  namedIds(path: string): Promise<{ id: number; lookupName: string }[]>;
  setIncidentCustomField(incidentId: number, name: string, value: string): Promise<void>;
  incidentCustomField(incidentId: number, name: string): Promise<unknown>;
  /** The incident's `createdTime` as the site stamped it (its clock), epoch ms; undefined when it gives none. */
  incidentCreatedAt(incidentId: number): Promise<number | undefined>;
  /** Up to `limit` stored phone numbers of the given phone type, as typed and as digits. */
  storedPhones(phoneType: string, limit: number): Promise<StoredPhone[]>;
  /**
   * Incident ids whose subject equals `literal` written into the ROQL string as is (quotes doubled,
   * backslashes NOT doubled): with the function's own look-up, tells how the site reads a backslash.
   */
  incidentsBySubjectUndoubled(literal: string): Promise<number[]>;
}

export function createSiteProbe(options: TransportOptions): SiteProbe {
  const http = new B2cTransport(options);
  const readIncident = async (incidentId: number): Promise<z.infer<typeof IncidentSchema>> => {
    const res = await http.send({ operation: 'read-incident', method: 'GET', path: `/incidents/${incidentId}` });
    return parseBody('read-incident', res, IncidentSchema);
  };
  return {
    async versionRoot() {
      await http.send({ operation: 'api-root', method: 'GET', path: '/' });
    },
    async namedIds(path) {
      const res = await http.send({ operation: 'named-ids', method: 'GET', path: `/namedIDs/${path}` });
      return parseBody('named-ids', res, NamedIdsSchema).items.map((i) => ({ id: i.id, lookupName: i.lookupName }));
    },
    async setIncidentCustomField(incidentId, name, value) {
      await http.send({
        operation: 'set-custom-field',
        method: 'PATCH',
        path: `/incidents/${incidentId}`,
        body: { customFields: { c: { [name]: value } } },
      });
    },
    async incidentCustomField(incidentId, name) {
      const c = (await readIncident(incidentId)).customFields?.c ?? {};
      return Object.entries(c).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    },
    async incidentCreatedAt(incidentId) {
      const created = (await readIncident(incidentId)).createdTime;
      const at = created === undefined ? Number.NaN : Date.parse(created);
      return Number.isNaN(at) ? undefined : at;
    },
    async storedPhones(phoneType, limit) {
      const query = `SELECT phones.number, phones.rawNumber FROM contacts WHERE phones.phoneType.lookupName = '${phoneType.replace(/'/g, "''")}' LIMIT ${Math.max(1, Math.floor(limit))}`;
      const res = await http.send({
        operation: 'sample-phones',
        method: 'GET',
        path: '/queryResults',
        query: { query },
      });
      const item = parseBody('sample-phones', res, QueryResultsSchema).items[0];
      return (item?.rows ?? []).flatMap(([number, rawNumber]) => (number && rawNumber ? [{ number, rawNumber }] : []));
    },
    async incidentsBySubjectUndoubled(literal) {
      const q = `subject = '${literal.replace(/'/g, "''")}'`;
      const res = await http.send({ operation: 'doctor-subject', method: 'GET', path: '/incidents', query: { q } });
      return parseBody('doctor-subject', res, IncidentIdsSchema).items.map((i) => i.id);
    },
  };
}
