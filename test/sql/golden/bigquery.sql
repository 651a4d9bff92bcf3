-- equals, one value, on a joined query
SELECT `customers`.tier AS `customers__tier`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) WHERE (`orders`.status = @p0) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["paid",10001]

-- equals, several values (IN)
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.status IN (@p0, @p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["paid","shipped",10001]

-- equals with null among the values adds IS NULL
SELECT `products`.category AS `products__category`, count(`products`.id) AS `products__count` FROM products AS `products` WHERE (`products`.category = @p0 OR `products`.category IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["Books",10001]

-- notEquals keeps NULLs
SELECT `products`.category AS `products__category`, count(`products`.id) AS `products__count` FROM products AS `products` WHERE (`products`.category <> @p0 OR `products`.category IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["Books",10001]

-- notEquals with several values (NOT IN, plus NULLs)
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.note NOT IN (@p0, @p1) OR `orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["FRAGILE","rush",10001]

-- contains '100%' matches the percent sign literally
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) LIKE LOWER(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%100\\%%",10001]

-- contains '_' matches only strings with an underscore
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) LIKE LOWER(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%\\_%",10001]

-- contains a backslash matches it literally
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) LIKE LOWER(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%a\\\\b%",10001]

-- contains is case-insensitive; several values are ORed
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) LIKE LOWER(@p0) OR LOWER(`orders`.note) LIKE LOWER(@p1) OR LOWER(`orders`.note) LIKE LOWER(@p2)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p3
-- params: ["%FRAGILE%","%GIFT%","%A\\\\B%",10001]

-- contains with single and double quotes
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) LIKE LOWER(@p0) OR LOWER(`customers`.name) LIKE LOWER(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["%o'brien%","%\"quoted\"%",10001]

-- notContains with several values: ANDed, NULLs kept, % literal
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) NOT LIKE LOWER(@p0) AND LOWER(`orders`.note) NOT LIKE LOWER(@p1) OR `orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["%fragile%","%\\%%",10001]

-- startsWith 'snake_' does not treat _ as a wildcard
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) LIKE LOWER(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["snake\\_%",10001]

-- notStartsWith with several values keeps NULLs
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) NOT LIKE LOWER(@p0) AND LOWER(`orders`.note) NOT LIKE LOWER(@p1) OR `orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["100\\%%","GIFT%",10001]

-- endsWith '_co' does not match ' Co'
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) LIKE LOWER(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%\\_co",10001]

-- endsWith '%' matches a trailing percent sign only
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) LIKE LOWER(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%\\%",10001]

-- notEndsWith keeps NULLs
SELECT `products`.category AS `products__category`, count(`products`.id) AS `products__count` FROM products AS `products` WHERE (LOWER(`products`.category) NOT LIKE LOWER(@p0) OR `products`.category IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%s",10001]

-- gt on a number dimension compares numerically
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.amount > @p0) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: [200,10001]

-- gte and lt together (the gte bound is inclusive)
SELECT `products`.name AS `products__name`, count(`products`.id) AS `products__count` FROM products AS `products` WHERE (`products`.price >= @p0) AND (`products`.price < @p1) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: [19.99,100,10001]

-- lte (inclusive)
SELECT `products`.name AS `products__name`, count(`products`.id) AS `products__count`, avg(`products`.price) AS `products__avg_price` FROM products AS `products` WHERE (`products`.price <= @p0) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: [19.99,10001]

-- gt on a computed number dimension (no column affinity to rescue a string parameter)
SELECT count(`order_items`.id) AS `order_items__count`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM order_items AS `order_items` WHERE (`order_items`.quantity * `order_items`.unit_price > @p0) LIMIT @p1
-- params: [100,10001]

-- set
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.shipped_at IS NOT NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- notSet
SELECT `customers`.country AS `customers__country`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (`customers`.city IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- inDateRange includes the first instant and the whole last day
SELECT `orders`.id AS `orders__id`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["2024-01-01 00:00:00.000","2024-02-01 00:00:00.000",10001]

-- notInDateRange excludes the whole last day of the range
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at < TIMESTAMP(@p0) OR `orders`.created_at >= TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["2023-06-01 00:00:00.000","2024-06-15 00:00:00.000",10001]

-- beforeDate is strictly before the start of the day
SELECT count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at < TIMESTAMP(@p0)) LIMIT @p1
-- params: ["2024-01-01 00:00:00.000",10001]

-- beforeOrOnDate is <= the start of the day (Cube rule)
SELECT count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at <= TIMESTAMP(@p0)) LIMIT @p1
-- params: ["2024-01-01 00:00:00.000",10001]

-- afterDate is > the start of the day (Cube rule)
SELECT count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at > TIMESTAMP(@p0)) LIMIT @p1
-- params: ["2024-01-01 00:00:00.000",10001]

-- afterOrOnDate is >= the start of the day
SELECT count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0)) LIMIT @p1
-- params: ["2024-01-01 00:00:00.000",10001]

-- beforeDate on a nullable time column drops NULLs
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.shipped_at < TIMESTAMP(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["2024-06-01 00:00:00.000",10001]

-- measure filter gt goes to HAVING and compares numerically
SELECT `customers`.name AS `customers__name`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) GROUP BY 1 HAVING (count(`orders`.id) > @p0) ORDER BY 2 DESC LIMIT @p1
-- params: [12,10001]

-- a dimension filter and a measure filter (on an unselected measure) together
SELECT `customers`.country AS `customers__country`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) WHERE (`orders`.status = @p0) GROUP BY 1 HAVING (sum(`orders`.amount) >= @p1) ORDER BY 2 DESC LIMIT @p2
-- params: ["paid",3000,10001]

-- measureFilter applies the measure's own filters in WHERE
SELECT `customers`.tier AS `customers__tier`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) WHERE ((`orders`.status = 'paid')) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- nested or / and / or (depth 3) across two cubes
SELECT `orders`.status AS `orders__status`, `customers`.tier AS `customers__tier`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) WHERE (((`orders`.status = @p0) AND ((`orders`.amount > @p1) OR (`orders`.note IS NOT NULL))) OR (`customers`.tier = @p2)) GROUP BY 1, 2 ORDER BY 3 DESC LIMIT @p3
-- params: ["paid",300,"gold",10001]

-- equals on a dimension of a joined cube
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) WHERE (`customers`.country = @p0) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["Germany",10001]

-- equals on a boolean dimension with Cube's string value 'false'
SELECT `customers`.tier AS `customers__tier`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (`customers`.is_active = @p0) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: [false,10001]

-- equals on a number dimension (string values)
SELECT `orders`.id AS `orders__id`, `orders`.amount AS `orders__amount`, FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME(`orders`.created_at, 'UTC')) AS `orders__created_at`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.id IN (@p0, @p1, @p2)) GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT @p3
-- params: [1,4,19,10001]

-- second in UTC (default order: time ascending)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), SECOND)) AS `orders__created_at_second`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- minute in UTC (default order: time ascending)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), MINUTE)) AS `orders__created_at_minute`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- hour in UTC (default order: time ascending)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), HOUR)) AS `orders__created_at_hour`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- day in UTC (default order: time ascending)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- week in UTC (default order: time ascending)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), ISOWEEK)) AS `orders__created_at_week`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- month in UTC (default order: time ascending)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), MONTH)) AS `orders__created_at_month`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- quarter in UTC (default order: time ascending)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), QUARTER)) AS `orders__created_at_quarter`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- year in UTC (default order: time ascending)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), YEAR)) AS `orders__created_at_year`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- month with a date range and a dimension
SELECT `orders`.status AS `orders__status`, FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), MONTH)) AS `orders__created_at_month`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1, 2 ORDER BY 2 ASC LIMIT @p2
-- params: ["2024-01-01 00:00:00.000","2024-07-01 00:00:00.000",10001]

-- month of a nullable time column keeps the NULL bucket
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.shipped_at, 'UTC'), MONTH)) AS `orders__shipped_at_month`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- a date range without granularity filters but adds no time key
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["2024-02-29 00:00:00.000","2024-04-01 00:00:00.000",10001]

-- month in America/New_York
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), MONTH)) AS `orders__created_at_month`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p1
-- params: ["America/New_York",10001]

-- month in Europe/Berlin
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), MONTH)) AS `orders__created_at_month`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p1
-- params: ["Europe/Berlin",10001]

-- day in America/New_York
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p1
-- params: ["America/New_York",10001]

-- day in Europe/Berlin
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p1
-- params: ["Europe/Berlin",10001]

-- hour in America/New_York (01:30 EDT and 01:30 EST share a bucket)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), HOUR)) AS `orders__created_at_hour`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p1
-- params: ["America/New_York",10001]

-- hour in Europe/Berlin within local days 2024-03-30..2024-10-28
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), HOUR)) AS `orders__created_at_hour`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p1) AND `orders`.created_at < TIMESTAMP(@p2)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p3
-- params: ["Europe/Berlin","2024-03-29 23:00:00.000","2024-10-28 23:00:00.000",10001]

-- week in America/New_York
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), ISOWEEK)) AS `orders__created_at_week`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p1
-- params: ["America/New_York",10001]

-- year in Europe/Berlin ('2023-12-31 23:30:00' UTC is 2024)
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), YEAR)) AS `orders__created_at_year`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 1 ASC LIMIT @p1
-- params: ["Europe/Berlin",10001]

-- day in America/New_York within local days 2024-03-01..2024-03-31
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p1) AND `orders`.created_at < TIMESTAMP(@p2)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p3
-- params: ["America/New_York","2024-03-01 05:00:00.000","2024-04-01 04:00:00.000",10001]

-- day in Europe/Berlin within local days 2024-01-01..2024-01-31
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p1) AND `orders`.created_at < TIMESTAMP(@p2)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p3
-- params: ["Europe/Berlin","2023-12-31 23:00:00.000","2024-01-31 23:00:00.000",10001]

-- raw time dimension values are local wall-clock time
SELECT `orders`.id AS `orders__id`, FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME(`orders`.created_at, @p0)) AS `orders__created_at`, FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME(`orders`.shipped_at, @p1)) AS `orders__shipped_at`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.id <= @p2) GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT @p3
-- params: ["America/New_York","America/New_York",50,10001]

-- inDateRange filter in Europe/Berlin uses local days
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["2023-12-31 23:00:00.000","2024-01-01 23:00:00.000",10001]

-- 'today' is 2024-06-15..2024-06-15 by day
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2024-06-15 00:00:00.000","2024-06-16 00:00:00.000",10001]

-- 'yesterday' is 2024-06-14..2024-06-14
SELECT count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) LIMIT @p2
-- params: ["2024-06-14 00:00:00.000","2024-06-15 00:00:00.000",10001]

-- 'this month' is 2024-06-01..2024-06-30 by day
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2024-06-01 00:00:00.000","2024-07-01 00:00:00.000",10001]

-- 'last month' is 2024-05-01..2024-05-31 by day
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2024-05-01 00:00:00.000","2024-06-01 00:00:00.000",10001]

-- 'last 7 days' is 2024-06-08..2024-06-14 by day
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2024-06-08 00:00:00.000","2024-06-15 00:00:00.000",10001]

-- 'this quarter' is 2024-04-01..2024-06-30 by month
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), MONTH)) AS `orders__created_at_month`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2024-04-01 00:00:00.000","2024-07-01 00:00:00.000",10001]

-- 'last year' is 2023-01-01..2023-12-31 by quarter
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), QUARTER)) AS `orders__created_at_quarter`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2023-01-01 00:00:00.000","2024-01-01 00:00:00.000",10001]

-- 'this week' is 2024-06-10..2024-06-16 by day
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2024-06-10 00:00:00.000","2024-06-17 00:00:00.000",10001]

-- 'from 2024-01-01 to 2024-03-31' is 2024-01-01..2024-03-31 by month
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), MONTH)) AS `orders__created_at_month`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2024-01-01 00:00:00.000","2024-04-01 00:00:00.000",10001]

-- 'yesterday' in America/New_York is 2024-06-14..2024-06-14 by hour
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), HOUR)) AS `orders__created_at_hour`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p1) AND `orders`.created_at < TIMESTAMP(@p2)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p3
-- params: ["America/New_York","2024-06-14 04:00:00.000","2024-06-15 04:00:00.000",10001]

-- 'today' in America/New_York is 2024-06-15..2024-06-15 by day
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, @p0), DAY)) AS `orders__created_at_day`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p1) AND `orders`.created_at < TIMESTAMP(@p2)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p3
-- params: ["America/New_York","2024-06-15 04:00:00.000","2024-06-16 04:00:00.000",10001]

-- one segment
SELECT `customers`.tier AS `customers__tier`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) WHERE (`orders`.status = 'paid') GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- two segments are ANDed
SELECT `customers`.country AS `customers__country`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) WHERE (`orders`.status = 'paid') AND (`orders`.amount > 200) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- a segment of a joined cube (customers.active) on orders' measures
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) WHERE (`customers`.is_active) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- calculated measures amount_per_order and paid_ratio
SELECT `customers`.tier AS `customers__tier`, (sum(`orders`.amount)) / NULLIF((count(`orders`.id)), 0) AS `orders__amount_per_order`, 1.0 * (count(CASE WHEN (`orders`.status = 'paid') THEN `orders`.id END)) / NULLIF((count(`orders`.id)), 0) AS `orders__paid_ratio` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- avg, min, max and a sum over a nullable column
SELECT `orders`.status AS `orders__status`, avg(`orders`.amount) AS `orders__avg_amount`, min(`orders`.amount) AS `orders__min_amount`, max(`orders`.amount) AS `orders__max_amount`, sum(`orders`.discount) AS `orders__total_discount` FROM orders AS `orders` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- filtered measures paid_count and paid_amount (NULL sum where nothing is paid)
SELECT `customers`.name AS `customers__name`, count(`orders`.id) AS `orders__count`, count(CASE WHEN (`orders`.status = 'paid') THEN `orders`.id END) AS `orders__paid_count`, sum(CASE WHEN (`orders`.status = 'paid') THEN `orders`.amount END) AS `orders__paid_amount` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- filtered count active_count next to count
SELECT `customers`.country AS `customers__country`, count(`customers`.id) AS `customers__count`, count(CASE WHEN (`customers`.is_active) THEN `customers`.id END) AS `customers__active_count` FROM customers AS `customers` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- case dimension tier_rank
SELECT CASE WHEN (`customers`.tier = 'gold') THEN 'top' WHEN (`customers`.tier = 'silver') THEN 'mid' ELSE 'low' END AS `customers__tier_rank`, `customers`.tier AS `customers__tier`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` GROUP BY 1, 2 ORDER BY 3 DESC LIMIT @p0
-- params: [10001]

-- boolean dimension values are true/false
SELECT `customers`.is_active AS `customers__is_active`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- count_distinct
SELECT `orders`.status AS `orders__status`, count(DISTINCT `orders`.customer_id) AS `orders__customers_count`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- count_distinct of items rooted at order_items
SELECT `orders`.status AS `orders__status`, count(DISTINCT `order_items`.product_id) AS `order_items__products_count`, count(`order_items`.id) AS `order_items__count`, sum(`order_items`.quantity) AS `order_items__total_quantity` FROM order_items AS `order_items` LEFT JOIN orders AS `orders` ON `order_items`.order_id = (`orders`.id) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- raw values of every dimension type, NULLs included
SELECT `orders`.id AS `orders__id`, `orders`.status AS `orders__status`, `orders`.amount AS `orders__amount`, `orders`.note AS `orders__note`, FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME(`orders`.created_at, 'UTC')) AS `orders__created_at`, FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME(`orders`.shipped_at, 'UTC')) AS `orders__shipped_at`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.id <= @p0) GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 7 DESC LIMIT @p1
-- params: [60,10001]

-- raw customer values: unicode, quotes, backslash, boolean, NULL city
SELECT `customers`.id AS `customers__id`, `customers`.name AS `customers__name`, `customers`.city AS `customers__city`, `customers`.is_active AS `customers__is_active`, FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME(`customers`.created_at, 'UTC')) AS `customers__created_at` FROM customers AS `customers` GROUP BY 1, 2, 3, 4, 5 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- dimensions only (distinct values, NULL included)
SELECT `products`.category AS `products__category` FROM products AS `products` GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- dimensions of two cubes without measures (root customers: customers without orders appear)
SELECT `customers`.country AS `customers__country`, `orders`.status AS `orders__status` FROM customers AS `customers` LEFT JOIN orders AS `orders` ON `customers`.id = (`orders`.customer_id) GROUP BY 1, 2 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- measures only
SELECT count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount`, max(`orders`.amount) AS `orders__max_amount` FROM orders AS `orders` LIMIT @p0
-- params: [10001]

-- products measures by category
SELECT `products`.category AS `products__category`, count(`products`.id) AS `products__count`, avg(`products`.price) AS `products__avg_price` FROM products AS `products` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- sales: own members of the root cube
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- sales: prefixed customer members (customers multiplied by orders → distinct count)
SELECT `customers`.country AS `customers__country`, count(DISTINCT `customers`.id) AS `customers__count`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- sales: members of all three cubes, aliased revenue, filter on a view member
SELECT `customers`.name AS `customers__name`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue`, sum(`orders`.amount) AS `orders__total_amount`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) LEFT JOIN (SELECT `orders`.id AS `cortex_pk_0`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM orders AS `orders` INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`orders`.status = @p0) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id WHERE (`orders`.status = @p1) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["paid","paid",10001]

-- sales: time dimension through the view
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), MONTH)) AS `orders__created_at_month`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p2
-- params: ["2024-01-01 00:00:00.000","2025-01-01 00:00:00.000",10001]

-- customer_overview: includes '*' (case dimension and filtered measure included)
SELECT `customers`.tier AS `customers__tier`, CASE WHEN (`customers`.tier = 'gold') THEN 'top' WHEN (`customers`.tier = 'silver') THEN 'mid' ELSE 'low' END AS `customers__tier_rank`, count(`customers`.id) AS `customers__count`, count(CASE WHEN (`customers`.is_active) THEN `customers`.id END) AS `customers__active_count` FROM customers AS `customers` GROUP BY 1, 2 ORDER BY 3 DESC LIMIT @p0
-- params: [10001]

-- customer_overview: boolean and nullable members with a filter
SELECT `customers`.is_active AS `customers__is_active`, `customers`.country AS `customers__country`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (`customers`.city IS NOT NULL) GROUP BY 1, 2 ORDER BY 3 DESC LIMIT @p0
-- params: [10001]

-- customers.count + orders.count by customers.tier (root customers, customers without orders kept)
SELECT `customers`.tier AS `customers__tier`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__count`), 0) AS `orders__count` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- orders.total_amount + orders.count + order_items.revenue by orders.status
SELECT `orders`.status AS `orders__status`, sum(`orders`.amount) AS `orders__total_amount`, count(`orders`.id) AS `orders__count`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue` FROM orders AS `orders` LEFT JOIN (SELECT (`order_items`.order_id) AS `cortex_pk_0`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM order_items AS `order_items` GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- orders.total_amount + orders.count by products.category (orders multiplied through items; orders without items → NULL category)
SELECT `q0`.`products__category` AS `products__category`, `q0`.`orders__total_amount` AS `orders__total_amount`, `q1`.`orders__count` AS `orders__count` FROM (SELECT `cortex_keys`.`products__category` AS `products__category`, sum(`orders`.amount) AS `orders__total_amount` FROM (SELECT DISTINCT `products`.category AS `products__category`, `orders`.id AS `cortex_pk_0` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id)) AS `cortex_keys` LEFT JOIN orders AS `orders` ON `cortex_keys`.`cortex_pk_0` = `orders`.id GROUP BY 1) AS `q0` INNER JOIN (SELECT `products`.category AS `products__category`, count(DISTINCT `orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id) GROUP BY 1) AS `q1` ON `q0`.`products__category` IS NOT DISTINCT FROM `q1`.`products__category` ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- customers.count + order_items.total_quantity by customers.country (chain of two one_to_many joins)
SELECT `customers`.country AS `customers__country`, count(`customers`.id) AS `customers__count`, sum(`order_items`.`order_items__total_quantity`) AS `order_items__total_quantity` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, sum(`order_items`.quantity) AS `order_items__total_quantity` FROM orders AS `orders` INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- three cubes: customers.count + orders.count + order_items.count by customers.tier
SELECT `customers`.tier AS `customers__tier`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__count`), 0) AS `orders__count`, coalesce(sum(`order_items`.`order_items__count`), 0) AS `order_items__count` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(`order_items`.id) AS `order_items__count` FROM orders AS `orders` INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- orders.avg_amount by products.category (average over distinct orders)
SELECT `q0`.`products__category` AS `products__category`, `q0`.`orders__avg_amount` AS `orders__avg_amount` FROM (SELECT `cortex_keys`.`products__category` AS `products__category`, avg(`orders`.amount) AS `orders__avg_amount` FROM (SELECT DISTINCT `products`.category AS `products__category`, `orders`.id AS `cortex_pk_0` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id)) AS `cortex_keys` LEFT JOIN orders AS `orders` ON `cortex_keys`.`cortex_pk_0` = `orders`.id GROUP BY 1) AS `q0` ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- orders.amount_per_order (calculated over multiplied measures) + order_items.count by customers.country
SELECT `customers`.country AS `customers__country`, (sum(`orders`.amount)) / NULLIF((count(`orders`.id)), 0) AS `orders__amount_per_order`, coalesce(sum(`order_items`.`order_items__count`), 0) AS `order_items__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) LEFT JOIN (SELECT (`order_items`.order_id) AS `cortex_pk_0`, count(`order_items`.id) AS `order_items__count` FROM order_items AS `order_items` GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- filtered measures paid_amount + paid_count by products.category
SELECT `q0`.`products__category` AS `products__category`, `q0`.`orders__paid_amount` AS `orders__paid_amount`, `q1`.`orders__paid_count` AS `orders__paid_count` FROM (SELECT `cortex_keys`.`products__category` AS `products__category`, sum(CASE WHEN (`orders`.status = 'paid') THEN `orders`.amount END) AS `orders__paid_amount` FROM (SELECT DISTINCT `products`.category AS `products__category`, `orders`.id AS `cortex_pk_0` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id)) AS `cortex_keys` LEFT JOIN orders AS `orders` ON `cortex_keys`.`cortex_pk_0` = `orders`.id GROUP BY 1) AS `q0` INNER JOIN (SELECT `products`.category AS `products__category`, count(DISTINCT CASE WHEN (`orders`.status = 'paid') THEN `orders`.id END) AS `orders__paid_count` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id) GROUP BY 1) AS `q1` ON `q0`.`products__category` IS NOT DISTINCT FROM `q1`.`products__category` ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- a filter on the many side (order_items.quantity > 2) restricts orders but counts each once
SELECT `q0`.`orders__status` AS `orders__status`, `q0`.`orders__count` AS `orders__count`, `q1`.`orders__total_amount` AS `orders__total_amount` FROM (SELECT `orders`.status AS `orders__status`, count(DISTINCT `orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`order_items`.quantity > @p0) GROUP BY 1) AS `q0` INNER JOIN (SELECT `cortex_keys`.`orders__status` AS `orders__status`, sum(`orders`.amount) AS `orders__total_amount` FROM (SELECT DISTINCT `orders`.status AS `orders__status`, `orders`.id AS `cortex_pk_0` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`order_items`.quantity > @p1)) AS `cortex_keys` LEFT JOIN orders AS `orders` ON `cortex_keys`.`cortex_pk_0` = `orders`.id GROUP BY 1) AS `q1` ON `q0`.`orders__status` IS NOT DISTINCT FROM `q1`.`orders__status` ORDER BY 2 DESC LIMIT @p2
-- params: [2,2,10001]

-- month granularity with a date range: orders.total_amount + order_items.revenue
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), MONTH)) AS `orders__created_at_month`, sum(`orders`.amount) AS `orders__total_amount`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue` FROM orders AS `orders` LEFT JOIN (SELECT `orders`.id AS `cortex_pk_0`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM orders AS `orders` INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id WHERE (`orders`.created_at >= TIMESTAMP(@p2) AND `orders`.created_at < TIMESTAMP(@p3)) GROUP BY 1 ORDER BY 1 ASC LIMIT @p4
-- params: ["2024-01-01 00:00:00.000","2024-07-01 00:00:00.000","2024-01-01 00:00:00.000","2024-07-01 00:00:00.000",10001]

-- a measure filter (HAVING on an unselected multiplied measure) with order and limit
SELECT `customers`.name AS `customers__name`, sum(`orders`.amount) AS `orders__total_amount`, coalesce(sum(`order_items`.`order_items__count`), 0) AS `order_items__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) LEFT JOIN (SELECT (`order_items`.order_id) AS `cortex_pk_0`, count(`order_items`.id) AS `order_items__count` FROM order_items AS `order_items` GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id GROUP BY 1 HAVING (count(`orders`.id) > @p0) ORDER BY 2 DESC, 1 ASC LIMIT @p1
-- params: [8,6]

-- customers without orders: orders.count 0 and orders.total_amount NULL (root customers)
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__count`), 0) AS `orders__count`, sum(`orders`.`orders__total_amount`) AS `orders__total_amount` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- products multiplied on the one side of belongs_to: products.avg_price + order_items.count by orders.status
SELECT `q0`.`orders__status` AS `orders__status`, `q0`.`order_items__count` AS `order_items__count`, `q1`.`products__avg_price` AS `products__avg_price` FROM (SELECT `orders`.status AS `orders__status`, count(`order_items`.id) AS `order_items__count` FROM order_items AS `order_items` LEFT JOIN orders AS `orders` ON `order_items`.order_id = (`orders`.id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id) GROUP BY 1) AS `q0` INNER JOIN (SELECT `cortex_keys`.`orders__status` AS `orders__status`, avg(`products`.price) AS `products__avg_price` FROM (SELECT DISTINCT `orders`.status AS `orders__status`, `products`.id AS `cortex_pk_0` FROM order_items AS `order_items` LEFT JOIN orders AS `orders` ON `order_items`.order_id = (`orders`.id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id)) AS `cortex_keys` LEFT JOIN products AS `products` ON `cortex_keys`.`cortex_pk_0` = `products`.id GROUP BY 1) AS `q1` ON `q0`.`orders__status` IS NOT DISTINCT FROM `q1`.`orders__status` ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- measures only: orders.count + customers.count (root orders: customers counted once, only those with orders)
SELECT count(`orders`.id) AS `orders__count`, count(DISTINCT `customers`.id) AS `customers__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) LIMIT @p0
-- params: [10001]

-- count_distinct is never multiplied: orders.customers_count by products.category
SELECT `products`.category AS `products__category`, count(DISTINCT `orders`.customer_id) AS `orders__customers_count` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- a segment on the multiplied cube: orders.total_amount by products.category, segment orders.big
SELECT `q0`.`products__category` AS `products__category`, `q0`.`orders__total_amount` AS `orders__total_amount`, `q1`.`orders__count` AS `orders__count` FROM (SELECT `cortex_keys`.`products__category` AS `products__category`, sum(`orders`.amount) AS `orders__total_amount` FROM (SELECT DISTINCT `products`.category AS `products__category`, `orders`.id AS `cortex_pk_0` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id) WHERE (`orders`.amount > 200)) AS `cortex_keys` LEFT JOIN orders AS `orders` ON `cortex_keys`.`cortex_pk_0` = `orders`.id AND (`orders`.amount > 200) GROUP BY 1) AS `q0` INNER JOIN (SELECT `products`.category AS `products__category`, count(DISTINCT `orders`.id) AS `orders__count` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id) WHERE (`orders`.amount > 200) GROUP BY 1) AS `q1` ON `q0`.`products__category` IS NOT DISTINCT FROM `q1`.`products__category` ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf (bench 1): customers.count + orders.count + order_items.revenue by customers.tier
SELECT `customers`.tier AS `customers__tier`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__count`), 0) AS `orders__count`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM orders AS `orders` INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf (bench 2): customers.count + orders.total_amount + order_items.revenue by customers.tier
SELECT `customers`.tier AS `customers__tier`, count(`customers`.id) AS `customers__count`, sum(`orders`.`orders__total_amount`) AS `orders__total_amount`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM orders AS `orders` INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf (bench 3): orders sum + avg with order_items quantity + revenue by orders.status
SELECT `orders`.status AS `orders__status`, sum(`orders`.amount) AS `orders__total_amount`, avg(`orders`.amount) AS `orders__avg_amount`, sum(`order_items`.`order_items__total_quantity`) AS `order_items__total_quantity`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue` FROM orders AS `orders` LEFT JOIN (SELECT (`order_items`.order_id) AS `cortex_pk_0`, sum(`order_items`.quantity) AS `order_items__total_quantity`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM order_items AS `order_items` GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf (bench 4): view sales count + total_amount + items_revenue by customers_country
SELECT `customers`.country AS `customers__country`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) LEFT JOIN (SELECT (`order_items`.order_id) AS `cortex_pk_0`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM order_items AS `order_items` GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf: orders without items get order_items.count 0 and order_items.revenue NULL
SELECT `orders`.id AS `orders__id`, count(`orders`.id) AS `orders__count`, coalesce(sum(`order_items`.`order_items__count`), 0) AS `order_items__count`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue` FROM orders AS `orders` LEFT JOIN (SELECT `orders`.id AS `cortex_pk_0`, count(`order_items`.id) AS `order_items__count`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM orders AS `orders` INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`orders`.id <= @p0) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id WHERE (`orders`.id <= @p1) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: [60,60,10001]

-- folded leaf: customers without orders keep orders.count 0 and NULL sum/min/max/avg (by customers.name)
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__count`), 0) AS `orders__count`, sum(`orders`.`orders__total_amount`) AS `orders__total_amount`, min(`orders`.`orders__min_amount`) AS `orders__min_amount`, max(`orders`.`orders__max_amount`) AS `orders__max_amount`, 1e0 * sum(`orders`.`orders__avg_amount`) / NULLIF(sum(`orders`.`orders__avg_amount_n`), 0) AS `orders__avg_amount` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount`, min(`orders`.amount) AS `orders__min_amount`, max(`orders`.amount) AS `orders__max_amount`, sum(`orders`.amount) AS `orders__avg_amount`, count(`orders`.amount) AS `orders__avg_amount_n` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf: min/max/avg of orders by customers.country (avg over orders, not over customers)
SELECT `customers`.country AS `customers__country`, count(`customers`.id) AS `customers__count`, min(`orders`.`orders__min_amount`) AS `orders__min_amount`, max(`orders`.`orders__max_amount`) AS `orders__max_amount`, 1e0 * sum(`orders`.`orders__avg_amount`) / NULLIF(sum(`orders`.`orders__avg_amount_n`), 0) AS `orders__avg_amount` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, min(`orders`.amount) AS `orders__min_amount`, max(`orders`.amount) AS `orders__max_amount`, sum(`orders`.amount) AS `orders__avg_amount`, count(`orders`.amount) AS `orders__avg_amount_n` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf: filtered measures orders.paid_count + orders.paid_amount by customers.tier
SELECT `customers`.tier AS `customers__tier`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__paid_count`), 0) AS `orders__paid_count`, sum(`orders`.`orders__paid_amount`) AS `orders__paid_amount` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(CASE WHEN (`orders`.status = 'paid') THEN `orders`.id END) AS `orders__paid_count`, sum(CASE WHEN (`orders`.status = 'paid') THEN `orders`.amount END) AS `orders__paid_amount` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf: a measure filter (HAVING) on orders.total_amount, by customers.country
SELECT `customers`.country AS `customers__country`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__count`), 0) AS `orders__count` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id GROUP BY 1 HAVING (sum(`orders`.`orders__total_amount`) > @p0) ORDER BY 2 DESC LIMIT @p1
-- params: [15000,10001]

-- folded leaf: calculated measures orders.amount_per_order + orders.paid_ratio by customers.tier
SELECT `customers`.tier AS `customers__tier`, count(`customers`.id) AS `customers__count`, (sum(`orders`.`orders__total_amount`)) / NULLIF((coalesce(sum(`orders`.`orders__count`), 0)), 0) AS `orders__amount_per_order`, 1.0 * (coalesce(sum(`orders`.`orders__paid_count`), 0)) / NULLIF((coalesce(sum(`orders`.`orders__count`), 0)), 0) AS `orders__paid_ratio` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, sum(`orders`.amount) AS `orders__total_amount`, count(`orders`.id) AS `orders__count`, count(CASE WHEN (`orders`.status = 'paid') THEN `orders`.id END) AS `orders__paid_count` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf: a time dimension with granularity on the parent (orders.created_at by quarter) + order_items measures
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`orders`.created_at, 'UTC'), QUARTER)) AS `orders__created_at_quarter`, count(`orders`.id) AS `orders__count`, avg(`orders`.amount) AS `orders__avg_amount`, coalesce(sum(`order_items`.`order_items__count`), 0) AS `order_items__count`, sum(`order_items`.`order_items__total_quantity`) AS `order_items__total_quantity` FROM orders AS `orders` LEFT JOIN (SELECT (`order_items`.order_id) AS `cortex_pk_0`, count(`order_items`.id) AS `order_items__count`, sum(`order_items`.quantity) AS `order_items__total_quantity` FROM order_items AS `order_items` GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- folded leaf: customers.created_at by year (time dimension on the parent customers) + orders.total_amount
SELECT FORMAT_DATETIME('%Y-%m-%dT%H:%M:%E3S', DATETIME_TRUNC(DATETIME(`customers`.created_at, 'UTC'), YEAR)) AS `customers__created_at_year`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__count`), 0) AS `orders__count`, sum(`orders`.`orders__total_amount`) AS `orders__total_amount` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM orders AS `orders` GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 1 ASC LIMIT @p0
-- params: [10001]

-- folded chain under a filter and a segment on the root (pushed into both derived tables): by customers.country
SELECT `customers`.country AS `customers__country`, count(`customers`.id) AS `customers__count`, coalesce(sum(`orders`.`orders__count`), 0) AS `orders__count`, 1e0 * sum(`orders`.`orders__avg_amount`) / NULLIF(sum(`orders`.`orders__avg_amount_n`), 0) AS `orders__avg_amount`, max(`orders`.`orders__max_amount`) AS `orders__max_amount`, sum(`order_items`.`order_items__total_quantity`) AS `order_items__total_quantity`, coalesce(sum(`order_items`.`order_items__count`), 0) AS `order_items__count` FROM customers AS `customers` LEFT JOIN (SELECT `customers`.id AS `cortex_pk_0`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__avg_amount`, count(`orders`.amount) AS `orders__avg_amount_n`, max(`orders`.amount) AS `orders__max_amount` FROM customers AS `customers` INNER JOIN orders AS `orders` ON `customers`.id = (`orders`.customer_id) WHERE (`customers`.tier <> @p0 OR `customers`.tier IS NULL) AND (`customers`.is_active) GROUP BY 1) AS `orders` ON `orders`.`cortex_pk_0` = `customers`.id LEFT JOIN (SELECT `customers`.id AS `cortex_pk_0`, sum(`order_items`.quantity) AS `order_items__total_quantity`, count(`order_items`.id) AS `order_items__count` FROM customers AS `customers` INNER JOIN orders AS `orders` ON `customers`.id = (`orders`.customer_id) INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`customers`.tier <> @p1 OR `customers`.tier IS NULL) AND (`customers`.is_active) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `customers`.id WHERE (`customers`.tier <> @p2 OR `customers`.tier IS NULL) AND (`customers`.is_active) GROUP BY 1 ORDER BY 2 DESC LIMIT @p3
-- params: ["gold","gold","gold",10001]

-- folded chain, middle cube without measures: customers.count + order_items.revenue + order_items.count by customers.name (customers without orders: count 0, revenue NULL)
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue`, coalesce(sum(`order_items`.`order_items__count`), 0) AS `order_items__count` FROM customers AS `customers` LEFT JOIN (SELECT (`orders`.customer_id) AS `cortex_pk_0`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue`, count(`order_items`.id) AS `order_items__count` FROM orders AS `orders` INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `customers`.id GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- folded leaf under filters on the parent and the grandparent (pushed into the derived table): by customers.country
SELECT `customers`.country AS `customers__country`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount`, sum(`order_items`.`order_items__revenue`) AS `order_items__revenue` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) LEFT JOIN (SELECT `orders`.id AS `cortex_pk_0`, sum((`order_items`.quantity * `order_items`.unit_price)) AS `order_items__revenue` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`orders`.status IN (@p0, @p1)) AND (`customers`.tier <> @p2 OR `customers`.tier IS NULL) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id WHERE (`orders`.status IN (@p3, @p4)) AND (`customers`.tier <> @p5 OR `customers`.tier IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p6
-- params: ["paid","shipped","gold","paid","shipped","gold",10001]

-- folded leaf under segments of the parent and the grandparent (orders.big, customers.active): by customers.tier
SELECT `customers`.tier AS `customers__tier`, count(`orders`.id) AS `orders__count`, sum(`order_items`.`order_items__total_quantity`) AS `order_items__total_quantity`, coalesce(sum(`order_items`.`order_items__count`), 0) AS `order_items__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) LEFT JOIN (SELECT `orders`.id AS `cortex_pk_0`, sum(`order_items`.quantity) AS `order_items__total_quantity`, count(`order_items`.id) AS `order_items__count` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) INNER JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`orders`.amount > 200) AND (`customers`.is_active) GROUP BY 1) AS `order_items` ON `order_items`.`cortex_pk_0` = `orders`.id WHERE (`orders`.amount > 200) AND (`customers`.is_active) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- not folded (dimension on the leaf): customers.count + orders.total_amount by orders.status
SELECT `orders`.status AS `orders__status`, count(DISTINCT `customers`.id) AS `customers__count`, sum(`orders`.amount) AS `orders__total_amount` FROM customers AS `customers` LEFT JOIN orders AS `orders` ON `customers`.id = (`orders`.customer_id) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- not folded (filter on the leaf): customers.count + orders.total_amount by customers.tier, orders.status = paid
SELECT `customers`.tier AS `customers__tier`, count(DISTINCT `customers`.id) AS `customers__count`, count(`orders`.id) AS `orders__count`, sum(`orders`.amount) AS `orders__total_amount` FROM customers AS `customers` LEFT JOIN orders AS `orders` ON `customers`.id = (`orders`.customer_id) WHERE (`orders`.status = @p0) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["paid",10001]

-- not folded (count_distinct on the leaf): orders.total_amount + order_items.products_count by orders.status
SELECT `q0`.`orders__status` AS `orders__status`, `q0`.`orders__total_amount` AS `orders__total_amount`, `q1`.`orders__count` AS `orders__count`, `q1`.`order_items__products_count` AS `order_items__products_count` FROM (SELECT `cortex_keys`.`orders__status` AS `orders__status`, sum(`orders`.amount) AS `orders__total_amount` FROM (SELECT DISTINCT `orders`.status AS `orders__status`, `orders`.id AS `cortex_pk_0` FROM orders AS `orders`) AS `cortex_keys` LEFT JOIN orders AS `orders` ON `cortex_keys`.`cortex_pk_0` = `orders`.id GROUP BY 1) AS `q0` INNER JOIN (SELECT `orders`.status AS `orders__status`, count(DISTINCT `orders`.id) AS `orders__count`, count(DISTINCT `order_items`.product_id) AS `order_items__products_count` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) GROUP BY 1) AS `q1` ON `q0`.`orders__status` IS NOT DISTINCT FROM `q1`.`orders__status` ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- not folded (count_distinct at the end of the chain): customers.count + orders.total_amount + order_items.products_count by customers.tier
SELECT `q0`.`customers__tier` AS `customers__tier`, `q0`.`customers__count` AS `customers__count`, `q1`.`orders__total_amount` AS `orders__total_amount`, `q0`.`order_items__products_count` AS `order_items__products_count` FROM (SELECT `customers`.tier AS `customers__tier`, count(DISTINCT `customers`.id) AS `customers__count`, count(DISTINCT `order_items`.product_id) AS `order_items__products_count` FROM customers AS `customers` LEFT JOIN orders AS `orders` ON `customers`.id = (`orders`.customer_id) LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) GROUP BY 1) AS `q0` INNER JOIN (SELECT `cortex_keys`.`customers__tier` AS `customers__tier`, sum(`orders`.amount) AS `orders__total_amount` FROM (SELECT DISTINCT `customers`.tier AS `customers__tier`, `orders`.id AS `cortex_pk_0` FROM customers AS `customers` LEFT JOIN orders AS `orders` ON `customers`.id = (`orders`.customer_id)) AS `cortex_keys` LEFT JOIN orders AS `orders` ON `cortex_keys`.`cortex_pk_0` = `orders`.id GROUP BY 1) AS `q1` ON `q0`.`customers__tier` IS NOT DISTINCT FROM `q1`.`customers__tier` ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- not folded (many_to_one inside the chain): customers.count + order_items.count + products.count by customers.tier
SELECT `customers`.tier AS `customers__tier`, count(DISTINCT `customers`.id) AS `customers__count`, count(`order_items`.id) AS `order_items__count`, count(DISTINCT `products`.id) AS `products__count` FROM customers AS `customers` LEFT JOIN orders AS `orders` ON `customers`.id = (`orders`.customer_id) LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) LEFT JOIN products AS `products` ON `order_items`.product_id = (`products`.id) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- not folded (ungrouped): one row per order item, orders without items kept
SELECT `orders`.id AS `orders__id`, `orders`.amount AS `orders__total_amount`, (`order_items`.quantity * `order_items`.unit_price) AS `order_items__revenue`, CASE WHEN (`order_items`.id) IS NOT NULL THEN 1 ELSE 0 END AS `order_items__count` FROM orders AS `orders` LEFT JOIN order_items AS `order_items` ON `orders`.id = (`order_items`.order_id) WHERE (`orders`.id <= @p0) ORDER BY 2 DESC LIMIT @p1
-- params: [25,10001]

-- contains O'BRIEN finds Seán O'Brien (case folded, quote literal)
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) LIKE LOWER(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%O'BRIEN%",10001]

-- startsWith 'SEá' and endsWith "'bRIEN" fold ASCII case around other characters
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) LIKE LOWER(@p0)) AND (LOWER(`customers`.name) LIKE LOWER(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["SEá%","%'bRIEN",10001]

-- contains '100% NATURAL': case folded, % still literal
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) LIKE LOWER(@p0) OR LOWER(`customers`.name) LIKE LOWER(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["%100\\% NATURAL%","%SNAKE\\_%",10001]

-- notStartsWith 'SNAKE' and notEndsWith ' co' exclude every case variant
SELECT `customers`.name AS `customers__name`, count(`customers`.id) AS `customers__count` FROM customers AS `customers` WHERE (LOWER(`customers`.name) NOT LIKE LOWER(@p0) OR `customers`.name IS NULL) AND (LOWER(`customers`.name) NOT LIKE LOWER(@p1) OR `customers`.name IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["SNAKE%","% cO",10001]

-- contains 'Fragile' and 'Leave AT' match FRAGILE, fragile glass and Leave at door
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) LIKE LOWER(@p0) OR LOWER(`orders`.note) LIKE LOWER(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["%Fragile%","%Leave AT%",10001]

-- notContains '🚀' keeps '🎁 gift' (utf8mb4_general_ci holds every emoji equal to every other)
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) NOT LIKE LOWER(@p0) OR `orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%🚀%",10001]

-- contains '🎁 GIFT': the emoji exactly, the letters in any case
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) LIKE LOWER(@p0)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%🎁 GIFT%",10001]

-- notContains 'GIFT' is case-insensitive and keeps NULL notes
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) NOT LIKE LOWER(@p0) OR `orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%GIFT%",10001]

-- avg over a DECIMAL(12,2) column, overall and per status
SELECT `orders`.status AS `orders__status`, avg(`orders`.amount) AS `orders__avg_amount`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- avg of DECIMAL prices per category (values near 20: 6 decimals are not enough)
SELECT `products`.category AS `products__category`, avg(`products`.price) AS `products__avg_price` FROM products AS `products` GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- ratio measure 1.0 * paid_count / count and amount_per_order (decimal / count) per country
SELECT `customers`.country AS `customers__country`, 1.0 * (count(CASE WHEN (`orders`.status = 'paid') THEN `orders`.id END)) / NULLIF((count(`orders`.id)), 0) AS `orders__paid_ratio`, (sum(`orders`.amount)) / NULLIF((count(`orders`.id)), 0) AS `orders__amount_per_order` FROM orders AS `orders` LEFT JOIN customers AS `customers` ON `orders`.customer_id = (`customers`.id) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- a dateRange open to 9999-12-31 keeps every row from its start
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at <= TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["2024-01-01 00:00:00.000","9999-12-31 23:59:59.999999",10001]

-- inDateRange to 9999-12-31 in America/New_York (its last day ends in year 10000 UTC)
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at <= TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["2024-06-01 04:00:00.000","9999-12-31 23:59:59.999999",10001]

-- notInDateRange to 9999-12-31 keeps the rows before its start
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at < TIMESTAMP(@p0) OR `orders`.created_at > TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["2024-01-01 00:00:00.000","9999-12-31 23:59:59.999999",10001]

-- a dateRange from 0001-01-01 in Europe/Berlin (its first day starts in year 0 UTC)
SELECT `orders`.status AS `orders__status`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.created_at >= TIMESTAMP(@p0) AND `orders`.created_at < TIMESTAMP(@p1)) GROUP BY 1 ORDER BY 2 DESC LIMIT @p2
-- params: ["0001-01-01 00:00:00.000","2023-12-31 23:00:00.000",10001]

-- contains with only null among the values matches NULL
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- startsWith with only null among the values matches NULL
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- endsWith with only null among the values matches NULL
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- notContains with only null among the values matches every non-NULL value
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.note IS NOT NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- notStartsWith with only null among the values matches every non-NULL value
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.note IS NOT NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- notEndsWith with only null among the values matches every non-NULL value
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (`orders`.note IS NOT NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p0
-- params: [10001]

-- contains with a value and null matches the value or NULL
SELECT `orders`.note AS `orders__note`, count(`orders`.id) AS `orders__count` FROM orders AS `orders` WHERE (LOWER(`orders`.note) LIKE LOWER(@p0) OR `orders`.note IS NULL) GROUP BY 1 ORDER BY 2 DESC LIMIT @p1
-- params: ["%gift%",10001]

