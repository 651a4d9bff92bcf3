// Child process for bench/files-floors.mjs: the floors under a files() load into in-memory SQLite.
// Usage: node bench/children/files-floor.mjs <baseline|insert> <file.csv>
//   baseline: Node with cortex-semantic (dist/index.js, dist/files.js) and better-sqlite3 loaded, an empty
//             in-memory database open: the peak RSS before any data.
//   insert:   the file's rows pre-parsed and typed outside the timing (split on commas; the bench's orders
//             CSV has no quoted fields), then inserted the way the files() store does it (64-row INSERTs,
//             64 statements per transaction): the time SQLite and better-sqlite3 take alone, and the
//             database's size (page_count * page_size).
import { readFileSync } from 'node:fs'

const [how, file] = process.argv.slice(2)
const rss = () => process.resourceUsage().maxRSS / 1024
await import('../../dist/index.js')
await import('../../dist/files.js')
const { default: Database } = await import('better-sqlite3')
const db = new Database(':memory:')
if (how === 'baseline') {
  process.stdout.write(JSON.stringify({ how, maxRssMB: rss() }))
} else {
  const lines = readFileSync(file, 'utf8').split('\n')
  const header = lines.shift().split(',')
  if (lines.at(-1) === '') lines.pop()
  const width = header.length
  const numeric = header.map((_, i) => lines.slice(0, 1000).every((l) => /^-?[0-9.]*$/.test(l.split(',')[i])))
  const values = new Array(lines.length * width)
  let k = 0
  for (const line of lines) {
    const fields = line.split(',')
    for (let i = 0; i < width; i++) {
      const f = fields[i]
      values[k++] = f === '' || f === undefined ? null : numeric[i] ? Number(f) : f
    }
  }
  lines.length = 0
  db.exec(`CREATE TABLE t (${header.map((h, i) => `"${h}" ${numeric[i] ? 'REAL' : 'TEXT'}`).join(', ')})`)
  const per = 64
  const tuple = `(${Array(width).fill('?').join(', ')})`
  const full = db.prepare(`INSERT INTO t VALUES ${Array(per).fill(tuple).join(', ')}`)
  const buffer = new Array(per * width)
  const rows = values.length / width
  const write = db.transaction((from, to) => {
    for (let r = from; r + per <= to; r += per) {
      for (let i = 0; i < per * width; i++) buffer[i] = values[r * width + i]
      full.run(buffer)
    }
  })
  const started = performance.now()
  const step = per * 64
  let r = 0
  for (; r + step <= rows; r += step) write(r, r + step)
  write(r, rows - ((rows - r) % per))
  r = rows - ((rows - r) % per)
  if (r < rows) {
    const rest = db.prepare(
      `INSERT INTO t VALUES ${Array(rows - r)
        .fill(tuple)
        .join(', ')}`,
    )
    rest.run(values.slice(r * width))
  }
  const insertMs = performance.now() - started
  const count = db.prepare('SELECT count(*) AS n FROM t').get().n
  const dbBytes = db.pragma('page_count', { simple: true }) * db.pragma('page_size', { simple: true })
  process.stdout.write(JSON.stringify({ how, rows: count, insertMs, dbMB: dbBytes / 1048576, maxRssMB: rss() }))
}
db.close()
