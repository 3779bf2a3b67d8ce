/** A local redis-server started by {@link startRedis}. */
export interface RedisServer {
  url: string
  port: number
  /** Stops it (SIGTERM: Redis flushes its AOF and exits). */
  stop(): Promise<void>
  /** Starts it again on the same port and directory: it reloads its AOF. */
  start(): Promise<void>
  /** Stops it and removes its directory. */
  remove(): Promise<void>
}

/** Starts redis-server on a free port (or `port`); fails with how to install it when it is missing. */
export declare const startRedis: (options?: { port?: number }) => Promise<RedisServer>
