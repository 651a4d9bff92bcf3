// The cost of Cortex's collation-independent text match on MySQL/MariaDB (docs/performance.md,
// "MySQL text operators"): a `contains` over 1M rows as a plain LIKE under the column's collation against
// LOWER(CONVERT(col USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(?), alternating, median of 5 each.
//   BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/test node bench/mysql-text-forms.mjs
// Works in its own database (cortex_bench_text_<random>), dropped afterwards. MariaDB only (seq_1_to_N).
import { createRequire } from 'node:module'

const url = process.env.BENCH_MYSQL_URL
if (!url) throw new Error('set BENCH_MYSQL_URL')
const mysql = createRequire(import.meta.url)('mysql2/promise')
const db = `cortex_bench_text_${Math.random().toString(36).slice(2, 8)}`
const c = await mysql.createConnection(url)
const forms = {
  'plain LIKE (column collation)': "SELECT count(*) AS n FROM big WHERE note LIKE ? ESCAPE '!'",
  'Cortex: LOWER(CONVERT(...)) COLLATE utf8mb4_bin':
    "SELECT count(*) AS n FROM big WHERE LOWER(CONVERT((note) USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(?) ESCAPE '!'",
  // Alternatives not taken: invalid on latin1 / binary columns, and accent-folding with every emoji equal.
  'LOWER(col) COLLATE utf8mb4_bin':
    "SELECT count(*) AS n FROM big WHERE LOWER(note) COLLATE utf8mb4_bin LIKE LOWER(?) ESCAPE '!'",
  'CONVERT(...) COLLATE utf8mb4_general_ci':
    "SELECT count(*) AS n FROM big WHERE CONVERT((note) USING utf8mb4) COLLATE utf8mb4_general_ci LIKE ? ESCAPE '!'",
}
try {
  await c.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`)
  await c.query(`USE \`${db}\``)
  await c.query('CREATE TABLE big (id INT PRIMARY KEY, note VARCHAR(100) NOT NULL)')
  await c.query(
    "INSERT INTO big SELECT seq, CONCAT('Order note number ', seq, ' for Seán O''Brien') FROM seq_1_to_1000000",
  )
  const times = Object.fromEntries(Object.keys(forms).map((k) => [k, []]))
  for (let round = 0; round < 6; round++) {
    for (const [name, sql] of Object.entries(forms)) {
      const started = performance.now()
      await c.execute(sql, ['%12345%'])
      if (round > 0) times[name].push(performance.now() - started) // round 0 warms the buffer pool
    }
  }
  const [[{ version }]] = await c.query('SELECT VERSION() AS version')
  console.log(`${version}, 1M rows, contains '12345', median of 5:`)
  for (const [name, t] of Object.entries(times)) console.log(`  ${name}: ${Math.round(t.sort((a, b) => a - b)[2])} ms`)
} finally {
  await c.query(`DROP DATABASE IF EXISTS \`${db}\``)
  await c.end()
}
