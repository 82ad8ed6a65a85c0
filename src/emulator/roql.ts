/**
 * The small ROQL subset the emulator understands: the `q=` WHERE expression of collection GETs and
 * `SELECT <fields> FROM <table> [WHERE …]` statements of `queryResults`. Keywords and field names are
 * case-insensitive; string literals are single-quoted with `''` as an escaped quote, and a backslash
 * escapes the next character (MySQL's default, which ROQL is inferred to follow). Anything else is
 * a syntax error, which the API reports as 400 OSC-CREST-00007 — so an injection attempt such as
 * `'1' OR 1=1 --` fails loudly instead of matching everything.
 */

export type RoqlExpr =
  | { readonly kind: 'and' | 'or'; readonly left: RoqlExpr; readonly right: RoqlExpr }
  | { readonly kind: 'not'; readonly expr: RoqlExpr }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like';
      readonly value: string;
    };

export interface RoqlSelect {
  /** Field names as written. */
  readonly columns: readonly string[];
  /** Table name as written. */
  readonly table: string;
  readonly where: RoqlExpr | undefined;
  /** `LIMIT n`: at most n rows. */
  readonly limit?: number;
}

export class RoqlSyntaxError extends Error {
  override readonly name = 'RoqlSyntaxError';
}

type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string' | 'number'; readonly text: string; readonly pos: number }
  | { readonly kind: 'punct'; readonly text: string; readonly pos: number };

const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'LIKE', 'LIMIT']);
const IDENT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const NUMBER = /\d+(?:\.\d+)?/y;
const PUNCT = /!=|<>|<=|>=|[=<>(),;]/y;
/** Deep enough for any real filter, shallow enough that `((((…` cannot blow the stack. */
const MAX_DEPTH = 32;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const ch = text.charAt(pos);
    if (/\s/.test(ch)) {
      pos += 1;
      continue;
    }
    if (ch === "'") {
      let value = '';
      let end = pos + 1;
      for (;;) {
        if (end >= text.length) throw new RoqlSyntaxError(`unterminated string literal at position ${pos}`);
        if (text[end] === '\\') {
          if (end + 1 >= text.length) throw new RoqlSyntaxError(`unterminated string literal at position ${pos}`);
          value += text[end + 1];
          end += 2;
          continue;
        }
        if (text[end] === "'") {
          if (text[end + 1] === "'") {
            value += "'";
            end += 2;
            continue;
          }
          break;
        }
        value += text[end];
        end += 1;
      }
      tokens.push({ kind: 'string', text: value, pos });
      pos = end + 1;
      continue;
    }
    const matched =
      matchAt(IDENT, text, pos, 'ident') ?? matchAt(NUMBER, text, pos, 'number') ?? matchAt(PUNCT, text, pos, 'punct');
    if (matched === undefined)
      throw new RoqlSyntaxError(`unexpected character ${JSON.stringify(ch)} at position ${pos}`);
    tokens.push(matched);
    pos += matched.text.length;
  }
  return tokens;
}

function matchAt(re: RegExp, text: string, pos: number, kind: Token['kind']): Token | undefined {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? { kind, text: m[0], pos } : undefined;
}

class Parser {
  readonly #tokens: Token[];
  #index = 0;

  constructor(text: string) {
    this.#tokens = tokenize(text);
  }

  get done(): boolean {
    return this.#index >= this.#tokens.length;
  }

  peek(): Token | undefined {
    return this.#tokens[this.#index];
  }

  isKeyword(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'ident' && t.text.toUpperCase() === word;
  }

  isPunct(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.text === text;
  }

  next(): Token {
    const t = this.#tokens[this.#index];
    if (t === undefined) throw new RoqlSyntaxError('unexpected end of query');
    this.#index += 1;
    return t;
  }

  expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(`expected ${word}`);
    this.#index += 1;
  }

  fail(message: string): never {
    const t = this.peek();
    throw new RoqlSyntaxError(
      t ? `${message} at position ${t.pos}, found ${JSON.stringify(t.text)}` : `${message} at end of query`,
    );
  }

  name(what: string): string {
    const t = this.peek();
    if (t?.kind !== 'ident' || KEYWORDS.has(t.text.toUpperCase())) this.fail(`expected ${what}`);
    this.#index += 1;
    return t.text;
  }

  or(depth: number): RoqlExpr {
    if (depth > MAX_DEPTH) this.fail('expression nested too deeply');
    let left = this.and(depth);
    while (this.isKeyword('OR')) {
      this.#index += 1;
      left = { kind: 'or', left, right: this.and(depth) };
    }
    return left;
  }

  and(depth: number): RoqlExpr {
    let left = this.unary(depth);
    while (this.isKeyword('AND')) {
      this.#index += 1;
      left = { kind: 'and', left, right: this.unary(depth) };
    }
    return left;
  }

  unary(depth: number): RoqlExpr {
    if (this.isKeyword('NOT')) {
      this.#index += 1;
      return { kind: 'not', expr: this.unary(depth + 1) };
    }
    if (this.isPunct('(')) {
      this.#index += 1;
      const inner = this.or(depth + 1);
      if (!this.isPunct(')')) this.fail('expected )');
      this.#index += 1;
      return inner;
    }
    return this.comparison();
  }

  comparison(): RoqlExpr {
    const field = this.name('a field name');
    const negated = this.isKeyword('NOT');
    if (negated) this.#index += 1;
    if (this.isKeyword('LIKE')) {
      this.#index += 1;
      const pattern = this.next();
      if (pattern.kind !== 'string')
        throw new RoqlSyntaxError(`LIKE needs a quoted pattern at position ${pattern.pos}`);
      const like: RoqlExpr = { kind: 'compare', field, op: 'like', value: pattern.text };
      return negated ? { kind: 'not', expr: like } : like;
    }
    if (negated) this.fail('expected LIKE after NOT');
    const op = this.next();
    if (op.kind !== 'punct' || !['=', '!=', '<>', '<', '<=', '>', '>='].includes(op.text)) {
      throw new RoqlSyntaxError(
        `expected a comparison operator at position ${op.pos}, found ${JSON.stringify(op.text)}`,
      );
    }
    const literal = this.next();
    if (literal.kind !== 'string' && literal.kind !== 'number') {
      throw new RoqlSyntaxError(
        `expected a quoted literal or a number at position ${literal.pos}, found ${JSON.stringify(literal.text)}`,
      );
    }
    const ops = { '=': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;
    return { kind: 'compare', field, op: ops[op.text as keyof typeof ops], value: literal.text };
  }

  select(): RoqlSelect {
    this.expectKeyword('SELECT');
    const columns = [this.name('a field name')];
    while (this.isPunct(',')) {
      this.#index += 1;
      columns.push(this.name('a field name'));
    }
    this.expectKeyword('FROM');
    const table = this.name('a table name');
    let where: RoqlExpr | undefined;
    if (this.isKeyword('WHERE')) {
      this.#index += 1;
      where = this.or(0);
    }
    if (this.isKeyword('LIMIT')) {
      this.#index += 1;
      const count = this.next();
      if (count.kind !== 'number' || !/^\d+$/.test(count.text)) this.fail('LIMIT needs a whole number');
      return { columns, table, where, limit: Number(count.text) };
    }
    return { columns, table, where };
  }
}

/** Parses a `q=` WHERE expression (already URL-decoded). */
export function parseWhere(text: string): RoqlExpr {
  const parser = new Parser(text);
  if (parser.done) throw new RoqlSyntaxError('empty query');
  const expr = parser.or(0);
  if (!parser.done) parser.fail('unexpected token');
  return expr;
}

/** Parses `queryResults` statements separated by `;` (a trailing `;` is allowed). */
export function parseStatements(text: string): RoqlSelect[] {
  const parser = new Parser(text);
  const statements: RoqlSelect[] = [];
  while (!parser.done) {
    statements.push(parser.select());
    if (parser.done) break;
    if (!parser.isPunct(';')) parser.fail('expected ; or end of query');
    parser.next();
  }
  if (statements.length === 0) throw new RoqlSyntaxError('empty query');
  return statements;
}
