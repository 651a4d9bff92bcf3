// Types for app.mjs (plain JavaScript), so TypeScript tests can import it.
import type { Express } from 'express'

export function createApp(options?: { adminToken?: string }): Promise<{ app: Express; close(): Promise<void> }>
