/** A local redis-server started by {@link startRedis}. */
export interface RedisServer {
  url: string
  port: number
  /** Its data directory (the append-only file; a cluster node's nodes.conf). */
  dir: string
  /** Stops it (SIGTERM: Redis flushes its AOF and exits). */
  stop(): Promise<void>
  /** Kills it (SIGKILL): with `appendfsync always`, every acknowledged write is on disk already. */
  kill(): Promise<void>
  /** Starts it again on the same port and directory: it reloads its AOF. */
  start(): Promise<void>
  /** Stops it and removes its directory. */
  remove(): Promise<void>
}

/** Starts redis-server on a free port (or `port`), with `args` after idstitch's own; fails with how to install it when it is missing. */
export declare const startRedis: (options?: { port?: number; args?: string[] }) => Promise<RedisServer>
