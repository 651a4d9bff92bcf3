/** The MongoDB suites run on mingo, whose date operators need the process in UTC (vitest.config.ts sets TZ). */
import { describe, expect, it } from 'vitest'

describe('the mongo test project', () => {
  it('runs with the process time zone set to UTC', () => {
    expect(process.env.TZ).toBe('UTC')
    // Local-time methods agree with UTC ones only in UTC (New York would say 19:00 of the day before).
    const d = new Date(Date.UTC(2024, 0, 1, 0, 0, 0))
    expect([d.getHours(), d.getDate(), d.getTimezoneOffset()]).toEqual([0, 1, 0])
  })
})
