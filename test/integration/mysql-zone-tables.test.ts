/**
 * MySQL/MariaDB without time zone tables (issue 15). A fresh server's zone tables are empty, so
 * CONVERT_TZ(col, '+00:00', 'Europe/Berlin') is NULL and a query grouped by a time bucket in that zone
 * used to return one NULL bucket with every row in it. This suite starts a MariaDB server of its own
 * from an empty data directory (engines/private-mariadb.ts) and checks, through the public API against
 * the hand-written SQLite oracle, that:
 * - a named zone is refused with a coded error that says how to load the tables, never NULL buckets;
 * - UTC and fixed-offset zones (Etc/GMT-5) answer correctly without tables, as do date ranges in a named
 *   zone (their bounds are computed in JS and bound as UTC instants);
 * - the check runs once per connector and zone (counted in the server's general log);
 * - after an operator loads a zone, a new connector answers in it correctly.
 * Needs mariadb-install-db and mariadbd; required when CI=true.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest'
import { createEcommerceSqlite } from '../../examples/ecommerce/generate.mjs'
import {
  createSemanticLayer,
  isSemanticLayerError,
  loadModel,
  type SemanticLayer,
  type SemanticLayerError,
} from '../../src/index.js'
import { mysql } from '../../src/mysql.js'
import { loadMysql, withDatabase } from './engines/server-datasets.js'
import { loadZone, mariadbBinaries, startPrivateMariadb, type PrivateMariadb } from './engines/private-mariadb.js'
import { comparableRows, inLocalDays, isoSql, timeCols, truncSql, type Row } from './oracle/helpers.js'
import { MODEL_DIR, NOW } from './oracle/layer.js'
import { sqlStatement } from '../../src/connectors/connector.js'

const binaries = mariadbBinaries()
if (!binaries && process.env.CI === 'true') {
  test('MariaDB binaries (mariadb-install-db, mariadbd) are required when CI=true', () => {
    throw new Error('mariadb-install-db and mariadbd are required when CI=true: install the MariaDB server package')
  })
}

describe.skipIf(!binaries)(
  'MySQL connector on a MariaDB server without time zone tables (needs mariadb-install-db and mariadbd)',
  () => {
    const name = `cortex_zones_${Math.random().toString(36).slice(2, 10)}`
    const oracleDb = new Database(':memory:')
    createEcommerceSqlite(oracleDb)
    let server: PrivateMariadb
    let url: string
    const layers: SemanticLayer[] = []
    const newLayer = async (): Promise<SemanticLayer> => {
      const layer = createSemanticLayer({
        model: await loadModel(MODEL_DIR),
        connectors: { default: mysql({ connection: url, pool: { max: 3 } }) },
        now: () => new Date(NOW.getTime()),
        cache: false,
      })
      layers.push(layer)
      return layer
    }
    const oracle = (sql: string) => oracleDb.prepare(sql).all() as Row[]
    const expectOracle = (actual: readonly Row[], expected: readonly Row[]) => {
      expect(expected.length).toBeGreaterThan(0)
      const rows = comparableRows(actual, expected)
      expect(rows.actual).toEqual(rows.expected)
    }
    const admin = async <T = Row>(sql: string): Promise<T[]> => {
      const c = mysql({ connection: server.url, pool: { max: 1 } })
      try {
        return (await c.execute(sqlStatement(sql, []))) as T[]
      } finally {
        await c.close()
      }
    }
    /** Executions of the connector's zone check, from the server's general log (the pattern is split so this query is not one). */
    const zoneChecks = async (): Promise<number> => {
      const sql = `SELECT count(*) AS n FROM mysql.general_log WHERE command_type = 'Execute' AND argument LIKE CONCAT('%AS cortex', '_zone_check%')`
      return Number((await admin<{ n: number }>(sql))[0]!.n)
    }
    const monthsIn = (zone: string) => ({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
      timezone: zone,
    })

    beforeAll(async () => {
      server = await startPrivateMariadb(binaries!)
      await loadMysql(server.url, name)
      url = withDatabase(server.url, name)
      await admin("SET GLOBAL log_output = 'TABLE'")
      await admin('SET GLOBAL general_log = 1')
    })
    afterAll(async () => {
      await Promise.all(layers.map((l) => l.close()))
      await server?.stop()
      oracleDb.close()
    })

    it('the server really has no zone data: CONVERT_TZ to a named zone is NULL, to an offset it is not', async () => {
      const [row] = await admin<Row>(`SELECT CONVERT_TZ('2024-01-01 00:00:00', '+00:00', 'Europe/Berlin') AS named,
      CONVERT_TZ('2024-01-01 00:00:00', '+00:00', '+05:30') AS fixed, (SELECT count(*) FROM mysql.time_zone_name) AS zones`)
      expect({ ...row, zones: Number(row?.zones) }).toEqual({ named: null, fixed: '2024-01-01 05:30:00', zones: 0 })
    })

    it('refuses a named zone with UNSUPPORTED / TIME_ZONE_TABLES_MISSING (query and stream), never NULL buckets', async () => {
      const layer = await newLayer()
      for (const zone of ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
        const error = await rejection(layer.query(monthsIn(zone)))
        expect(error.code).toBe('UNSUPPORTED')
        expect(error.issues[0]).toMatchObject({ code: 'TIME_ZONE_TABLES_MISSING', path: ['timezone'] })
        expect(error.message).toContain('mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb -u root mysql')
        expect(error.message).not.toContain(zone)
      }
      // A time dimension without granularity is converted to the zone too.
      const raw = await rejection(
        layer.query({ dimensions: ['orders.created_at'], timezone: 'Europe/Berlin', limit: 5 }),
      )
      expect(raw.issues[0]?.code).toBe('TIME_ZONE_TABLES_MISSING')
      const streamed = await rejection(
        (async () => {
          for await (const row of layer.stream({ ...monthsIn('Europe/Berlin'), dimensions: ['orders.status'] }))
            void row
        })(),
      )
      expect(streamed.issues[0]?.code).toBe('TIME_ZONE_TABLES_MISSING')
      // Compiling needs no server: the SQL is still available.
      expect((await layer.sql(monthsIn('Europe/Berlin'))).params).toContain('Europe/Berlin')
    })

    it.each([
      ['UTC', '+0 hours'],
      ['Etc/UTC', '+0 hours'],
      ['Zulu', '+0 hours'],
      ['Etc/GMT-5', '+5 hours'],
      ['Etc/GMT+11', '-11 hours'],
    ])(
      'answers in %s without tables, like the oracle (day and month buckets, fixed offset %s)',
      async (zone, shift) => {
        const layer = await newLayer()
        const local = `datetime(created_at, '${shift}')`
        for (const granularity of ['day', 'month'] as const) {
          const { data, sql } = await layer.query({
            measures: ['orders.count', 'orders.total_amount'],
            timeDimensions: [{ dimension: 'orders.created_at', granularity }],
            timezone: zone,
          })
          expect(sql.params).not.toContain(zone) // bound as an offset, which needs no tables
          const bucket = isoSql(truncSql(local, granularity))
          expectOracle(
            data,
            oracle(`SELECT ${bucket} AS "orders.created_at.${granularity}", ${bucket} AS "orders.created_at",
        count(*) AS "orders.count", sum(amount) AS "orders.total_amount" FROM orders GROUP BY 1`),
          )
        }
      },
    )

    it('answers date ranges and date filters in a named zone without tables (bounds are UTC instants)', async () => {
      const layer = await newLayer()
      const { data } = await layer.query({
        measures: ['orders.count'],
        dimensions: ['orders.status'],
        timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-03-01', '2024-03-31'] }],
        filters: [{ member: 'orders.shipped_at', operator: 'beforeDate', values: ['2024-04-05'] }],
        timezone: 'Europe/Berlin',
      })
      expectOracle(
        data,
        oracle(`SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders
      WHERE ${inLocalDays('created_at', '2024-03-01', '2024-03-31', 'Europe/Berlin')}
        AND shipped_at < datetime('2024-04-05 00:00:00', '-2 hours') GROUP BY status`),
      )
      // A UTC day bucket with a Berlin date range: no conversion in SQL, so no tables needed either.
      const utc = await layer.query({
        measures: ['orders.count'],
        timeDimensions: [
          { dimension: 'orders.created_at', granularity: 'day', dateRange: ['2024-03-01', '2024-03-03'] },
        ],
      })
      expectOracle(
        utc.data,
        oracle(`SELECT ${timeCols('created_at', 'orders.created_at', 'day')}, count(*) AS "orders.count" FROM orders
      WHERE ${inLocalDays('created_at', '2024-03-01', '2024-03-03')} GROUP BY 1`),
      )
    })

    it('checks each zone once per connector, also when the first queries run concurrently', async () => {
      const layer = await newLayer()
      const before = await zoneChecks()
      const first = await Promise.allSettled(Array.from({ length: 6 }, () => layer.query(monthsIn('Europe/Berlin'))))
      expect(first.every((r) => r.status === 'rejected')).toBe(true)
      for (let i = 0; i < 3; i++)
        await expect(layer.query(monthsIn('Europe/Berlin'))).rejects.toMatchObject({ code: 'UNSUPPORTED' })
      await expect(layer.query(monthsIn('America/Chicago'))).rejects.toMatchObject({ code: 'UNSUPPORTED' })
      await expect(layer.query(monthsIn('America/Chicago'))).rejects.toMatchObject({ code: 'UNSUPPORTED' })
      await layer.query(monthsIn('UTC'))
      await layer.query(monthsIn('Etc/GMT-5'))
      expect((await zoneChecks()) - before).toBe(2) // Berlin and Chicago, once each; fixed zones need no check
    })

    it.skipIf(!binaries?.client || !binaries?.tzinfo)(
      'after the operator loads a zone, a new connector answers in it like the oracle',
      async () => {
        const before = await newLayer()
        await expect(before.query(monthsIn('Europe/Berlin'))).rejects.toMatchObject({ code: 'UNSUPPORTED' })
        await loadZone(server, 'Europe/Berlin')
        const after = await newLayer()
        const { data } = await after.query(monthsIn('Europe/Berlin'))
        expectOracle(
          data,
          oracle(`SELECT ${timeCols('created_at', 'orders.created_at', 'month', 'Europe/Berlin')}, count(*) AS "orders.count"
      FROM orders GROUP BY 1`),
        )
        expect(data.every((r) => r['orders.created_at.month'] !== null)).toBe(true)
        // Zones still missing are refused; a connector that already found Berlin missing keeps its answer (documented).
        await expect(after.query(monthsIn('America/New_York'))).rejects.toMatchObject({ code: 'UNSUPPORTED' })
        await expect(before.query(monthsIn('Europe/Berlin'))).rejects.toMatchObject({ code: 'UNSUPPORTED' })
      },
    )
  },
)

async function rejection(promise: Promise<unknown>): Promise<SemanticLayerError> {
  try {
    await promise
  } catch (error) {
    if (isSemanticLayerError(error)) return error
    throw error
  }
  throw new Error('expected the promise to reject')
}
