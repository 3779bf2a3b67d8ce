import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'
import { ConfigError } from '@idstitch/node'

/** A Redis Cluster (or a managed one: ElastiCache, Memorystore, Upstash): some of its nodes, and ioredis's `Cluster` options. */
export interface ClusterConnection {
  /** Nodes to discover the cluster from: `{ host, port }`, `'host:port'` or a port. */
  cluster: ClusterNode[]
  /** ioredis's `Cluster` options (`redisOptions` for each node's connection: password, TLS, …). */
  clusterOptions?: ClusterOptions
}

/**
 * Where Redis is: a `redis://` or `rediss://` URL, ioredis options, a Redis Cluster's nodes and options, or an
 * ioredis client (`Redis` or `Cluster`) of your own, which idstitch duplicates (it never closes yours).
 */
export type Connection = string | RedisOptions | ClusterConnection | Redis | Cluster

/** The client idstitch opens: a standalone Redis, or a Cluster. */
export type RedisClient = Redis | Cluster

/** `url` with its password (the user-info part) replaced: safe to print. */
// Up to the last `@`: a password may hold an unencoded `#`, `/` or `@` itself.
export const redactedUrl = (url: string): string => url.replace(/^(rediss?:\/\/).*@/i, '$1[redacted]@')

/**
 * Why a Redis connection string cannot be used, in words that never hold it (it holds the password), or
 * `undefined` when it can. A password with an unencoded `#`, `/` or `@`, or a port that is not a number,
 * made ioredis throw a TypeError whose `input` was the whole URL, password included.
 */
export const redisUrlProblem = (url: string): string | undefined => {
  if (!/^rediss?:\/\//i.test(url)) return 'must be a redis:// or rediss:// URL'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'is not a URL that parses: percent-encode a password with #, /, ? or @ in it (encodeURIComponent), and check the port'
  }
  if (parsed.hostname === '') return 'has no host'
  if (parsed.port !== '' && !(Number(parsed.port) > 0 && Number(parsed.port) < 65_536)) return 'has a port out of range'
  if (parsed.pathname.length > 1 && !/^\/\d{1,2}$/.test(parsed.pathname)) return 'may name only a database number after the host (redis://host:6379/0): percent-encode a / in the password'
  // ioredis decodes them, and threw a bare URIError ('URI malformed'); the CLI ended on it without a word.
  if (!decodes(parsed.username) || !decodes(parsed.password)) return 'has a % in its user name or password that is no percent-encoding: encode the password with encodeURIComponent'
  return undefined
}

/** Whether `text` is valid percent-encoding (decodeURIComponent takes it). */
const decodes = (text: string): boolean => {
  try {
    decodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

/** ioredis's own key prefix, wherever it is set. */
const keyPrefixOf = (connection: object): unknown => {
  if (connection instanceof Cluster) return connection.options.keyPrefix ?? connection.options.redisOptions?.keyPrefix
  if (connection instanceof Redis) return connection.options.keyPrefix
  const { keyPrefix, clusterOptions } = connection as RedisOptions & Partial<ClusterConnection>
  return keyPrefix ?? clusterOptions?.keyPrefix ?? clusterOptions?.redisOptions?.keyPrefix
}

/** Why `connection` cannot be used, in words that never hold it, or `undefined` when it can. */
export const connectionProblem = (connection: unknown): string | undefined => {
  if (typeof connection === 'string') return redisUrlProblem(connection)
  if (typeof connection !== 'object' || connection === null) return 'must be a redis:// URL, ioredis options, { cluster: [nodes] } or an ioredis client'
  if (keyPrefixOf(connection)) return "sets ioredis's keyPrefix, which BullMQ's scripts cannot work with: use idstitch's prefix option instead"
  if (connection instanceof Redis || connection instanceof Cluster) return undefined
  if ('cluster' in connection && (!Array.isArray(connection.cluster) || connection.cluster.length === 0)) {
    return 'cluster must list at least one of the cluster\'s nodes ({ host, port }, "host:port" or a port)'
  }
  return undefined
}

/** A Cluster with `overrides` on each of its node connections. */
const clusterOf = (nodes: ClusterNode[], options: ClusterOptions, overrides: RedisOptions): Cluster =>
  new Cluster(nodes, { ...options, redisOptions: { ...options.redisOptions, ...overrides } })

/**
 * ioredis's `reconnectOnError` for a standalone Redis: reconnect on a write refused with `READONLY`, without
 * sending the command again. After a managed Redis's failover (ElastiCache, Memorystore, Azure), its endpoint's
 * name points at the new primary, but an open connection stays on the old one, now a replica, and every write
 * was refused until the app restarted. An app's own `reconnectOnError` is kept instead.
 */
const reconnectOnReadonly = (error: Error): 1 | false => (replyCode(error) === 'READONLY' ? 1 : false)

/**
 * The client for `connection`, with `overrides`. A client of the app's own is duplicated with them, never
 * spread into options: a spread `Cluster` has no host, and ioredis connected to 127.0.0.1:6379 instead (jobs
 * landed on whatever Redis was there). A Cluster follows its failovers itself (`MOVED`).
 */
const clientFor = (connection: Connection, overrides: RedisOptions): RedisClient => {
  if (typeof connection === 'string') return new Redis(connection, { reconnectOnError: reconnectOnReadonly, ...overrides })
  if (connection instanceof Cluster) return connection.duplicate([], { redisOptions: { ...connection.options.redisOptions, ...overrides } })
  if (connection instanceof Redis) return connection.duplicate({ reconnectOnError: connection.options.reconnectOnError ?? reconnectOnReadonly, ...overrides })
  if ('cluster' in connection && Array.isArray(connection.cluster)) return clusterOf(connection.cluster, connection.clusterOptions ?? {}, overrides)
  const options = connection as RedisOptions
  return new Redis({ ...options, reconnectOnError: options.reconnectOnError ?? reconnectOnReadonly, ...overrides })
}

/** A Redis client for `connection` with `overrides`; its errors go to `onError`, never unhandled (an EventEmitter's unheard 'error' would crash the app). */
export const connect = (connection: Connection, overrides: RedisOptions, onError: (error: Error) => void): RedisClient => {
  let client: RedisClient
  try {
    client = clientFor(connection, overrides)
  } catch (error) {
    // Never the raw error: ioredis puts the URL, password included, in it.
    const detail = error instanceof Error ? redactedUrl(error.message).replace(/rediss?:\/\/\S*/gi, (url) => redactedUrl(url)) : 'it threw'
    throw new ConfigError('connection', `ioredis refused it: ${typeof connection === 'string' ? detail.split(connection).join(redactedUrl(connection)) : detail}`)
  }
  client.on('error', onError)
  return client
}

/**
 * Whether Redis refused the connection's credentials: a wrong password or user (`WRONGPASS`, or Redis 5's
 * `ERR invalid password`), none given where one is needed (`NOAUTH`), or a user the ACL does not let run what
 * a connection needs (`NOPERM`). ioredis retries them like an outage, but no retry mends them: only other
 * credentials, or a change on the Redis side, do.
 */
export const refusesCredentials = (error: Error): boolean => /\b(?:WRONGPASS|NOAUTH|NOPERM)\b|\bERR invalid password\b/.test(explained(error).message)

/** Redis's refusals of a write that write nothing, and what to do about each. */
const WRITE_REFUSALS: Record<string, string> = {
  // A reader endpoint, or the old primary after a failover, until the client reconnects to the new one.
  READONLY: "the connection reached a read-only replica: connect to the primary (a writer endpoint, not a reader's); after a failover the connection reconnects to reach the new one",
  NOREPLICAS: 'Redis takes writes only while min-replicas-to-write of its replicas answer: mend the replicas, or that setting',
  // stop-writes-on-bgsave-error: a full disk, most often.
  MISCONF: 'Redis cannot save its data to disk (a full disk, say: see its log) and takes no write until a save succeeds',
}

/** The code a Redis error reply starts with (`READONLY`, `MISCONF`, ...), or `''`. */
const replyCode = (error: Error): string => /^[A-Z]+/.exec(explained(error).message)?.[0] ?? ''

/** What to do about a write Redis refused, writing nothing, or `undefined` for any other error. */
export const writeRemedy = (error: Error): string | undefined => WRITE_REFUSALS[replyCode(error)]

/** Whether Redis refused a write, writing nothing (`READONLY`, `NOREPLICAS`, `MISCONF`). */
export const refusesWrites = (error: Error): boolean => writeRemedy(error) !== undefined

/**
 * `error` as it should be quoted: a Cluster's own says only "Failed to refresh slots cache.", and the node's error
 * behind it (`WRONGPASS ...`, `NOAUTH ...`) says why, so it is added in brackets.
 */
export const explained = (error: Error): Error => {
  const node = (error as { lastNodeError?: unknown }).lastNodeError
  return node instanceof Error ? new Error(`${error.message} (${node.message})`) : error
}

/**
 * A connection's errors for the logger, throttled: refused credentials and writes refused by a read-only
 * replica as errors (nothing is written until they change), anything else as warnings (an outage ioredis
 * reconnects through).
 */
export const connectionLog = (log: { warn: (message: string) => void; error: (message: string) => void }) => {
  const warn = throttled(log.warn)
  const error = throttled(log.error)
  return (cause: Error): void => (refusesCredentials(cause) || refusesWrites(cause) ? error : warn)(cause)
}

/** At most one log line per `everyMs` for a failing connection, which ioredis reports at every reconnect attempt. */
export const throttled = (log: (message: string) => void, everyMs = 10_000) => {
  let last = -Infinity
  return (error: Error): void => {
    const now = Date.now()
    // A wall clock stepped back (now < last) would otherwise hush the connection's errors for the step's length.
    if (now >= last && now - last < everyMs) return
    last = now
    log(`redis: ${explained(error).message}`)
  }
}
