/**
 * A local HTTP stub of a service's REST API for connector tests: it records every request the SDK sends
 * (method, path, query string, JSON body) and answers with what the test's handler returns. A stub, not
 * the service: it checks what the SDK asks and feeds results back; it proves nothing about the server.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { gunzipSync } from 'node:zlib'

export interface StubRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly body: unknown
  readonly headers: IncomingMessage['headers']
}
export interface StubReply {
  readonly status?: number
  readonly body: unknown
}
export type StubHandler = (request: StubRequest) => StubReply | Promise<StubReply>

export interface HttpStub {
  readonly url: string
  readonly requests: StubRequest[]
  handler: StubHandler
  close(): Promise<void>
}

export async function startHttpStub(handler: StubHandler): Promise<HttpStub> {
  const requests: StubRequest[] = []
  const stub: HttpStub = { url: '', requests, handler, close: async () => undefined }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        let raw = Buffer.concat(chunks)
        if (req.headers['content-encoding'] === 'gzip' && raw.length > 0) raw = gunzipSync(raw)
        const text = raw.toString('utf8')
        let body: unknown = text
        try {
          body = text === '' ? undefined : JSON.parse(text)
        } catch {}
        const url = new URL(req.url ?? '/', 'http://stub')
        const request = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          body,
          headers: req.headers,
        }
        requests.push(request)
        try {
          const reply = await stub.handler(request)
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
          res.end(JSON.stringify(reply.body))
        } catch (error) {
          res.writeHead(500, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ error: { message: String(error) } }))
        }
      })()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}
