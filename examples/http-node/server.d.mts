// Types for server.mjs (plain JavaScript), so TypeScript tests can import it.
export interface StartOptions {
  /** Default 4000; 0 picks a free port. */
  port?: number
  /** HS256 secret, at least 32 bytes. Default: CORTEX_JWT_SECRET or a random one. */
  secret?: string
  corsOrigins?: string[]
}

export interface RunningServer {
  /** What Cube's client takes as apiUrl. */
  apiUrl: string
  /** Sign a token for these claims, valid for an hour. */
  token(claims?: Record<string, unknown>): Promise<string>
  close(): Promise<void>
}

export function start(options?: StartOptions): Promise<RunningServer>
