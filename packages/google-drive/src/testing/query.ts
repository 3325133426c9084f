/**
 * A small parser for Drive's search language (`q`), covering the clauses
 * the connector sends: `name = '…'` (and `!=`), `mimeType = '…'` (and `!=`),
 * `'<id>' in parents` (`'root'` is My Drive's root) and `trashed = true|false`,
 * joined with `and`, with parentheses. Anything else is refused the way Drive
 * refuses a query it cannot read: 400 "Invalid Value".
 *
 * @see https://developers.google.com/workspace/drive/api/guides/ref-search-terms
 */

/** The facts of a file a query can test. */
export interface QueryableFile {
  name: string;
  mimeType: string;
  parents: readonly string[];
  trashed: boolean;
}

/** A compiled query. `root` is the id `'root'` stands for. */
export type FileQuery = (file: QueryableFile, root: string) => boolean;

/** Why the fake refused a query (the response says only "Invalid Value", as Drive does). */
export class DriveQueryError extends Error {
  override readonly name = "DriveQueryError";
}

type Token =
  | { kind: "string"; value: string }
  | { kind: "word"; value: string }
  | { kind: "op"; value: "=" | "!=" }
  | { kind: "paren"; value: "(" | ")" };

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= q.length) throw new DriveQueryError("unterminated string");
        const d = q[i] as string;
        if (d === "\\") {
          if (i + 1 >= q.length) throw new DriveQueryError("dangling escape");
          value += q[i + 1];
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ kind: "string", value });
    } else if (c === "(" || c === ")") {
      tokens.push({ kind: "paren", value: c });
      i++;
    } else if (c === "=") {
      tokens.push({ kind: "op", value: "=" });
      i++;
    } else if (c === "!" && q[i + 1] === "=") {
      tokens.push({ kind: "op", value: "!=" });
      i += 2;
    } else if (/[A-Za-z]/.test(c)) {
      const start = i;
      while (i < q.length && /[A-Za-z]/.test(q[i] as string)) i++;
      tokens.push({ kind: "word", value: q.slice(start, i) });
    } else {
      throw new DriveQueryError(`unexpected "${c}"`);
    }
  }
  return tokens;
}

/**
 * Compile a query.
 *
 * @throws DriveQueryError for a malformed query, or a term the fake does not support.
 */
export function parseDriveQuery(q: string): FileQuery {
  const tokens = tokenize(q);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const next = (): Token => {
    const t = tokens[i++];
    if (t === undefined) throw new DriveQueryError("unexpected end of query");
    return t;
  };
  const isWord = (t: Token | undefined, word: string): boolean =>
    t?.kind === "word" && t.value.toLowerCase() === word;

  const conjunction = (): FileQuery => {
    const clauses = [clause()];
    while (isWord(peek(), "and")) {
      i++;
      clauses.push(clause());
    }
    if (isWord(peek(), "or") || isWord(peek(), "not"))
      throw new DriveQueryError(`"${peek()?.value}" is not supported by the fake`);
    return (file, root) => clauses.every((c) => c(file, root));
  };

  const clause = (): FileQuery => {
    const t = next();
    if (t.kind === "paren" && t.value === "(") {
      const inner = conjunction();
      const close = next();
      if (close.kind !== "paren" || close.value !== ")") throw new DriveQueryError('expected ")"');
      return inner;
    }
    if (t.kind === "string") {
      const id = t.value;
      if (!isWord(next(), "in")) throw new DriveQueryError('expected "in"');
      const collection = next();
      if (collection.kind !== "word" || collection.value !== "parents")
        throw new DriveQueryError(`"in ${collection.value}" is not supported by the fake`);
      return (file, root) => file.parents.includes(id === "root" ? root : id);
    }
    if (t.kind !== "word") throw new DriveQueryError(`unexpected "${t.value}"`);
    const op = next();
    if (op.kind !== "op")
      throw new DriveQueryError(`"${t.value} ${op.value}" is not supported by the fake`);
    const value = next();
    const negate = op.value === "!=";
    if (t.value === "name" || t.value === "mimeType") {
      if (value.kind !== "string")
        throw new DriveQueryError(`${t.value} must be compared to a string`);
      const field = t.value;
      return (file) => (file[field] === value.value) !== negate;
    }
    if (t.value === "trashed") {
      if (value.kind !== "word" || (value.value !== "true" && value.value !== "false"))
        throw new DriveQueryError("trashed must be compared to true or false");
      const wanted = value.value === "true";
      return (file) => (file.trashed === wanted) !== negate;
    }
    throw new DriveQueryError(`the term "${t.value}" is not supported by the fake`);
  };

  if (tokens.length === 0) return () => true;
  const query = conjunction();
  if (i !== tokens.length) throw new DriveQueryError(`unexpected "${peek()?.value}"`);
  return query;
}
