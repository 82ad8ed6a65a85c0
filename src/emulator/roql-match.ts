/**
 * Runs parsed ROQL against a table: compiles a WHERE expression into a row predicate (unknown
 * fields are 400 OSC-CREST-00007) and evaluates `q=` filters and `SELECT` statements.
 * Comparisons are case-insensitive, as ROQL values are; a null never matches (SQL semantics).
 */
import { invalidQuery } from './errors.js';
import type { RoqlExpr, RoqlSelect } from './roql.js';
import type { QueryField, QueryTable } from './query-tables.js';
import type { ReplicaView } from './replica.js';

type Predicate<Row> = (row: Row) => boolean;

function fieldOf<Row>(table: QueryTable<unknown, Row>, name: string): QueryField<Row> {
  const field = table.fields[name.toLowerCase()] ?? table.dynamicField?.(name.toLowerCase());
  if (field === undefined) throw invalidQuery(`Unknown field '${name}' for ${table.name}`);
  return field;
}

function fieldNames(expr: RoqlExpr): string[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return [...fieldNames(expr.left), ...fieldNames(expr.right)];
    case 'not':
      return fieldNames(expr.expr);
    case 'compare':
      return [expr.field];
  }
}

function likePattern(pattern: string): RegExp {
  const source = pattern
    .split('%')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${source}$`, 'iu');
}

function compile<Row>(expr: RoqlExpr, table: QueryTable<unknown, Row>): Predicate<Row> {
  switch (expr.kind) {
    case 'and': {
      const [l, r] = [compile(expr.left, table), compile(expr.right, table)];
      return (row) => l(row) && r(row);
    }
    case 'or': {
      const [l, r] = [compile(expr.left, table), compile(expr.right, table)];
      return (row) => l(row) || r(row);
    }
    case 'not': {
      const inner = compile(expr.expr, table);
      return (row) => !inner(row);
    }
    case 'compare': {
      const field = fieldOf(table, expr.field);
      if (expr.op === 'like') {
        const re = likePattern(expr.value);
        return (row) => {
          const v = field.value(row);
          return v !== null && re.test(v);
        };
      }
      if (expr.op === '<' || expr.op === '<=' || expr.op === '>' || expr.op === '>=') {
        const op = expr.op;
        return (row) => {
          const v = field.value(row);
          return v !== null && ordered(op, compareValues(v, expr.value));
        };
      }
      const wanted = expr.value.toLowerCase();
      const equal = expr.op === '=';
      return (row) => {
        const v = field.value(row);
        return v !== null && (v.toLowerCase() === wanted) === equal;
      };
    }
  }
}

/** Numbers compare as numbers; anything else (ISO-8601 times included) as text. */
function compareValues(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function ordered(op: '<' | '<=' | '>' | '>=', c: number): boolean {
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function isJoined(table: QueryTable<unknown, unknown>, fields: readonly string[]): boolean {
  return fields.some((f) => table.listPrefixes.some((prefix) => f.toLowerCase().startsWith(prefix)));
}

/** Objects with at least one matching row (a contact matches a `phones.` condition if any phone does). */
export function filterObjects<Obj, Row>(
  table: QueryTable<Obj, Row>,
  data: ReplicaView,
  where: RoqlExpr | undefined,
): Obj[] {
  const objects = table.objects(data);
  if (where === undefined) return objects;
  const matches = compile(where, table);
  const joined = isJoined(table, fieldNames(where));
  return objects.filter((obj) => table.rows(obj, joined).some(matches));
}

export interface SelectResult {
  tableName: string;
  count: number;
  columnNames: string[];
  /** Every cell a string, as the API renders them. */
  rows: (string | null)[][];
}

/** A join yields one row per matching list item: a number held under two phone types gives the contact twice. */
export function runSelect<Obj, Row>(
  table: QueryTable<Obj, Row>,
  data: ReplicaView,
  statement: RoqlSelect,
): SelectResult {
  const columns = statement.columns.map((name) => fieldOf(table, name));
  const matches = statement.where === undefined ? () => true : compile(statement.where, table);
  const joined = isJoined(table, [...statement.columns, ...(statement.where ? fieldNames(statement.where) : [])]);
  const rows = table
    .objects(data)
    .flatMap((obj) => table.rows(obj, joined))
    .filter(matches)
    .map((row) => columns.map((c) => c.value(row)))
    .slice(0, statement.limit ?? Number.POSITIVE_INFINITY);
  return { tableName: table.name, count: rows.length, columnNames: columns.map((c) => c.column), rows };
}
