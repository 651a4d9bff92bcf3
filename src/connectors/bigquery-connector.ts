import { randomUUID } from 'node:crypto'
import { SemanticLayerError } from '../errors.js'
import { bigqueryDialect } from '../sql/dialects/bigquery-dialect.js'
import { readingOptions, readOptions, type OptionSpecs } from '../util/options.js'
import { cancelledError, runCancellable } from './cancellation.js'
import {
  brandConnector,
  mapFailure,
  sqlOf,
  type ArrayRow,
  type SqlConnector,
  type ExecuteOptions,
  type HealthReport,
  type ObjectRow,
  type Statement,
  type StatementOptions,
} from './connector.js'
import { givenId } from './connector-identity.js'
import { civilText, closedError, instantText, loadSdk, warehouseError } from './warehouse-support.js'

/** The slice of `@google-cloud/bigquery`'s `BigQuery` that Cortex uses (structural: the SDK is never imported). */
export interface BigQueryClientLike {
  readonly projectId?: string
  createQueryJob(options: object): Promise<readonly [BigQueryJobLike, ...unknown[]]>
  job(id: string, options?: { location?: string }): BigQueryJobLike
  /** The SDK's authenticated REST call (`Service.request`): used for `jobs.getQueryResults` pages. */
  request(options: object, callback: (error: unknown, body?: unknown) => void): void
}
export interface BigQueryJobLike {
  readonly id?: string
  readonly location?: string
  cancel(): Promise<unknown>
}

export interface BigQueryOptions {
  /** A `BigQuery` client the host made (`new BigQuery({ projectId, … })`). Cortex never closes it. */
  readonly client?: BigQueryClientLike
  /** Options for the `BigQuery` client Cortex creates: `projectId`, `keyFilename`, `credentials`, `location`, … */
  readonly clientOptions?: Readonly<Record<string, unknown>>
  /** The dataset unqualified table names resolve in (`defaultDataset`): `dataset` or `project.dataset`. */
  readonly dataset?: string
  /** Where jobs run (`US`, `EU`, `europe-west3`, …). Default: the client's. */
  readonly location?: string
  /** Jobs that would bill more bytes fail before they run (`maximumBytesBilled`, a decimal string or number). */
  readonly maximumBytesBilled?: string | number
  /** Rows per `getQueryResults` page (default 10 000): what `stream` holds in memory at once. */
  readonly pageSize?: number
  /** Labels added to every job (cost attribution). */
  readonly labels?: Readonly<Record<string, string>>
  /** Names the data for result-cache keys. Default: `bigquery:` + project and dataset. */
  readonly id?: string
}

const OPTIONS: OptionSpecs<BigQueryOptions> = {
  client: 'object',
  clientOptions: 'object',
  dataset: 'any',
  location: 'any',
  maximumBytesBilled: 'any',
  pageSize: { min: 1, max: 100_000 },
  labels: 'object',
  id: 'any',
}

/** How long one `getQueryResults` call waits for the job to finish before it is asked again (server-side wait). */
const POLL_WAIT_MS = 10_000

interface Field {
  readonly name: string
  readonly type: string
  readonly mode?: string
  readonly fields?: readonly Field[]
}
interface Cell {
  readonly v: unknown
}
interface ResultsPage {
  readonly jobComplete?: boolean
  readonly schema?: { readonly fields?: readonly Field[] }
  readonly rows?: readonly { readonly f: readonly Cell[] }[]
  readonly pageToken?: string
}

/**
 * A connector for Google BigQuery over the official SDK (install it: `npm install @google-cloud/bigquery`).
 * Every statement is a query job with named parameters (`@p0, @p1, …`, never spliced), `jobTimeoutMs` set
 * from the query's `timeoutMs` (BigQuery stops the job), cancelled with `jobs.cancel` when the signal aborts
 * or the timeout passes, and read page by page with `jobs.getQueryResults` (`stream` holds one page).
 * Values follow the layer's rules: INT64, NUMERIC and BIGNUMERIC as exact text, FLOAT64 as numbers,
 * TIMESTAMP as 'YYYY-MM-DDTHH:mm:ss.SSS' UTC (microseconds from the REST API, never a float of seconds).
 *
 * @example
 * import { bigquery } from 'cortex-semantic/bigquery'
 * const connector = bigquery({ clientOptions: { projectId: 'my-project' }, dataset: 'shop', location: 'EU' })
 */
export function bigquery(input: BigQueryOptions): SqlConnector {
  return readingOptions('bigquery options', () => createBigQuery(input))
}

function createBigQuery(input: BigQueryOptions): SqlConnector {
  const options = readOptions<BigQueryOptions>(input, OPTIONS, { what: 'bigquery options' }) as BigQueryOptions
  if ((options.client === undefined) === (options.clientOptions === undefined)) {
    const message = 'bigquery() needs exactly one of `client` (a BigQuery instance) or `clientOptions`.'
    throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'CONFIG_INVALID', path: [], message }])
  }
  for (const key of ['dataset', 'location'] as const) {
    const v = options[key]
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      const message = `bigquery({ ${key} }) must be a non-empty string.`
      throw new SemanticLayerError('CONFIG_INVALID', [{ code: 'INVALID_OPTION', path: [key], message }])
    }
  }
  const given = givenId(options.id, 'bigquery')
  let client = options.client
  const sdk = (): BigQueryClientLike => {
    if (client) return client
    const { BigQuery } = loadSdk<{ BigQuery: new (o: object) => BigQueryClientLike }>(
      'BigQuery',
      '@google-cloud/bigquery',
    )
    client = new BigQuery({ ...options.clientOptions })
    return client
  }
  const projectOf = (): string | undefined => {
    const p = options.clientOptions?.projectId ?? client?.projectId
    return typeof p === 'string' && p !== '{{projectId}}' ? p : undefined
  }
  const defaultDataset = (): object | undefined => {
    if (options.dataset === undefined) return undefined
    const dot = options.dataset.indexOf('.')
    return dot < 0
      ? { datasetId: options.dataset, ...(projectOf() ? { projectId: projectOf() } : {}) }
      : { projectId: options.dataset.slice(0, dot), datasetId: options.dataset.slice(dot + 1) }
  }
  const id =
    given ??
    (projectOf() ? `bigquery:${JSON.stringify({ project: projectOf(), dataset: options.dataset })}` : undefined)
  const pageSize = options.pageSize ?? 10_000
  let closed = false

  /** Start a job for the statement; its named parameters are `p0 … pn` (the dialect's placeholders). */
  const start = async (sql: string, params: readonly unknown[], exec: StatementOptions | undefined) => {
    const named: Record<string, unknown> = {}
    params.forEach((v, i) => {
      named[`p${i}`] = v
    })
    const config: Record<string, unknown> = {
      query: sql,
      params: named,
      useLegacySql: false,
      jobId: `cortex_${randomUUID().replace(/-/g, '')}`,
      ...(options.location ? { location: options.location } : {}),
      ...(defaultDataset() ? { defaultDataset: defaultDataset() } : {}),
      ...(options.maximumBytesBilled !== undefined ? { maximumBytesBilled: String(options.maximumBytesBilled) } : {}),
      ...(options.labels ? { labels: { ...options.labels } } : {}),
      ...(exec?.timeoutMs !== undefined ? { jobTimeoutMs: Math.max(1, Math.ceil(exec.timeoutMs)) } : {}),
    }
    const [job] = await sdk().createQueryJob(config)
    return job
  }

  /** One page of results (waits server-side up to POLL_WAIT_MS for the job to finish). */
  const page = (job: BigQueryJobLike, pageToken: string | undefined): Promise<ResultsPage> =>
    new Promise((resolve, reject) => {
      const qs: Record<string, unknown> = {
        maxResults: pageSize,
        timeoutMs: POLL_WAIT_MS,
        'formatOptions.useInt64Timestamp': true,
        ...(job.location ? { location: job.location } : {}),
        ...(pageToken ? { pageToken } : {}),
      }
      sdk().request({ uri: `/queries/${job.id}`, qs }, (error, body) =>
        error ? reject(error) : resolve((body ?? {}) as ResultsPage),
      )
    })

  /** Pages of array rows in SELECT-list order, with the column names, until the result ends or `stop()`. */
  async function* pages(job: BigQueryJobLike, stopped: () => boolean): AsyncGenerator<[string[], unknown[][]]> {
    let token: string | undefined
    for (;;) {
      if (stopped()) return
      const p = await page(job, token)
      if (p.jobComplete === false) continue
      const fields = p.schema?.fields ?? []
      const names = fields.map((f) => f.name)
      yield [names, (p.rows ?? []).map((r) => r.f.map((c, i) => cellValue(fields[i], c.v)))]
      if (!p.pageToken) return
      token = p.pageToken
    }
  }

  const run = async <T>(
    statement: Statement,
    exec: StatementOptions | undefined,
    read: (job: BigQueryJobLike, stopped: () => boolean) => Promise<T>,
  ): Promise<T> => {
    const { sql, params } = sqlOf(statement, 'BigQuery')
    if (closed) throw closedError('BigQuery')
    let job: BigQueryJobLike | undefined
    let stop = false
    try {
      return await runCancellable(
        exec,
        async () => {
          job = await start(sql, params, exec)
          // Stopped while the job was being created: cancel it now, or it would run (and bill) unread.
          if (stop) {
            await job.cancel().catch(() => undefined)
            throw cancelledError()
          }
          return await read(job, () => stop)
        },
        async () => {
          stop = true
          await job?.cancel()
        },
      )
    } catch (error) {
      throw warehouseError('BIGQUERY_ERROR', 'BigQuery failed to run the query', error, params, detailOf(error))
    }
  }

  const connector = {
    dialect: bigqueryDialect,
    ...(id === undefined ? {} : { id }),
    rowForms: ['arrays', 'mapped'] as const,
    execute(statement: Statement, exec?: ExecuteOptions): Promise<readonly unknown[]> {
      return run(statement, exec, async (job, stopped) => {
        const out: unknown[] = []
        for await (const [names, rows] of pages(job, stopped)) {
          for (const row of rows) {
            if (exec?.map) {
              try {
                out.push(exec.map(row as ArrayRow))
              } catch (error) {
                throw mapFailure('BigQuery', error)
              }
            } else out.push(exec?.rows === 'arrays' ? row : toObject(names, row))
          }
        }
        return out
      })
    },
    async *stream(statement: Statement, exec?: StatementOptions): AsyncGenerator<ObjectRow> {
      const { params } = sqlOf(statement, 'BigQuery')
      if (exec?.signal?.aborted) throw cancelledError(exec.signal.reason)
      let job: BigQueryJobLike | undefined
      let done = false
      const stopJob = (): void => {
        if (!done && job) job.cancel().catch(() => undefined)
      }
      exec?.signal?.addEventListener('abort', stopJob, { once: true })
      try {
        job = await run(statement, exec, async (j) => j)
        const iterator = pages(job, () => exec?.signal?.aborted === true)
        for (;;) {
          let next: IteratorResult<[string[], unknown[][]]>
          try {
            next = await iterator.next()
          } catch (error) {
            throw warehouseError(
              'BIGQUERY_ERROR',
              'BigQuery failed to read the results',
              error,
              params,
              detailOf(error),
            )
          }
          if (next.done) break
          const [names, rows] = next.value
          for (const row of rows) yield toObject(names, row)
        }
        if (exec?.signal?.aborted) throw cancelledError(exec.signal.reason)
        done = true
      } finally {
        exec?.signal?.removeEventListener('abort', stopJob)
        // A consumer that stops early (break) leaves the job running: cancel it.
        stopJob()
      }
    },
    async healthCheck(): Promise<HealthReport> {
      const started = performance.now()
      try {
        await connector.execute({ kind: 'sql', sql: 'SELECT 1', params: [] }, { timeoutMs: 30_000 })
        return { ok: true, latencyMs: performance.now() - started }
      } catch (error) {
        const e = error as { issues?: { message?: string }[] }
        return { ok: false, latencyMs: performance.now() - started, error: e.issues?.[0]?.message ?? 'failed' }
      }
    },
    async close(): Promise<void> {
      closed = true
    },
  }
  return brandConnector(connector)
}

/** The service's own reason and message (ApiError keeps them in `errors[0]`), before masking. */
function detailOf(error: unknown): string | undefined {
  const e = error as { errors?: { reason?: unknown; message?: unknown }[]; code?: unknown; message?: unknown } | null
  const first = e?.errors?.[0]
  const message =
    typeof first?.message === 'string' ? first.message : typeof e?.message === 'string' ? e.message : undefined
  if (message === undefined) return undefined
  const reason =
    typeof first?.reason === 'string' ? first.reason : typeof e?.code === 'number' ? `HTTP ${e.code}` : undefined
  return reason ? `${reason}: ${message}` : message
}

function toObject(names: readonly string[], row: readonly unknown[]): ObjectRow {
  const o: Record<string, unknown> = {}
  for (let i = 0; i < names.length; i++) o[names[i]!] = row[i]
  return o
}

/**
 * A REST cell as the layer wants it. The API sends every scalar as text: INT64 / NUMERIC / BIGNUMERIC stay
 * exact text (the layer makes numbers of those that fit), FLOAT64 becomes a number, BOOL a boolean,
 * TIMESTAMP (microseconds since the epoch, `useInt64Timestamp`) Cube's UTC text, DATETIME the same form.
 */
function cellValue(field: Field | undefined, v: unknown): unknown {
  if (v === null || v === undefined || field === undefined) return null
  if (field.mode === 'REPEATED' || field.type === 'RECORD' || field.type === 'STRUCT') return JSON.stringify(v)
  if (typeof v !== 'string') return v
  switch (field.type) {
    case 'FLOAT':
    case 'FLOAT64':
      return Number(v)
    case 'BOOLEAN':
    case 'BOOL':
      return v === 'true'
    case 'TIMESTAMP':
      return /^-?\d+$/.test(v) ? instantText(microsToMillis(BigInt(v))) : instantText(Number(v) * 1000)
    case 'DATETIME':
      return civilText(v)
    default:
      return v
  }
}

/** Microseconds to whole milliseconds, rounded down (also before 1970). */
function microsToMillis(us: bigint): number {
  const ms = us / 1000n
  return Number(us % 1000n < 0n ? ms - 1n : ms)
}
