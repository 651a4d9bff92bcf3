/**
 * Counters kept by one handler instance (no module state): requests by route and status, errors by
 * code, and query durations over a bounded reservoir (Vitter's algorithm R, so memory stays fixed however
 * many queries run and every query has the same chance to be in the sample).
 */
export interface MetricsSnapshot {
  readonly startedAt: string
  readonly uptimeSec: number
  readonly inFlight: number
  readonly requests: readonly { readonly route: string; readonly status: number; readonly count: number }[]
  readonly errors: Readonly<Record<string, number>>
  readonly queries: {
    readonly count: number
    readonly sampled: number
    readonly p50Ms: number | null
    readonly p99Ms: number | null
    readonly maxMs: number | null
  }
  readonly reloads: number
}

export class HandlerMetrics {
  private readonly started = Date.now()
  private readonly requests = new Map<string, number>()
  private readonly errors = new Map<string, number>()
  private readonly sample: number[] = []
  private queryCount = 0
  private maxMs: number | null = null
  private reloadCount = 0
  inFlight = 0

  constructor(
    private readonly reservoirSize = 1024,
    private readonly random: () => number = Math.random,
  ) {}

  request(route: string, status: number): void {
    const key = `${route} ${status}`
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1)
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1)
  }

  reloaded(): void {
    this.reloadCount++
  }

  queryDuration(ms: number): void {
    this.queryCount++
    this.maxMs = this.maxMs === null ? ms : Math.max(this.maxMs, ms)
    if (this.sample.length < this.reservoirSize) this.sample.push(ms)
    else {
      const j = Math.floor(this.random() * this.queryCount)
      if (j < this.reservoirSize) this.sample[j] = ms
    }
  }

  snapshot(): MetricsSnapshot {
    const sorted = [...this.sample].sort((a, b) => a - b)
    const quantile = (q: number): number | null =>
      sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!) : null
    return {
      startedAt: new Date(this.started).toISOString(),
      uptimeSec: Math.round((Date.now() - this.started) / 1000),
      inFlight: this.inFlight,
      requests: [...this.requests].map(([key, count]) => {
        const cut = key.lastIndexOf(' ')
        return { route: key.slice(0, cut), status: Number(key.slice(cut + 1)), count }
      }),
      errors: Object.fromEntries(this.errors),
      queries: {
        count: this.queryCount,
        sampled: sorted.length,
        p50Ms: quantile(0.5),
        p99Ms: quantile(0.99),
        maxMs: this.maxMs === null ? null : round(this.maxMs),
      },
      reloads: this.reloadCount,
    }
  }

  /** Prometheus text exposition format (version 0.0.4). */
  prometheus(): string {
    const s = this.snapshot()
    const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    const lines = [
      '# HELP cortex_http_requests_total HTTP requests answered, by route and status.',
      '# TYPE cortex_http_requests_total counter',
      ...s.requests.map((r) => `cortex_http_requests_total{route="${label(r.route)}",status="${r.status}"} ${r.count}`),
      '# HELP cortex_errors_total Errors answered, by error code.',
      '# TYPE cortex_errors_total counter',
      ...Object.entries(s.errors).map(([code, n]) => `cortex_errors_total{code="${label(code)}"} ${n}`),
      '# HELP cortex_query_duration_ms Query durations in milliseconds (quantiles over a bounded sample).',
      '# TYPE cortex_query_duration_ms summary',
      ...(s.queries.p50Ms === null
        ? []
        : [
            `cortex_query_duration_ms{quantile="0.5"} ${s.queries.p50Ms}`,
            `cortex_query_duration_ms{quantile="0.99"} ${s.queries.p99Ms}`,
          ]),
      `cortex_query_duration_ms_count ${s.queries.count}`,
      '# HELP cortex_http_in_flight Requests being answered now.',
      '# TYPE cortex_http_in_flight gauge',
      `cortex_http_in_flight ${s.inFlight}`,
      '# HELP cortex_model_reloads_total Successful model reloads.',
      '# TYPE cortex_model_reloads_total counter',
      `cortex_model_reloads_total ${s.reloads}`,
    ]
    return `${lines.join('\n')}\n`
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}
