import { createHmac, hash } from 'node:crypto'
import type { SinkIdentify } from '@idstitch/node/sink'
import type { RedisClient } from './redis.js'

// crypto.hash, one shot, is ~0.4 µs where createHash is ~1.9 µs and createHmac ~2.7 µs (Node 20.12+).
const sha256 = (text: string): string => hash('sha256', text)

const hmac = (secret: string, text: string): string => createHmac('sha256', secret).update(text).digest('hex')

/**
 * De-duplication shared by every app instance and worker, in Redis: what a provider last accepted for a user,
 * as `<prefix>:dedupe:<HMAC(provider, user)>` → `SHA-256(that HMAC, fingerprint)`, expiring after `ttlMs`. Keyed
 * hashes only: the record outlives the job, and a bare SHA-256 of a user id can be found again by hashing guesses
 * (ids are often sequential or emails); without the deployment's secret, these cannot. The fingerprint's hash
 * is keyed by the HMAC it follows (one HMAC an identify, not two: each costs ~2.7 µs).
 */
export const dedupeFor = (identify: SinkIdentify, provider: string, prefix: string, { ttlMs, secret }: { ttlMs: number; secret: string }) => {
  const user = hmac(secret, `${provider}\u0000${identify.event.userId}`)
  return { key: `${prefix}:dedupe:${user}`, fingerprint: sha256(`${user}\u0000${identify.fingerprint}`), ttlMs }
}

/** True when the provider accepted exactly this lately. */
export const isDuplicate = async (redis: RedisClient, dedupe: { key: string; fingerprint: string }): Promise<boolean> => (await redis.get(dedupe.key)) === dedupe.fingerprint

/** Records a delivery. */
export const remember = async (redis: RedisClient, dedupe: { key: string; fingerprint: string; ttlMs: number }): Promise<void> => {
  await redis.set(dedupe.key, dedupe.fingerprint, 'PX', dedupe.ttlMs)
}

/** What an identify says, whatever its time or context: its user, anonymous ids and traits, as a SHA-256. */
export const contentDigest = (identify: SinkIdentify): string => sha256(`${identify.event.userId}\u0000${identify.fingerprint}`)
