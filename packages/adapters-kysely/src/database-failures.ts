import { PgliteInUseError } from './pglite-lock.js';

/**
 * A connection URL fit for a log line or a terminal: the password (in the authority or a
 * `password` query parameter) replaced by `***`.
 *
 * @example
 * ```ts
 * maskDatabaseUrl('postgres://parley:s3cret@db:5432/parley'); // 'postgres://parley:***@db:5432/parley'
 * ```
 */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString().replace('%2A%2A%2A', '***');
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@').replace(/([?&]password=)[^&]*/i, '$1***');
  }
}

/** Where a connection URL points, with pg's defaults for what it leaves out. */
interface Target {
  readonly host: string;
  readonly port: string;
  readonly user: string | null;
  readonly database: string | null;
  readonly password: string | null;
}

function target(url: string): Target {
  try {
    const parsed = new URL(url);
    const decode = (value: string) => (value === '' ? null : decodeURIComponent(value));
    return {
      host: parsed.searchParams.get('host') ?? (parsed.hostname.replace(/^\[|\]$/g, '') || 'localhost'),
      port: parsed.port || '5432',
      user: decode(parsed.username),
      database: decode(parsed.pathname.replace(/^\//, '')),
      password: decode(parsed.password) ?? parsed.searchParams.get('password'),
    };
  } catch {
    return { host: 'localhost', port: '5432', user: null, database: null, password: null };
  }
}

/** Every error in a chain of `cause`s and `AggregateError`s, outermost first. */
function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const queue = [error];
  while (queue.length > 0 && chain.length < 20) {
    const next = queue.shift();
    if (next === undefined || next === null || chain.includes(next)) continue;
    chain.push(next);
    if (typeof next === 'object') {
      queue.push((next as { cause?: unknown }).cause);
      if (next instanceof AggregateError) queue.push(...next.errors);
    }
  }
  return chain;
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function quoteShell(value: string): string {
  return /^[A-Za-z0-9_./:@%+-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** What the caller knows about the database it tried to open, to name it in the message. */
export interface DatabaseFailureSource {
  /** The PostgreSQL URL tried (absent: PGlite). Never printed unmasked. */
  readonly url?: string;
  /** The variable the URL came from (e.g. `PARLEY_DATABASE_URL`), named in the message. */
  readonly variable: string;
  /** Appended when another process holds the PGlite directory: what to do instead. */
  readonly pgliteInUseHint?: string;
}

const UNREACHABLE = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EHOSTDOWN']);

/**
 * Turns a failure to open the database into one line a person can act on — the server refused the
 * connection, the host is unknown, authentication was refused (28P01, 28000), the database does
 * not exist (3D000, with the `createdb` command that creates it), another process holds the PGlite
 * directory — naming `source.variable` and the URL with its password masked. Looks through
 * `cause` chains (the migrator wraps errors). Null when the error is none of those.
 *
 * @example
 * ```ts
 * describeDatabaseFailure(error, { url, variable: 'PARLEY_DATABASE_URL' });
 * // 'database "parley" does not exist on 127.0.0.1:5432 (PARLEY_DATABASE_URL=postgres://parley:***@127.0.0.1:5432/parley): create it with `createdb -h 127.0.0.1 -p 5432 -U parley parley` (or SQL: CREATE DATABASE "parley";)'
 * ```
 */
export function describeDatabaseFailure(error: unknown, source: DatabaseFailureSource): string | null {
  const chain = errorChain(error);
  const inUse = chain.find((e): e is PgliteInUseError => e instanceof PgliteInUseError);
  if (inUse) {
    return `${inUse.message}: PGlite allows one process per data directory${
      source.pgliteInUseHint ? `; ${source.pgliteInUseHint}` : ''
    }. If process ${inUse.pid} is not Parley, delete ${inUse.lockFile}.`;
  }
  if (source.url === undefined) return null;
  const where = `${source.variable}=${maskDatabaseUrl(source.url)}`;
  const to = target(source.url);
  const codes = chain.map(codeOf);
  const has = (...wanted: string[]) => codes.some((code) => code !== undefined && wanted.includes(code));
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME')) {
    const code = codes.find((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_NONAME');
    return `the database host "${to.host}" was not found (${code}; ${where}): check the host name`;
  }
  if (has('ECONNREFUSED')) {
    return `the database server at ${to.host}:${to.port} refused the connection (${where}): is PostgreSQL running there, on that port?`;
  }
  const unreachable = codes.find((code) => code !== undefined && UNREACHABLE.has(code));
  if (unreachable) {
    return `the database server at ${to.host}:${to.port} could not be reached (${unreachable}; ${where}): check the address and the network`;
  }
  const user = to.user === null ? 'the default user' : `user "${to.user}"`;
  if (has('28P01')) {
    return `the database refused the password of ${user} (${where}): check the user and password`;
  }
  if (has('28000')) {
    const detail = messageOf(chain[codes.indexOf('28000')]);
    return `the database refused ${user}: ${detail} (${where}): check the user name, or create that role`;
  }
  if (has('3D000')) {
    const name = to.database ?? to.user ?? 'postgres';
    const command = [
      'createdb',
      `-h ${quoteShell(to.host)}`,
      `-p ${to.port}`,
      ...(to.user === null ? [] : [`-U ${quoteShell(to.user)}`]),
      quoteShell(name),
    ].join(' ');
    return `database "${name}" does not exist on ${to.host}:${to.port} (${where}): create it with \`${command}\` (or SQL: CREATE DATABASE "${name.replaceAll('"', '""')}";)`;
  }
  return null;
}

/**
 * One line for any error, never showing `url`'s password: the messages of the error and its
 * causes, joined. For failures `describeDatabaseFailure` does not recognise.
 *
 * @example
 * ```ts
 * oneLineError(new Error('migration 0003 failed', { cause }), url); // 'migration 0003 failed: column …'
 * ```
 */
export function oneLineError(error: unknown, url?: string): string {
  const messages: string[] = [];
  for (const e of errorChain(error)) {
    const message = messageOf(e).replace(/\s+/g, ' ').trim();
    if (message !== '' && !messages.some((m) => m.includes(message))) messages.push(message);
  }
  let line = messages.join(': ') || 'unknown error';
  if (url === undefined) return line;
  line = line.replaceAll(url, maskDatabaseUrl(url));
  const password = target(url).password;
  return password ? line.replaceAll(password, '***') : line;
}
