/**
 * A connector's identity: what data it reads, as a string that goes into result-cache keys. Two layers
 * with the same model over different databases, sharing one cache, must never serve each other's
 * results; two connectors with the same identity must return the same rows for the same SQL.
 *
 * The built-in connectors derive it from their connection target: engine, host(s), port, database,
 * user, socket path and (PostgreSQL) search_path. Never the password or any other option. A host can set
 * `id` instead; a target that cannot be read (an unparseable URL, a pool or knex instance without a
 * readable config) gives no identity, and the layer then refuses to share a cache it was given.
 */
import { isAbsolute, resolve } from 'node:path'
import { userInfo } from 'node:os'
import { SemanticLayerError } from '../errors.js'

interface Target {
  readonly host?: unknown
  readonly port?: unknown
  readonly database?: unknown
  readonly user?: unknown
  readonly socketPath?: unknown
}

/** An id given by the host, checked: a non-empty string of at most 500 characters. */
export function givenId(id: unknown, connector: string): string | undefined {
  if (id === undefined) return undefined
  if (typeof id !== 'string' || id.length === 0 || id.length > 500) {
    const message = `${connector}({ id }) must be a non-empty string (at most 500 characters) naming its database.`
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: ['id'], message }])
  }
  return id
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}

function identity(engine: string, target: Record<string, unknown>): string {
  return `${engine}:${JSON.stringify(target)}`
}

/** `sqlite:file:<absolute path>`; an in-memory or temporary database is its own (`unique`). */
export function sqliteIdentity(filename: string | undefined, unique: () => string): string {
  if (filename === undefined || filename === '' || filename === ':memory:') return `sqlite:memory:${unique()}`
  return `sqlite:file:${isAbsolute(filename) ? filename : resolve(filename)}`
}

/** Fields of a postgres:// or mysql:// URL (password left out); undefined when it does not parse. */
function fromUrl(url: string): Target | undefined {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return undefined
  }
  const param = (name: string): string | undefined => u.searchParams.get(name) ?? undefined
  const path = decodeURIComponent(u.pathname.replace(/^\//, ''))
  return {
    host: param('host') ?? (u.hostname === '' ? undefined : decodeURIComponent(u.hostname)),
    port: u.port === '' ? param('port') : u.port,
    database: path === '' ? (param('dbname') ?? param('database')) : path,
    user: u.username === '' ? param('user') : decodeURIComponent(u.username),
    socketPath: param('socketPath') ?? param('socket'),
  }
}

/** The target of a config object or URL, or undefined. */
function targetOf(config: unknown): Target | undefined {
  if (typeof config === 'string') return fromUrl(config)
  if (typeof config !== 'object' || config === null) return undefined
  const c = config as Record<string, unknown>
  const url = [c.connectionString, c.uri].find((u): u is string => typeof u === 'string')
  const base = url === undefined ? {} : fromUrl(url)
  if (base === undefined) return undefined
  const fields = ['host', 'port', 'database', 'user', 'socketPath'].filter((k) => c[k] !== undefined)
  return { ...base, ...Object.fromEntries(fields.map((k) => [k, c[k]])) }
}

function osUser(): string | undefined {
  try {
    return userInfo().username
  } catch {
    return undefined
  }
}

/**
 * PostgreSQL: host, port, database, user as pg resolves them (PG* environment variables, then pg's
 * defaults), and the search_path. Undefined when the config cannot be read.
 */
export function postgresIdentity(config: unknown, searchPath: readonly string[] | undefined): string | undefined {
  const t = targetOf(config)
  if (t === undefined) return undefined
  const env = process.env
  const user = text(t.user) ?? env.PGUSER ?? osUser()
  return identity('postgres', {
    host: text(t.host) ?? env.PGHOST ?? 'localhost',
    port: text(t.port) ?? env.PGPORT ?? '5432',
    database: text(t.database) ?? env.PGDATABASE ?? user ?? null,
    user: user ?? null,
    searchPath: searchPath ?? null,
  })
}

/** MySQL / MariaDB: host, port, database, user and socket path as mysql2 resolves them. */
export function mysqlIdentity(config: unknown): string | undefined {
  const t = targetOf(config)
  if (t === undefined) return undefined
  return identity('mysql', {
    host: text(t.host) ?? 'localhost',
    port: text(t.port) ?? '3306',
    database: text(t.database) ?? null,
    user: text(t.user) ?? null,
    socketPath: text(t.socketPath) ?? null,
  })
}
