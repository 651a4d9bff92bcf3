import { SemanticLayerError } from '../errors.js'

/** The slice of an ioredis client Cortex uses (typed structurally: Cortex never imports ioredis). */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>
  duplicate(): unknown
}

/** The slice of a node-redis (`redis` 4/5) client Cortex uses. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>
  duplicate(): unknown
  /** False until `connect()` is called, and again after `quit()`/`close()`/`destroy()`. */
  readonly isOpen?: boolean
}

export type RedisClientLike = IoRedisLike | NodeRedisLike

interface Emitter {
  on(event: string, listener: (...args: unknown[]) => void): unknown
}
interface IoRedisSubscriber extends Emitter {
  subscribe(channel: string): Promise<unknown>
  disconnect(): void
  readonly status?: string
}
interface NodeRedisSubscriber extends Emitter {
  connect(): Promise<unknown>
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  readonly isReady?: boolean
  close?(): Promise<unknown>
  quit?(): Promise<unknown>
  disconnect?(): Promise<unknown>
}

/** One command interface over both clients, plus a pub/sub subscription on a duplicate connection. */
export interface RedisDriver {
  command(args: readonly string[]): Promise<unknown>
  /**
   * Subscribe on a connection of our own. `onMessage` gets each message; `onState(false)` fires whenever
   * the subscription may have missed messages (error, disconnect), `onState(true)` when it is back.
   */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onState: (live: boolean) => void,
    onError: (error: unknown) => void,
  ): Subscription
}

export interface Subscription {
  /** True while the subscriber is connected and subscribed. */
  live(): boolean
  close(): Promise<void>
}

export function redisDriver(client: unknown): RedisDriver {
  const c = client as Partial<IoRedisLike & NodeRedisLike> | null
  if (c && typeof c.call === 'function' && typeof c.duplicate === 'function') return ioredisDriver(c as IoRedisLike)
  if (c && typeof c.sendCommand === 'function' && typeof c.duplicate === 'function')
    return nodeRedisDriver(c as NodeRedisLike)
  throw new SemanticLayerError('CONFIG_INVALID', [
    {
      code: 'INVALID_REDIS_CLIENT',
      path: ['cache', 'client'],
      message:
        'redisCache({ client }) needs an ioredis client (new Redis(url)) or a connected node-redis client (createClient({ url })).',
    },
  ])
}

function ioredisDriver(client: IoRedisLike): RedisDriver {
  return {
    command: (args) => client.call(args[0]!, ...args.slice(1)),
    subscribe(channel, onMessage, onState, onError) {
      const sub = client.duplicate() as IoRedisSubscriber
      let subscribed = false
      sub.on('message', (...args: unknown[]) => {
        if (args[0] === channel && typeof args[1] === 'string') onMessage(args[1])
      })
      sub.on('error', (error: unknown) => onError(error))
      for (const event of ['close', 'reconnecting', 'end']) sub.on(event, () => onState(false))
      // ioredis re-subscribes by itself after a reconnect, before emitting 'ready'.
      sub.on('ready', () => {
        if (subscribed) onState(true)
      })
      sub.subscribe(channel).then(
        () => {
          subscribed = true
          onState(true)
        },
        (error: unknown) => onError(error),
      )
      return {
        live: () => subscribed && sub.status === 'ready',
        async close() {
          sub.disconnect()
        },
      }
    },
  }
}

/** What to do about a node-redis client that is not open; Cortex never connects or closes the host's client. */
const NOT_CONNECTED =
  'The node-redis client passed to redisCache() is not connected. node-redis clients do not connect by themselves: call await client.connect() before passing it to redisCache(), and keep it open while the layer runs (Cortex never connects or closes it).'

/** The error a cache call gets from a node-redis client that is not open (reported through onCacheError). */
export class RedisClientClosedError extends Error {
  constructor() {
    super(NOT_CONNECTED)
    this.name = 'RedisClientClosedError'
  }
}

function nodeRedisDriver(client: NodeRedisLike): RedisDriver {
  // A client that was never connected would fail every call ("The client is closed"), so say so now.
  if (client.isOpen === false) {
    throw new SemanticLayerError('CONFIG_INVALID', [
      { code: 'REDIS_NOT_CONNECTED', path: ['cache', 'client'], message: NOT_CONNECTED },
    ])
  }
  return {
    command: (args) =>
      client.isOpen === false ? Promise.reject(new RedisClientClosedError()) : client.sendCommand([...args]),
    subscribe(channel, onMessage, onState, onError) {
      const sub = client.duplicate() as NodeRedisSubscriber
      let subscribed = false
      let closed = false
      // node-redis throws from an 'error' event nobody listens to: always listen.
      sub.on('error', (error: unknown) => onError(error))
      for (const event of ['end', 'reconnecting']) sub.on(event, () => onState(false))
      sub.on('ready', () => {
        if (subscribed) onState(true)
      })
      const started = (async () => {
        await sub.connect()
        await sub.subscribe(channel, (message) => onMessage(message))
        subscribed = true
        onState(true)
      })()
      started.catch((error: unknown) => {
        if (!closed) onError(error)
      })
      return {
        live: () => subscribed && sub.isReady !== false,
        async close() {
          closed = true
          try {
            if (typeof sub.close === 'function') await sub.close()
            else if (typeof sub.quit === 'function') await sub.quit()
            else await sub.disconnect?.()
          } catch {
            // Already closed or never connected.
          }
        },
      }
    },
  }
}
