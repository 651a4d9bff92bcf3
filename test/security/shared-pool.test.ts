/**
 * Per-tenant connectors over ONE pool the host owns (issue 16.1). Every tenant has its own PostgreSQL
 * schema; a connectors factory gives each tenant `postgres({ existingPool: shared, searchPath: [its
 * schema] })` (or the same over a knex instance). Connections move between tenants all the time, and the
 * host's own code uses the same pool and changes session settings itself (search_path to a decoy schema,
 * another time zone). Every answer must still be the asking tenant's rows, read in UTC, and the host's
 * connections must keep the settings the host gave them. Expected values are the rows each tenant was
 * loaded with. On MySQL/MariaDB (no search path) the session time zone is checked the same way.
 */
import knexFactory, { type Knex } from 'knex'
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSemanticLayer, parseModel, type SemanticLayer } from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { postgres, type KnexLike as PgKnexLike } from '../../src/postgres.js'
import type { KnexLike as MysqlKnexLike } from '../../src/mysql.js'

const PG = process.env.CORTEX_TEST_PG_URL
const MY = process.env.CORTEX_TEST_MYSQL_URL
if (process.env.CI === 'true') {
  if (!PG)
    test('shared-pool isolation on PostgreSQL: CORTEX_TEST_PG_URL is required when CI=true', () => {
      throw new Error('CORTEX_TEST_PG_URL is required when CI=true')
    })
  if (!MY)
    test('shared-pool session state on MySQL: CORTEX_TEST_MYSQL_URL is required when CI=true', () => {
      throw new Error('CORTEX_TEST_MYSQL_URL is required when CI=true')
    })
}

const TENANTS = ['t1', 't2', 't3', 't4', 't5'] as const
/** Tenant i has 2i + 1 rows, each with amount 10^i: a leak changes the tenant name, the count or the total. */
const rowsOf = (i: number): number => 2 * i + 1
const amountOf = (i: number): number => 10 ** i
/** Stored as UTC wall-clock time; a session in another zone would shift it to another day. */
const STORED = '2024-01-01 22:30:00'
/** The same instant as Cortex returns it, read in UTC. */
const AT = '2024-01-01T22:30:00.000'
const QUERY = { measures: ['notes.count', 'notes.total'], dimensions: ['notes.tenant', 'notes.at'] }

const MODEL = `
cubes:
  - name: notes
    sql_table: notes
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: tenant, sql: tenant, type: string }
      - { name: at, sql: at, type: time }
    measures:
      - { name: count, type: count }
      - { name: total, sql: amount, type: sum }
`

/** A deterministic stream of tenants (LCG), so a failure is reproducible. */
function tenantStream(n: number, seed = 16_1): string[] {
  let s = seed
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return TENANTS[s % TENANTS.length]!
  })
}

interface Tally {
  foreign: number
  wrong: number
}

/**
 * 600 queries for random tenants, 12 at a time (each of 12 workers runs its share one after another, so
 * tenants keep taking connections over from each other); meanwhile `sabotage` (the host's own code) keeps
 * changing session settings on the same pool. Counts answers with another tenant's rows and answers that
 * differ from what the tenant was loaded with.
 */
async function hammer(layer: SemanticLayer, sabotage?: () => Promise<void>, n = 600): Promise<Tally> {
  const tally: Tally = { foreign: 0, wrong: 0 }
  const tenants = tenantStream(n)
  let running = true
  const host = (async () => {
    while (running && sabotage) await sabotage()
  })()
  const worker = async (): Promise<void> => {
    for (let tenant = tenants.pop(); tenant !== undefined; tenant = tenants.pop()) {
      const { data } = await layer.query(QUERY, { securityContext: { tenant_id: tenant } })
      const i = TENANTS.indexOf(tenant as (typeof TENANTS)[number]) + 1
      if (data.some((row) => row['notes.tenant'] !== tenant)) tally.foreign++
      const count = rowsOf(i)
      const total = count * amountOf(i)
      const expected = [{ 'notes.tenant': tenant, 'notes.at': AT, 'notes.count': count, 'notes.total': total }]
      if (JSON.stringify(data) !== JSON.stringify(expected)) tally.wrong++
    }
  }
  try {
    await Promise.all(Array.from({ length: 12 }, worker))
  } finally {
    running = false
    await host
  }
  return tally
}

describe.skipIf(!PG)('one pg pool shared by per-tenant connectors with searchPath (set CORTEX_TEST_PG_URL)', () => {
  const prefix = `cortex_shared_${randomBytes(3).toString('hex')}`
  const decoy = `${prefix}_decoy`
  let admin: pg.Client

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG })
    await admin.connect()
    for (const [i, schema] of [...TENANTS.map((t) => `${prefix}_${t}`), decoy].entries()) {
      const tenant = schema === decoy ? 'decoy' : TENANTS[i]!
      await admin.query(`CREATE SCHEMA "${schema}"`)
      await admin.query(`CREATE TABLE "${schema}".notes
        (id int PRIMARY KEY, tenant text NOT NULL, amount bigint NOT NULL, at timestamp NOT NULL)`)
      await admin.query(`INSERT INTO "${schema}".notes SELECT g, $1, $2, $3 FROM generate_series(1, $4) g`, [
        tenant,
        amountOf(i + 1),
        STORED,
        rowsOf(i + 1),
      ])
    }
  })
  afterAll(async () => {
    for (const s of [...TENANTS.map((t) => `${prefix}_${t}`), decoy]) {
      await admin?.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`)
    }
    await admin?.end()
  })

  /** The host's own statements on its pool: another schema and another zone for the session. */
  const HOST_SETTINGS = `SET search_path TO "${decoy}"; SET TIME ZONE 'America/New_York'`
  const hostSettings = (rows: { sp: string; tz: string }[]) => rows.map((r) => `${r.sp} | ${r.tz}`)

  const layerOver = (connector: (tenant: string) => ReturnType<typeof postgres>): SemanticLayer =>
    createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      cache: false,
      contextToTenant: (ctx) => ctx.tenant_id as string,
      connectors: ({ tenant }) => ({ default: connector(tenant) }),
    })

  test("a shared pg.Pool (max 3): 600 queries, no rows of another tenant, the host's sessions kept", async () => {
    const shared = new pg.Pool({ connectionString: PG, max: 3 })
    const layer = layerOver((tenant) => postgres({ existingPool: shared, searchPath: [`${prefix}_${tenant}`] }))
    try {
      // The finding as reported: tenants alone, taking connections over from each other.
      expect(await hammer(layer)).toEqual({ foreign: 0, wrong: 0 })
      // The host's own code on the same pool: every connection starts with the host's settings, and
      // the host keeps setting them while Cortex runs.
      const clients = await Promise.all([1, 2, 3].map(() => shared.connect()))
      for (const c of clients) await c.query(HOST_SETTINGS)
      clients.forEach((c) => c.release())

      const tally = await hammer(layer, async () => void (await shared.query(HOST_SETTINGS)))
      expect(tally).toEqual({ foreign: 0, wrong: 0 })

      // Cortex's settings lasted for its own statements only: each connection still has the host's.
      const after = await Promise.all([1, 2, 3].map(() => shared.connect()))
      const current = "SELECT current_setting('search_path') AS sp, current_setting('TimeZone') AS tz"
      const seen = await Promise.all(after.map(async (c) => (await c.query(current)).rows[0]))
      after.forEach((c) => c.release())
      expect(hostSettings(seen)).toEqual(Array(3).fill(`${decoy} | America/New_York`))
    } finally {
      await layer.close()
      await shared.end()
    }
  })

  test('a shared knex instance (pool max 3): 600 queries and 60 streams, zero rows of another tenant', async () => {
    const knex: Knex = knexFactory({ client: 'pg', connection: PG!, pool: { min: 0, max: 3 } })
    const shared = knex as unknown as PgKnexLike
    const layer = layerOver((tenant) => postgres({ knex: shared, searchPath: [`${prefix}_${tenant}`] }))
    try {
      const tally = await hammer(layer, async () => void (await knex.raw(HOST_SETTINGS)))
      expect(tally).toEqual({ foreign: 0, wrong: 0 })
      // stream() borrows connections the same way: each tenant streams its own rows only.
      const streams = tenantStream(60, 7)
      const streamed: boolean[] = []
      const streamer = async (): Promise<void> => {
        for (let tenant = streams.pop(); tenant !== undefined; tenant = streams.pop()) {
          const seen = new Set<string>()
          const query = { dimensions: ['notes.tenant', 'notes.at', 'notes.id'] }
          const rows = layer.stream(query, { securityContext: { tenant_id: tenant } })
          for await (const row of rows) seen.add(`${String(row['notes.tenant'])} ${String(row['notes.at'])}`)
          streamed.push([...seen].join() === `${tenant} ${AT}`)
        }
      }
      await Promise.all(Array.from({ length: 6 }, streamer))
      expect(streamed.filter((ok) => !ok)).toEqual([])
    } finally {
      await layer.close()
      await knex.destroy()
    }
  })
})

describe.skipIf(!MY)('one MySQL/MariaDB pool shared with the host (set CORTEX_TEST_MYSQL_URL)', () => {
  const database = `cortex_shared_${randomBytes(3).toString('hex')}`
  const dbUrl = (): string => {
    const u = new URL(MY!)
    u.pathname = `/${database}`
    return u.toString()
  }
  let admin: Pool
  let mariadb = false

  beforeAll(async () => {
    admin = createPool({ uri: MY!, connectionLimit: 1, timezone: 'Z' })
    await admin.query(`CREATE DATABASE \`${database}\``)
    await admin.query(`CREATE TABLE \`${database}\`.notes
      (id INT PRIMARY KEY, tenant VARCHAR(10) NOT NULL, amount BIGINT NOT NULL, at TIMESTAMP NOT NULL)`)
    await admin.query("SET time_zone = '+00:00'")
    await admin.query(`INSERT INTO \`${database}\`.notes VALUES (1, 't1', 10, ?), (2, 't1', 10, ?)`, [STORED, STORED])
    const [rows] = await admin.query<RowDataPacket[]>('SELECT VERSION() AS v')
    mariadb = /mariadb/i.test(String(rows[0]!.v))
  })
  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``)
    await admin?.end()
  })

  const HOST_ZONE = "SET time_zone = '-05:00'"
  const expected = [{ 'notes.tenant': 't1', 'notes.at': AT, 'notes.count': 2, 'notes.total': 20 }]

  /** 200 queries, 8 at a time, while the host keeps moving its sessions to another zone; returns the wrong answers. */
  async function check(layer: SemanticLayer, sabotage: () => Promise<void>): Promise<number> {
    let wrong = 0
    let left = 200
    let running = true
    const host = (async () => {
      while (running) await sabotage()
    })()
    const worker = async (): Promise<void> => {
      while (left-- > 0) {
        const { data } = await layer.query(QUERY)
        if (JSON.stringify(data) !== JSON.stringify(expected)) wrong++
      }
    }
    try {
      await Promise.all(Array.from({ length: 8 }, worker))
    } finally {
      running = false
      await host
    }
    return wrong
  }

  test('a host pool whose sessions the host moves to another zone: every read still in UTC', async () => {
    const shared = createPool({ uri: dbUrl(), connectionLimit: 3 })
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      cache: false,
      connectors: { default: mysql({ existingPool: shared }) },
    })
    try {
      const conns = await Promise.all([1, 2, 3].map(() => shared.getConnection()))
      for (const c of conns) await c.query(HOST_ZONE)
      conns.forEach((c) => c.release())
      expect(await check(layer, async () => void (await shared.query(HOST_ZONE)))).toBe(0)
      if (mariadb) {
        // MariaDB takes the settings per statement (SET STATEMENT … FOR): the host's sessions keep theirs.
        const after = await Promise.all([1, 2, 3].map(() => shared.getConnection()))
        const zoneOf = async (c: (typeof after)[number]) =>
          (await c.query<RowDataPacket[]>('SELECT @@session.time_zone AS tz'))[0][0]!.tz
        const zones = await Promise.all(after.map(zoneOf))
        after.forEach((c) => c.release())
        expect(zones).toEqual(['-05:00', '-05:00', '-05:00'])
      }
    } finally {
      await layer.close()
      await shared.end()
    }
  })

  test('a shared knex instance (mysql2) whose sessions the host moves elsewhere: reads still in UTC', async () => {
    const knex: Knex = knexFactory({ client: 'mysql2', connection: dbUrl(), pool: { min: 0, max: 3 } })
    const layer = createSemanticLayer({
      model: parseModel([{ content: MODEL }]),
      cache: false,
      connectors: { default: mysql({ knex: knex as unknown as MysqlKnexLike }) },
    })
    try {
      expect(await check(layer, async () => void (await knex.raw(HOST_ZONE)))).toBe(0)
    } finally {
      await layer.close()
      await knex.destroy()
    }
  })
})
