import { invalidQuery } from './errors.js';
import { parseWhere, RoqlSyntaxError, type RoqlExpr } from './roql.js';

/** The `q=` filter of a collection GET, parsed; a syntax error is 400 OSC-CREST-00007. */
export function whereParam(query: URLSearchParams): RoqlExpr | undefined {
  const q = query.get('q');
  if (q === null) return undefined;
  try {
    return parseWhere(q);
  } catch (error) {
    if (error instanceof RoqlSyntaxError) throw invalidQuery(`Invalid query parameter q: ${error.message}`);
    throw error;
  }
}
