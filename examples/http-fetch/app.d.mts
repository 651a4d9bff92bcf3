// Types for app.mjs (plain JavaScript), so TypeScript tests can import it.
export interface FetchApp {
  fetch(request: Request): Promise<Response>
  close(): Promise<void>
}

export function createApp(options?: { token?: string }): Promise<FetchApp>
