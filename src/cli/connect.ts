import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Connector } from '../index.js'
import { UsageError } from './output.js'

export type DbKind = 'sqlite' | 'postgres' | 'mysql'

export interface DbTarget {
  readonly kind: DbKind
  /** A file path for SQLite, a connection URL otherwise. */
  readonly location: string
}

const USAGE = '--db must be sqlite:<path>, postgres://user:pass@host:5432/db or mysql://user:pass@host:3306/db.'

/** `sqlite:./shop.db`, `sqlite:///abs/shop.db`, `postgres://…`, `postgresql://…`, `mysql://…`, `mariadb://…`. */
export function parseDb(value: string, cwd: string): DbTarget {
  const sqliteMatch = /^sqlite:(.*)$/i.exec(value)
  if (sqliteMatch) {
    let path = sqliteMatch[1]!
    if (path.startsWith('//')) path = path.slice(2)
    if (path === '') throw new UsageError(`${USAGE} (the SQLite path is empty)`)
    return { kind: 'sqlite', location: path === ':memory:' ? path : resolve(cwd, path) }
  }
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', location: value }
  if (/^(mysql|mariadb):\/\//i.test(value)) return { kind: 'mysql', location: value.replace(/^mariadb:/i, 'mysql:') }
  throw new UsageError(USAGE)
}

/** Open a connector for the target, importing only the matching driver module. */
export async function connect(target: DbTarget): Promise<Connector> {
  switch (target.kind) {
    case 'sqlite': {
      if (target.location !== ':memory:' && !existsSync(target.location))
        throw new UsageError(`No SQLite database at ${target.location}.`)
      const { sqlite } = await import('../sqlite.js')
      return target.location === ':memory:'
        ? sqlite({ filename: ':memory:' })
        : sqlite({ filename: target.location, readonly: true })
    }
    case 'postgres': {
      const { postgres } = await import('../postgres.js')
      return postgres({ connection: target.location })
    }
    case 'mysql': {
      const { mysql } = await import('../mysql.js')
      return mysql({ connection: target.location })
    }
  }
}
