/**
 * `mongodb(options)`: the three sources (a URL Cortex connects to, the host's MongoClient, anything
 * shaped like the driver's Db), their checks, and the connector's identity. The driver is typed
 * structurally here (the few members Cortex uses), so nothing needs `mongodb` installed to type-check.
 */
import { isSemanticLayerError, SemanticLayerError, type ErrorIssue } from '../errors.js'
import { readOptions, type OptionSpecs } from '../util/options.js'
import type { MongoDocument } from './mongo-statement.js'

/** An aggregation cursor: documents by async iteration; `close()` releases it (killCursors on a server). */
export interface MongoCursorLike extends AsyncIterable<MongoDocument> {
  toArray(): Promise<MongoDocument[]>
  close?(): Promise<void> | void
}

/** The slice of the driver's `Collection` Cortex uses. */
export interface MongoCollectionLike {
  aggregate(pipeline: MongoDocument[], options?: MongoDocument): MongoCursorLike
}

/** The slice of the driver's `Db` Cortex uses: `collection().aggregate()`, and `command()` for the health check. */
export interface MongoDbLike {
  collection(name: string): MongoCollectionLike
  command?(command: MongoDocument, options?: MongoDocument): Promise<MongoDocument>
  readonly databaseName?: string
}

/** The slice of the driver's `MongoClient` Cortex uses (a host's `new MongoClient(url)` fits). */
export interface MongoClientLike {
  db(name?: string): MongoDbLike
  close?(): Promise<void>
  /** The driver's parsed options: hosts and database name, read for the connector's `id`. */
  readonly options?: unknown
}

export interface MongoPoolOptions {
  /** Most connections per server (driver `maxPoolSize`, default 100). */
  readonly max?: number
  /** Connections kept open (driver `minPoolSize`, default 0). */
  readonly min?: number
  /** Close a connection idle this long (driver `maxIdleTimeMS`). */
  readonly idleTimeoutMs?: number
  /** Give up opening a connection after this long (driver `connectTimeoutMS`, default 30 000). */
  readonly connectionTimeoutMs?: number
  /** Give up finding a server after this long (driver `serverSelectionTimeoutMS`, default 30 000). */
  readonly serverSelectionTimeoutMs?: number
}

export type MongoConnectorOptions = {
  /** `mongodb://` or `mongodb+srv://` URL: Cortex creates the MongoClient and closes it in `close()`. */
  url?: string
  /** The database (required with `client`; with `url`, defaults to the URL's path). */
  database?: string
  /** Pool sizing for the client Cortex creates (only with `url`). */
  pool?: MongoPoolOptions
  /** Further MongoClient options for the client Cortex creates (TLS files, auth mechanism, ...). */
  clientOptions?: MongoDocument
  /** The host's MongoClient: used, never closed by Cortex. */
  client?: MongoClientLike
  /** Anything shaped like the driver's Db (`collection(name).aggregate(pipeline, options)`). */
  db?: MongoDbLike
  /** Names the data for result-cache keys (see Connector.id). Default: derived from hosts and database. */
  id?: string
  /** Documents per batch the server sends for `execute` (driver default: 101, then up to 16 MB). */
  batchSize?: number
  /** Documents per batch for `stream()` (default 1000): what bounds its memory. */
  streamBatchSize?: number
  /** Let `$group`/`$sort` spill to disk beyond 100 MB (aggregate's `allowDiskUse`). */
  allowDiskUse?: boolean
}

const SPECS: OptionSpecs<MongoConnectorOptions> = {
  url: 'any',
  database: 'any',
  pool: 'object',
  clientOptions: 'object',
  client: 'object',
  db: 'object',
  id: 'any',
  batchSize: 'count',
  streamBatchSize: 'count',
  allowDiskUse: 'boolean',
}

const POOL_SPECS: OptionSpecs<MongoPoolOptions> = {
  max: 'count',
  min: { min: 0, max: 100_000 },
  idleTimeoutMs: 'timeoutMs',
  connectionTimeoutMs: 'timeoutMs',
  serverSelectionTimeoutMs: 'timeoutMs',
}

/** Where the connector's database comes from, after the checks. */
export type MongoSource =
  | { readonly kind: 'url'; readonly url: string; readonly database: string; readonly secrets: readonly string[] }
  | { readonly kind: 'client'; readonly client: MongoClientLike; readonly database: string }
  | { readonly kind: 'db'; readonly db: MongoDbLike }

/** The options read and checked: every problem at once (CONFIG_INVALID), never the URL or password in a message. */
export function readMongoOptions(options: unknown): { options: Partial<MongoConnectorOptions>; source: MongoSource } {
  const o = readOptions<MongoConnectorOptions>(options, SPECS, { what: 'mongodb options' })
  const issues: ErrorIssue[] = []
  const add = (code: string, path: (string | number)[], message: string): number => issues.push({ code, path, message })
  const given = (['url', 'client', 'db'] as const).filter((k) => o[k] !== undefined)
  if (given.length !== 1)
    add(
      'MONGODB_SOURCE',
      given.slice(1, 2),
      `Pass exactly one of url, client or db to mongodb() (got ${given.join(', ') || 'none'}).`,
    )
  if (o.url !== undefined && (typeof o.url !== 'string' || !/^mongodb(\+srv)?:\/\/[^/?#]/.test(o.url)))
    add('MONGODB_URL', ['url'], 'url must be a mongodb:// or mongodb+srv:// connection string with at least one host.')
  if (o.client !== undefined && typeof o.client.db !== 'function')
    add('MONGODB_CLIENT', ['client'], 'client must be a MongoClient (an object with db()).')
  if (o.db !== undefined && typeof o.db.collection !== 'function')
    add(
      'MONGODB_DB',
      ['db'],
      'db must be shaped like a MongoDB Db: an object with collection(name).aggregate(pipeline).',
    )
  if (o.db !== undefined && o.database !== undefined)
    add('MONGODB_DATABASE', ['database'], 'database names the database of a url or client; a db already is one.')
  const urlDatabase = typeof o.url === 'string' ? urlParts(o.url)?.database : undefined
  const database = o.database ?? urlDatabase
  if (o.client !== undefined && o.database === undefined)
    add('MONGODB_DATABASE', ['database'], 'mongodb({ client }) needs database: the name of the database to read.')
  if (o.url !== undefined && database === undefined)
    add(
      'MONGODB_DATABASE',
      ['database'],
      'mongodb({ url }) needs database, or a URL whose path names it (mongodb://host/shop).',
    )
  if (database !== undefined && !validDatabaseName(database))
    add(
      'MONGODB_DATABASE',
      ['database'],
      'database must be a MongoDB database name: 1-63 characters, none of / \\ . " $ * < > : | ? or spaces.',
    )
  if (o.pool !== undefined) {
    if (o.url === undefined)
      add('MONGODB_POOL', ['pool'], 'pool sizes the client Cortex creates from url; size a client where you create it.')
    try {
      const pool = readOptions<MongoPoolOptions>(o.pool, POOL_SPECS, { what: 'mongodb pool options', path: ['pool'] })
      if ((pool.min ?? 0) > (pool.max ?? Number.POSITIVE_INFINITY))
        add('MONGODB_POOL', ['pool', 'min'], 'pool.min must not exceed pool.max.')
    } catch (error) {
      if (!isSemanticLayerError(error)) throw error
      issues.push(...error.issues)
    }
  }
  if (o.clientOptions !== undefined && o.url === undefined)
    add('MONGODB_CLIENT_OPTIONS', ['clientOptions'], 'clientOptions configure the client Cortex creates from url.')
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > 500))
    add(
      'INVALID_OPTION',
      ['id'],
      'mongodb({ id }) must be a non-empty string (at most 500 characters) naming its data.',
    )
  if (issues.length > 0) throw new SemanticLayerError('CONFIG_INVALID', issues)
  return { options: o, source: sourceOf(o, database) }
}

function sourceOf(o: Partial<MongoConnectorOptions>, database: string | undefined): MongoSource {
  if (o.client) return { kind: 'client', client: o.client, database: database! }
  if (o.db) return { kind: 'db', db: o.db }
  return { kind: 'url', url: o.url!, database: database!, secrets: secretsOf(o.url!) }
}

function validDatabaseName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length < 64 && !/[/\\. "$*<>:|?\0]/.test(name)
}

/** The password of a URL, raw and decoded: what every message is scrubbed of. */
function secretsOf(url: string): string[] {
  const password = urlParts(url)?.password
  if (!password) return []
  let decoded = password
  try {
    decoded = decodeURIComponent(password)
  } catch {}
  return [...new Set([password, decoded])]
}

interface UrlParts {
  readonly srv: boolean
  readonly hosts: readonly string[]
  readonly user?: string
  readonly password?: string
  readonly database?: string
}

/**
 * A MongoDB connection string's parts, read by hand: `new URL` cannot read its comma-separated host
 * lists (`mongodb://a:1,b:2/shop?replicaSet=rs`). Undefined when it is not one.
 */
export function urlParts(url: string): UrlParts | undefined {
  const m = /^mongodb(\+srv)?:\/\/([^/?#]*)(?:\/([^?#]*))?/.exec(url)
  if (!m) return undefined
  const authority = m[2]!
  const at = authority.lastIndexOf('@')
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined
  const colon = userinfo?.indexOf(':') ?? -1
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  const srv = m[1] !== undefined
  const hosts = authority
    .slice(at + 1)
    .split(',')
    .filter((h) => h !== '')
    .map((h) => {
      const host = decode(h).toLowerCase()
      return srv || /:\d+$/.test(host) || host.endsWith('.sock') ? host : `${host}:27017`
    })
  const database = m[3] ? decode(m[3]) : undefined
  return {
    srv,
    hosts,
    ...(userinfo === undefined ? {} : { user: decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo) }),
    ...(colon >= 0 && userinfo !== undefined ? { password: userinfo.slice(colon + 1) } : {}),
    ...(database ? { database } : {}),
  }
}

/**
 * What data the connector reads, for result-cache keys: `mongodb:{"hosts":[…],"srv":…,"database":…,"user":…}`
 * from the URL or the client's parsed options; never the password. A `{ db }` gives one only when it is a
 * driver Db (its `client.options` and `databaseName` readable); otherwise undefined (set `id`).
 */
export function mongoIdentity(source: MongoSource): string | undefined {
  if (source.kind === 'url') {
    const parts = urlParts(source.url)
    if (!parts) return undefined
    return identity(parts.hosts, parts.srv, source.database, parts.user)
  }
  const client = source.kind === 'client' ? source.client : (source.db as { client?: MongoClientLike }).client
  const database = source.kind === 'client' ? source.database : source.db.databaseName
  if (typeof database !== 'string') return undefined
  const o = client?.options as
    | { hosts?: readonly unknown[]; srvHost?: unknown; credentials?: { username?: unknown } }
    | undefined
  if (typeof o !== 'object' || o === null) return undefined
  const srv = typeof o.srvHost === 'string'
  const hosts = srv ? [String(o.srvHost).toLowerCase()] : (o.hosts ?? []).map((h) => String(h).toLowerCase())
  if (hosts.length === 0) return undefined
  const user = o.credentials?.username
  return identity(hosts, srv, database, typeof user === 'string' && user !== '' ? user : undefined)
}

function identity(hosts: readonly string[], srv: boolean, database: string, user: string | undefined): string {
  return `mongodb:${JSON.stringify({ hosts, srv, database, user: user ?? null })}`
}
