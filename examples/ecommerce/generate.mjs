// Deterministic e-commerce dataset for examples, docs and the integration suite.
//
// Plain ESM JavaScript with no dependencies: the caller passes in a better-sqlite3 Database.
// Every value comes from a seeded PRNG (mulberry32); nothing reads the clock or Math.random(),
// so the same options always produce the same rows.
//
// Timestamps are TEXT 'YYYY-MM-DD HH:MM:SS' in UTC. Besides ~460 random orders spread over
// 2023-01-01..2025-06-30 the data holds fixed edge rows (year/month boundaries, DST transitions of
// America/New_York and Europe/Berlin, the days around the test clock 2024-06-15T12:00:00Z) and
// hostile strings (quotes, backslashes, literal % and _, unicode, emoji) that tests rely on.

/** The CREATE TABLE statements (SQLite). */
export const ECOMMERCE_DDL = `CREATE TABLE customers (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  email       TEXT,
  city        TEXT,
  country     TEXT    NOT NULL,
  tier        TEXT    NOT NULL CHECK (tier IN ('gold', 'silver', 'bronze')),
  is_active   INTEGER NOT NULL CHECK (is_active IN (0, 1)),
  created_at  TEXT    NOT NULL
);

CREATE TABLE products (
  id        INTEGER PRIMARY KEY,
  name      TEXT NOT NULL,
  category  TEXT,
  price     REAL NOT NULL
);

CREATE TABLE orders (
  id           INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL REFERENCES customers (id),
  status       TEXT    NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled', 'refunded')),
  amount       REAL    NOT NULL,
  discount     REAL,
  note         TEXT,
  created_at   TEXT    NOT NULL,
  shipped_at   TEXT
);

CREATE TABLE order_items (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders (id),
  product_id  INTEGER NOT NULL REFERENCES products (id),
  quantity    INTEGER NOT NULL,
  unit_price  REAL    NOT NULL
);

CREATE INDEX order_items_order_id ON order_items (order_id);
CREATE INDEX orders_customer_id ON orders (customer_id);
`

const RANGE_START = Date.UTC(2023, 0, 1) // 2023-01-01 00:00:00 UTC
const RANGE_END = Date.UTC(2025, 6, 1) // exclusive: 2025-07-01 00:00:00 UTC
const LAST_INSTANT = '2025-06-30 23:59:59'

/**
 * Fixed `orders.created_at` values (UTC). They become orders 1..N in this order; tests look them up by
 * value, never by id.
 */
export const EDGE_ORDER_TIMESTAMPS = Object.freeze([
  '2023-01-01 00:00:00', // first instant of the data range
  '2023-12-31 23:30:00', // 2024-01-01 00:30 in Europe/Berlin
  '2023-12-31 23:59:59', // last second of 2023 (a Sunday: ISO week of 2023-12-25)
  '2024-01-01 00:00:00', // first second of 2024 (a Monday)
  '2024-01-01 10:00:00', // later the same day (beforeOrOnDate / afterDate are start-of-day rules)
  '2024-01-08 04:30:00', // Monday 04:30 UTC = Sunday 23:30 EST: another week, and day, in New York
  '2024-01-15 22:30:00', // 23:30 CET in Berlin (a fixed +2 offset would say the next day)
  '2024-01-31 23:30:00', // 2024-02-01 00:30 in Europe/Berlin
  '2024-02-29 12:00:00', // leap day
  '2024-02-29 23:30:00', // 2024-03-01 00:30 in Europe/Berlin
  '2024-03-01 03:00:00', // 2024-02-29 22:00 in America/New_York
  '2024-03-05 04:30:00', // 2024-03-04 23:30 EST (a fixed -4 offset would say 03-05)
  '2024-03-10 06:59:59', // 01:59:59 EST, the last second before New York springs forward
  '2024-03-10 07:00:00', // 03:00:00 EDT, the first second after
  '2024-03-31 00:59:59', // 01:59:59 CET, the last second before Berlin springs forward
  '2024-03-31 01:00:00', // 03:00:00 CEST, the first second after
  '2024-03-31 12:00:00', // last day of Q1
  '2024-03-31 23:59:59', // last second of March
  '2024-04-01 00:00:00', // first second of April / Q2
  '2024-04-01 03:30:00', // 2024-03-31 23:30 in America/New_York
  '2024-05-05 05:05:05', // two orders in the same second ...
  '2024-05-05 05:05:05',
  '2024-05-05 05:05:30', // ... one more in the same minute ...
  '2024-05-05 05:45:00', // ... and one more in the same hour
  '2024-05-31 23:59:59', // last second of the month before "now"
  '2024-06-01 00:00:00', // first second of the month of "now"
  '2024-06-01 02:00:00', // 2024-05-31 22:00 in America/New_York
  '2024-06-07 23:59:59', // just before "last 7 days" (2024-06-08..2024-06-14)
  '2024-06-08 00:00:00', // first second of "last 7 days"
  '2024-06-09 23:59:59', // Sunday before "this week"
  '2024-06-10 00:00:00', // Monday: first second of "this week"
  '2024-06-14 02:00:00', // UTC yesterday, but 2024-06-13 in America/New_York
  '2024-06-14 12:00:00', // yesterday
  '2024-06-15 00:00:00', // today (the test clock is 2024-06-15T12:00:00Z, a Saturday)
  '2024-06-15 03:00:00', // UTC today, but yesterday (2024-06-14 23:00) in America/New_York
  '2024-06-15 11:59:59',
  '2024-06-15 12:00:00', // exactly "now"
  '2024-06-15 23:59:59', // later today, still "today"
  '2024-06-16 00:00:00', // tomorrow, Sunday: still "this week"
  '2024-06-17 00:00:00', // next Monday
  '2024-07-01 00:00:00', // first second of Q3
  '2024-07-01 02:00:00', // 2024-06-30 22:00 in America/New_York
  '2024-10-27 00:30:00', // 02:30 CEST in Berlin ...
  '2024-10-27 01:30:00', // ... and 02:30 CET one hour later (ambiguous local time)
  '2024-11-03 05:30:00', // 01:30 EDT in New York ...
  '2024-11-03 06:30:00', // ... and 01:30 EST one hour later (ambiguous local time)
  '2024-12-01 04:30:00', // 2024-11-30 23:30 EST: November in New York
  '2024-12-31 22:30:00', // 23:30 CET on New Year's Eve: still 2024 in Berlin
  '2024-12-31 23:59:59',
  '2025-01-01 00:00:00',
  '2025-06-30 23:59:59', // last instant of the data range
])

const SPECIAL_CUSTOMERS = [
  { name: 'Zoë Łukasiewicz', email: 'zoe@example.pl', city: 'Kraków', country: 'Poland', tier: 'gold' },
  { name: 'José Ñúñez', email: 'jose@example.es', city: 'Sevilla', country: 'Spain', tier: 'silver' },
  { name: '東京 商事', email: 'info@example.jp', city: '東京', country: 'Japan', tier: 'gold' },
  { name: '🚀 Rocket Co', email: 'launch@example.com', city: null, country: 'USA', tier: 'bronze' },
  { name: "Seán O'Brien", email: "sean.o'brien@example.ie", city: 'Dublin', country: 'Ireland', tier: 'silver' },
  { name: 'The "Quoted" Shop', email: null, city: 'London', country: 'UK', tier: 'bronze' },
  { name: 'snake_case_co', email: 'snake@example.de', city: 'Berlin', country: 'Germany', tier: 'silver' },
  { name: 'SnakeXcase Holdings', email: 'holdings@example.de', city: 'Hamburg', country: 'Germany', tier: 'bronze' },
  { name: 'a\\b', email: 'backslash@example.com', city: null, country: 'Germany', tier: 'bronze' },
  { name: 'ab Trading', email: 'ab@example.com', city: 'Munich', country: 'Germany', tier: 'silver' },
  { name: '100% Natural Ltd', email: 'natural@example.fr', city: 'Paris', country: 'France', tier: 'gold' },
  { name: '1000 Islands Inc', email: 'islands@example.com', city: 'Chicago', country: 'USA', tier: 'bronze' },
]

/** Customers that never order, appended at the end (ids customers-4 .. customers). */
const ORDERLESS_CUSTOMERS = [
  { name: 'Björk Guðmundsdóttir', email: 'bjork@example.is', city: 'Reykjavík', country: 'Iceland', tier: 'gold' },
  { name: 'Idle Ian', email: null, city: null, country: 'UK', tier: 'bronze' },
  { name: 'Window Shopper', email: 'window@example.com', city: 'Austin', country: 'USA', tier: 'silver' },
  { name: 'Nadia Nobuy', email: 'nadia@example.fr', city: 'Lyon', country: 'France', tier: 'bronze' },
]

const FIRST_NAMES = [
  'Anna',
  'Ben',
  'Carla',
  'David',
  'Elena',
  'Felix',
  'Grace',
  'Hugo',
  'Ines',
  'Jonas',
  'Kai',
  'Lena',
  'Marco',
  'Nora',
  'Oscar',
  'Paula',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Will',
  'Yuki',
]
const LAST_NAMES = [
  'Adams',
  'Becker',
  'Costa',
  'Dubois',
  'Evans',
  'Fischer',
  'García',
  'Hansen',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Müller',
  'Nakamura',
  'Olsen',
  'Petrov',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Weber',
]

const COUNTRIES = [
  // [country, weight, cities]
  ['USA', 5, ['New York', 'Boston', 'Seattle', 'Denver']],
  ['Germany', 4, ['Berlin', 'Köln', 'Leipzig']],
  ['UK', 3, ['London', 'Leeds', 'Bristol']],
  ['France', 2, ['Paris', 'Nice']],
  ['Japan', 2, ['Osaka', 'Kyoto']],
  ['Poland', 1, ['Warszawa', 'Gdańsk']],
  ['Spain', 1, ['Madrid', 'Valencia']],
  ['Brazil', 1, ['São Paulo', 'Recife']],
]

const PRODUCTS = [
  // [name, category, price]
  ['USB-C Cable', 'Electronics', 9.99],
  ['Wireless Mouse', 'Electronics', 24.5],
  ['27" Monitor', 'Electronics', 219.0],
  ['Noise-Cancelling Headphones', 'Electronics', 149.95],
  ['snake_case Adapter', 'Electronics', 14.25],
  ['The Pragmatic Programmer', 'Books', 39.9],
  ['Café Recipes ☕', 'Books', 19.99],
  ['Ñandú Atlas', 'Books', 27.35],
  ['100% Cotton Tee', 'Apparel', 19.99],
  ['Rain Jacket', 'Apparel', 89.0],
  ["Kids' Kite", 'Toys', 12.49],
  ['Building Blocks', 'Toys', 34.99],
  ['Yoga Mat', 'Sports', 29.95],
  ['Tennis Racket', 'Sports', 119.0],
  ['Garden Hose', 'Home & Garden', 42.1],
  ['Back\\slash Bracket', 'Home & Garden', 7.77],
  ['Desk Lamp', 'Home & Garden', 45.0],
  ['Espresso Beans 1kg', 'Grocery', 18.6],
  ['Green Tea', 'Grocery', 6.45],
  ['Mystery Box', null, 50.0],
  ['Gift Card', null, 25.0],
  ['Sample Pack', null, 0.99],
  ['Standing Desk', 'Home & Garden', 499.99],
  ['Smartwatch', 'Electronics', 259.0],
]

const NOTES = [
  '100% off',
  '1000 off',
  'gift_wrap',
  'giftXwrap',
  'path a\\b',
  'ab testing',
  "customer's request",
  'say "hi"',
  'Leave at door',
  'FRAGILE',
  'fragile glass',
  '🎁 gift',
  'rush',
  '50%',
  '50 percent',
  'Ünïcödé note',
]

const STATUSES = [
  ['paid', 34],
  ['shipped', 28],
  ['pending', 14],
  ['cancelled', 12],
  ['refunded', 12],
]

/** mulberry32: a tiny, well-distributed 32-bit PRNG returning floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function formatTs(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

function parseTs(text) {
  return Date.parse(`${text.replace(' ', 'T')}Z`)
}

/**
 * Generate the dataset as plain rows (column names as keys; booleans as 0/1, as SQLite stores them).
 *
 * @param {{ seed?: number, customers?: number, products?: number, orders?: number }} [options]
 */
export function generateEcommerce({ seed = 42, customers = 60, products = 24, orders = 500 } = {}) {
  const rnd = mulberry32(seed)
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1)) // inclusive
  const pick = (list) => list[Math.floor(rnd() * list.length)]
  const weighted = (pairs) => {
    const total = pairs.reduce((s, p) => s + p[1], 0)
    let r = rnd() * total
    for (const p of pairs) {
      r -= p[1]
      if (r < 0) return p
    }
    return pairs[pairs.length - 1]
  }
  const randomInstant = () => formatTs(RANGE_START + Math.floor(rnd() * ((RANGE_END - RANGE_START) / 1000)) * 1000)

  // ---- customers -----------------------------------------------------------------------------
  const customerRows = []
  const usedNames = new Set()
  const orderless = ORDERLESS_CUSTOMERS.slice(0, Math.max(0, Math.min(ORDERLESS_CUSTOMERS.length, customers - 1)))
  const special = SPECIAL_CUSTOMERS.slice(0, Math.max(0, customers - orderless.length))
  const plainCount = customers - special.length - orderless.length
  const makeCustomer = (base) => {
    const id = customerRows.length + 1
    usedNames.add(base.name)
    customerRows.push({
      id,
      name: base.name,
      email: base.email,
      city: base.city,
      country: base.country,
      tier: base.tier,
      is_active: rnd() < 0.75 ? 1 : 0,
      created_at: id === 1 ? '2024-01-01 00:00:00' : id === 2 ? '2023-12-31 23:59:59' : randomInstant(),
    })
  }
  for (const c of special) makeCustomer(c)
  for (let i = 0; i < plainCount; i++) {
    let name
    let attempts = 0
    do name = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`
    while (usedNames.has(name) && ++attempts < 50)
    // Large datasets (benchmarks) run out of first×last pairs: number the repeats.
    if (usedNames.has(name)) name = `${name} ${i}`
    const [country, , cities] = weighted(COUNTRIES)
    const tierRoll = rnd()
    const slug = name
      .normalize('NFD')
      .replace(/[^A-Za-z ]/g, '')
      .toLowerCase()
      .replace(' ', '.')
    makeCustomer({
      name,
      email: rnd() < 0.1 ? null : `${slug}@example.com`,
      city: rnd() < 0.12 ? null : pick(cities),
      country,
      tier: tierRoll < 0.2 ? 'gold' : tierRoll < 0.55 ? 'silver' : 'bronze',
    })
  }
  for (const c of orderless) makeCustomer(c)
  const orderingCustomerCount = customerRows.length - orderless.length

  // ---- products ------------------------------------------------------------------------------
  const productRows = []
  for (let i = 0; i < products; i++) {
    const base = PRODUCTS[i % PRODUCTS.length]
    const name = i < PRODUCTS.length ? base[0] : `${base[0]} #${Math.floor(i / PRODUCTS.length) + 1}`
    const price = i < PRODUCTS.length ? base[2] : Math.round(base[2] * (0.8 + rnd() * 0.4) * 100) / 100
    productRows.push({ id: i + 1, name, category: base[1], price })
  }

  // ---- orders and items ----------------------------------------------------------------------
  const orderRows = []
  const itemRows = []
  for (let i = 0; i < orders; i++) {
    const id = i + 1
    const createdAt = i < EDGE_ORDER_TIMESTAMPS.length ? EDGE_ORDER_TIMESTAMPS[i] : randomInstant()
    // Skewed towards low ids so a few customers order a lot (measure filters need big groups).
    const customerId = orderingCustomerCount > 0 ? 1 + Math.floor(rnd() ** 1.6 * orderingCustomerCount) : 1
    const status = weighted(STATUSES)[0]

    const itemCount = productRows.length === 0 || rnd() < 0.06 ? 0 : int(1, 4)
    const chosen = new Set()
    let amountCents = 0
    for (let k = 0; k < itemCount; k++) {
      let product
      do product = productRows[Math.floor(rnd() * productRows.length)]
      while (chosen.has(product.id) && chosen.size < productRows.length)
      chosen.add(product.id)
      const quantity = rnd() < 0.55 ? 1 : rnd() < 0.6 ? int(2, 3) : int(4, 6)
      const priceCents = Math.round(product.price * 100)
      const unitCents = rnd() < 0.12 ? Math.round(priceCents * 0.85) : priceCents
      amountCents += quantity * unitCents
      itemRows.push({
        id: itemRows.length + 1,
        order_id: id,
        product_id: product.id,
        quantity,
        unit_price: unitCents / 100,
      })
    }

    let shippedAt = null
    if (status === 'shipped' || (status === 'refunded' && rnd() < 0.6)) {
      const shipped = parseTs(createdAt) + int(3600, 7 * 24 * 3600) * 1000
      shippedAt = shipped > parseTs(LAST_INSTANT) ? LAST_INSTANT : formatTs(shipped)
    }
    const discount = amountCents > 0 && rnd() < 0.35 ? Math.round(amountCents * rnd() * 0.15) / 100 : null
    const note = rnd() < 0.3 ? NOTES[int(0, NOTES.length - 1)] : null

    orderRows.push({
      id,
      customer_id: customerId,
      status,
      amount: amountCents / 100,
      discount,
      note,
      created_at: createdAt,
      shipped_at: shippedAt,
    })
  }

  // Make sure every note variant and every status exists at least once, whatever the seed: the
  // integration suite's LIKE-escaping cases need both members of each look-alike pair.
  const withNote = new Set(orderRows.map((o) => o.note))
  let cursor = EDGE_ORDER_TIMESTAMPS.length
  for (const note of NOTES) {
    if (withNote.has(note) || cursor >= orderRows.length) continue
    orderRows[cursor].note = note
    cursor += 1
  }

  return { customers: customerRows, products: productRows, orders: orderRows, order_items: itemRows }
}

/**
 * Create the tables in a better-sqlite3 database (dropping them first) and insert the rows in one
 * transaction. Returns the data that was inserted.
 *
 * @param {import('better-sqlite3').Database} db
 * @param {ReturnType<typeof generateEcommerce>} [data]
 */
export function createEcommerceSqlite(db, data = generateEcommerce()) {
  db.exec(
    'DROP TABLE IF EXISTS order_items; DROP TABLE IF EXISTS orders; DROP TABLE IF EXISTS products; DROP TABLE IF EXISTS customers;',
  )
  db.exec(ECOMMERCE_DDL)
  const insert = {
    customers: db.prepare(
      'INSERT INTO customers (id, name, email, city, country, tier, is_active, created_at) VALUES (@id, @name, @email, @city, @country, @tier, @is_active, @created_at)',
    ),
    products: db.prepare('INSERT INTO products (id, name, category, price) VALUES (@id, @name, @category, @price)'),
    orders: db.prepare(
      'INSERT INTO orders (id, customer_id, status, amount, discount, note, created_at, shipped_at) VALUES (@id, @customer_id, @status, @amount, @discount, @note, @created_at, @shipped_at)',
    ),
    order_items: db.prepare(
      'INSERT INTO order_items (id, order_id, product_id, quantity, unit_price) VALUES (@id, @order_id, @product_id, @quantity, @unit_price)',
    ),
  }
  db.transaction(() => {
    for (const table of ['customers', 'products', 'orders', 'order_items']) {
      for (const row of data[table]) insert[table].run(row)
    }
  })()
  return data
}
