import { createHash } from 'node:crypto'
import type { SinkIdentify } from '@idstitch/node/sink'
import type { RedisClient } from './redis.js'

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * De-duplication shared by every app instance and worker, in Redis: what a
 * provider last accepted for a user, as `<prefix>:dedupe:<sha256(provider,
 * user)>` → `sha256(fingerprint)`, expiring after `ttlMs`. Hashes only: the
 * record outlives the job, and holds no personal data.
 */
export const dedupeFor = (identify: SinkIdentify, provider: string, prefix: string, ttlMs: number) => ({
  key: `${prefix}:dedupe:${sha256(`${provider}\u0000${identify.event.userId}`)}`,
  fingerprint: sha256(identify.fingerprint),
  ttlMs,
})

/** True when the provider accepted exactly this lately. */
export const isDuplicate = async (redis: RedisClient, dedupe: { key: string; fingerprint: string }): Promise<boolean> => (await redis.get(dedupe.key)) === dedupe.fingerprint

/** Records a delivery. */
export const remember = async (redis: RedisClient, dedupe: { key: string; fingerprint: string; ttlMs: number }): Promise<void> => {
  await redis.set(dedupe.key, dedupe.fingerprint, 'PX', dedupe.ttlMs)
}

/** What an identify says, whatever its time or context: its user, anonymous ids and traits, as a SHA-256. */
export const contentDigest = (identify: SinkIdentify): string => sha256(`${identify.event.userId}\u0000${identify.fingerprint}`)
