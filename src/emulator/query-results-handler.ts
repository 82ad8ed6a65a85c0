/** `GET /queryResults?query=<ROQL statements>`: one item per statement, every cell a string. */
import type { ApiRequest, ApiResult } from './api-request.js';
import { invalidQuery, unsupportedMethod } from './errors.js';
import { CONTACTS_TABLE, INCIDENTS_TABLE } from './query-tables.js';
import { queryResultsJson } from './render.js';
import { runSelect, type SelectResult } from './roql-match.js';
import { parseStatements, RoqlSyntaxError, type RoqlSelect } from './roql.js';
import type { ReplicaView } from './replica.js';
import type { EmulatorStore } from './store.js';

function select(data: ReplicaView, statement: RoqlSelect): SelectResult {
  switch (statement.table.toLowerCase()) {
    case 'contacts':
      return runSelect(CONTACTS_TABLE, data, statement);
    case 'incidents':
      return runSelect(INCIDENTS_TABLE, data, statement);
    default:
      throw invalidQuery(`Unknown table '${statement.table}'`);
  }
}

export function handleQueryResults(req: ApiRequest, store: EmulatorStore, rest: readonly string[]): ApiResult {
  if (req.method !== 'GET') throw unsupportedMethod(req.method);
  if (rest.length > 0) throw invalidQuery('queryResults has no sub-resources');
  const query = req.query.get('query');
  if (query === null) throw invalidQuery("The query parameter 'query' is required");
  let statements: RoqlSelect[];
  try {
    statements = parseStatements(query);
  } catch (error) {
    if (error instanceof RoqlSyntaxError) throw invalidQuery(`Invalid ROQL query: ${error.message}`);
    throw error;
  }
  // One view for all statements: one moment of the (perhaps lagging) replica.
  const data = store.searchView();
  return {
    status: 200,
    json: queryResultsJson(
      req.base,
      req.href,
      statements.map((s) => select(data, s)),
    ),
  };
}
