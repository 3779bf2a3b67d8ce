import { Cluster, type ClusterNode, type RedisOptions, Redis } from 'ioredis'
import { redactedUrl, redisUrlProblem, type RedisClient } from './redis.js'

/** Where the CLI connects: one Redis URL, or a cluster's nodes. */
export interface CliTarget {
  url: string | undefined
  /** Comma-separated `redis://…` URLs or `host:port`s of some of a cluster's nodes. */
  cluster: string | undefined
}

/** Commands fail fast when Redis is away: one retry, a 5 s connect timeout, three reconnections. */
const FAIL_FAST: RedisOptions = { maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: (times) => (times > 3 ? null : 200) }

/** A cluster node from `host:port` or a Redis URL, and the URL's credentials (every node shares them). */
const nodeOf = (text: string): { node: ClusterNode; auth: RedisOptions } | string => {
  const url = /^rediss?:\/\//i.test(text) ? text : `redis://${text}`
  const problem = redisUrlProblem(url)
  if (problem) return `the cluster node ${redactedUrl(url)} ${problem}`
  const parsed = new URL(url)
  const auth: RedisOptions = {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  }
  return { node: { host: parsed.hostname, port: Number(parsed.port) || 6379 }, auth }
}

/** The client for `target`, or why there is none (in words that never hold a password). */
export const cliClient = ({ url, cluster }: CliTarget): RedisClient | string => {
  if (cluster) {
    const nodes = cluster.split(',').filter((node) => node.trim() !== '').map((node) => nodeOf(node.trim()))
    const problem = nodes.find((node): node is string => typeof node === 'string')
    if (problem) return problem
    const parsed = nodes as { node: ClusterNode; auth: RedisOptions }[]
    if (parsed.length === 0) return 'the --cluster option names no node'
    return new Cluster(
      parsed.map(({ node }) => node),
      { redisOptions: { ...FAIL_FAST, ...parsed[0]?.auth }, clusterRetryStrategy: (times) => (times > 3 ? null : 200) },
    )
  }
  if (!url) return 'no Redis: pass --redis redis://host:6379 (or --cluster host:port,…) or set REDIS_URL'
  const problem = redisUrlProblem(url)
  if (problem) return `the Redis URL ${problem} (${redactedUrl(url)})`
  return new Redis(url, FAIL_FAST)
}
