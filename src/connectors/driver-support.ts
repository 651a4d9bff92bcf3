/**
 * Driver internals behind version pins. A connector may use a driver's undocumented internals only where
 * the gain is measured, only on the driver versions it was tested with, and with a documented-API path
 * it falls back to on any other version or when a feature probe fails (src/connectors/CONTEXT.md,
 * "Driver internals"). This module reads installed versions and compares them with the pins.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** Versions from `min` (inclusive) to `below` (exclusive): `>=min <below`. */
export interface VersionRange {
  readonly min: string
  readonly below: string
}

/** `>=8.11.0 <9.0.0`, for messages and docs. */
export function describeRange(range: VersionRange): string {
  return `>=${range.min} <${range.below}`
}

/** The numeric parts of `x.y.z` (a pre-release tag makes it unknown: pins cover releases only). */
function parts(version: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version.trim())
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

/** Whether `version` is a release inside `range`. Unknown or unparsable versions are outside. */
export function inRange(version: string | undefined, range: VersionRange): boolean {
  if (version === undefined) return false
  const v = parts(version)
  const min = parts(range.min)
  const below = parts(range.below)
  return v !== undefined && min !== undefined && below !== undefined && compare(v, min) >= 0 && compare(v, below) < 0
}

/**
 * The version of package `name` as `from` resolves it (its own package.json, found by walking up from
 * the resolved entry point, so packages whose `exports` hide package.json are read too), or undefined
 * when it is not installed or cannot be read. Loads none of the package's code.
 */
export function installedVersion(name: string, from: string | URL = import.meta.url): string | undefined {
  try {
    let dir = dirname(createRequire(from).resolve(name))
    for (let i = 0; i < 8; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown }
        if (pkg.name === name) return typeof pkg.version === 'string' ? pkg.version : undefined
      } catch {
        // no package.json here: keep walking up
      }
      const parent = dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  } catch {
    // not installed
  }
  return undefined
}

/** Where `name` resolves from `from`, for resolving its own dependencies (pg-protocol as pg sees it). */
export function resolvedPath(name: string, from: string | URL = import.meta.url): string | undefined {
  try {
    return createRequire(from).resolve(name)
  } catch {
    return undefined
  }
}

/**
 * Which fast paths a connector may use: each flag true only when its driver versions are pinned ones,
 * its probe passed and the host did not turn internals off (`fastPaths: false`).
 */
export type FastPaths<K extends string> = { readonly [P in K]: boolean }
