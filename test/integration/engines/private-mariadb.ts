/**
 * A MariaDB server of the test's own, started from an empty data directory (`mariadb-install-db`, then
 * `mariadbd` on a free port with a small buffer pool), so server-level state such as empty time zone
 * tables is tested without touching the shared server. `stop()` shuts it down and removes the directory.
 * Runs as root too (`--user=root`, as CI does).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const require = createRequire(import.meta.url)

export interface MariadbBinaries {
  readonly install: string
  readonly server: string
  /** The command-line client and the zoneinfo converter, when installed (loading zone tables needs both). */
  readonly client?: string
  readonly tzinfo?: string
}

export interface PrivateMariadb {
  /** `mysql://root@127.0.0.1:<port>/mysql` (no password: the server runs with --skip-grant-tables). */
  readonly url: string
  readonly binaries: MariadbBinaries
  stop(): Promise<void>
}

function find(names: readonly string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/mysql/bin']
  for (const name of names) for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name)
  return undefined
}

/** The installed MariaDB programs, or undefined when the server or its installer is missing. */
export function mariadbBinaries(): MariadbBinaries | undefined {
  const install = find(['mariadb-install-db', 'mysql_install_db'])
  const server = find(['mariadbd', 'mysqld'])
  if (!install || !server) return undefined
  const client = find(['mariadb', 'mysql'])
  const tzinfo = find(['mariadb-tzinfo-to-sql', 'mysql_tzinfo_to_sql'])
  return { install, server, ...(client ? { client } : {}), ...(tzinfo ? { tzinfo } : {}) }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

interface Pingable {
  query(sql: string): Promise<unknown>
  end(): Promise<void>
}

async function waitForServer(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const mysql = require('mysql2/promise') as { createConnection(uri: string): Promise<Pingable> }
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) break
    try {
      const c = await mysql.createConnection(url)
      await c.query('SELECT 1')
      await c.end()
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const log = await readFile(logFile, 'utf8').catch(() => '')
  throw new Error(
    `the private MariaDB server did not start (exit code ${String(child.exitCode)}):\n${log.slice(-2000)}`,
  )
}

/** Install a data directory and start a server on it; throws with the server's error log if it does not come up. */
export async function startPrivateMariadb(binaries: MariadbBinaries): Promise<PrivateMariadb> {
  const dir = await mkdtemp(join(tmpdir(), 'cortex-mariadb-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : []
  let child: ChildProcess | undefined
  const stop = async (): Promise<void> => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child!.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await run(
      binaries.install,
      [
        '--no-defaults',
        `--datadir=${data}`,
        ...asRoot,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
      ],
      { timeout: 120_000 },
    )
    const port = await freePort()
    const logFile = join(dir, 'error.log')
    child = spawn(
      binaries.server,
      [
        '--no-defaults',
        `--datadir=${data}`,
        ...asRoot,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--skip-networking=0',
        `--socket=${join(dir, 'mysqld.sock')}`,
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        `--log-error=${logFile}`,
        '--skip-grant-tables',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=8M',
        '--innodb-log-file-size=4M',
      ],
      { stdio: 'ignore' },
    )
    const url = `mysql://root@127.0.0.1:${port}/mysql`
    await waitForServer(url, child, logFile)
    return { url, binaries, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * Load one zone into the server's time zone tables, as an operator would with
 * `mariadb-tzinfo-to-sql /usr/share/zoneinfo/<zone> <zone> | mariadb -u root mysql`.
 */
export async function loadZone(server: PrivateMariadb, zone: string): Promise<void> {
  const { client, tzinfo } = server.binaries
  if (!client || !tzinfo) throw new Error('mariadb and mariadb-tzinfo-to-sql are needed to load zone tables')
  const { stdout } = await run(tzinfo, [join('/usr/share/zoneinfo', zone), zone], { maxBuffer: 16 * 1024 * 1024 })
  const url = new URL(server.url)
  await new Promise<void>((resolve, reject) => {
    const mysql = spawn(client, ['--no-defaults', '-h', url.hostname, '-P', url.port, '-u', 'root', 'mysql'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    })
    let stderr = ''
    mysql.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    mysql.once('error', reject)
    mysql.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`loading ${zone} failed: ${stderr}`))))
    mysql.stdin!.end(stdout)
  })
}
