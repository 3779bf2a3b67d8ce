import { createHmac, hash } from 'node:crypto'
import type { SinkIdentify } from '@idstitch/node/sink'
import type { JobData } from './job.js'
import type { RedisClient } from './redis.js'

// crypto.hash, one shot, is ~0.4 µs where createHash is ~1.9 µs and createHmac ~2.7 µs (Node 20.12+).
// base64url, not hex: 43 characters instead of 64, in every job and de-duplication record Redis holds.
const sha256 = (text: string): string => hash('sha256', text, 'base64url')

const hmac = (secret: string, text: string): string => createHmac('sha256', secret).update(text).digest('base64url')

/** A job's de-duplication record: its Redis key, what it says, how long it is kept, and how long a delivery may take. */
export interface DedupeRecord {
  key: string
  fingerprint: string
  /** `ttlMs`, or `holdMs` when longer: a record never goes while a delivery's mark in it may still hold. */
  keepMs: number
  /** How long a delivery's mark holds before it is taken for one whose worker died (it may have landed). */
  holdMs: number
}

/**
 * De-duplication shared by every worker, in Redis: what a provider last accepted for a user, in a hash at
 * `<prefix>:dedupe:<HMAC(provider, user)>`, expiring `ttlMs` after its last delivery. Its field `a` holds
 * `SHA-256(that HMAC, the job's digest)` for what the provider accepted last, when that is known.
 * Worked out by the worker, from its own secret and prefix, just before it sends: a producer spends nothing on
 * it (an HMAC and two hashes cost ~5 µs of an enqueue's CPU, bench §6), and a job (which anyone with Redis can
 * write) names no Redis key. Keyed hashes only: the record outlives the job, and a bare SHA-256 of a user id
 * can be found again by hashing guesses (ids are often sequential or emails); without the secret, these cannot.
 * A job without a digest (written by hand) is not de-duplicated.
 */
export const dedupeFor = (
  data: Pick<JobData, 'provider' | 'userId' | 'digest'>,
  prefix: string,
  { ttlMs, secret, holdMs }: { ttlMs: number; secret: string; holdMs: number },
): DedupeRecord | undefined => {
  if (data.digest === undefined) return undefined
  const user = hmac(secret, `${data.provider}\u0000${data.userId}`)
  return { key: `${prefix}:dedupe:${user}`, fingerprint: sha256(`${user}\u0000${data.digest}`), keepMs: Math.max(ttlMs, holdMs), holdMs }
}

// The record follows what the provider holds in send order, as @idstitch/node's in-process de-duplication does,
// across every worker: deliveries of one user may overlap (two workers, a retry beside a newer job), and the
// provider keeps whichever it processed last, which need not be the one whose answer came back last. So each
// delivery marks itself in the hash (`f<n>`, until a deadline on Redis's clock) while it is on its way. `s` numbers
// them, from the time the record was made (a record made again never reuses a late delivery's number). `o` says
// two were on their way together since the record was last written, so which one the provider kept is not known.
// A delivery writes `a` when it was delivered, was the last begun, and overlapped none; otherwise it clears `a`.
// Nothing is skipped while a delivery of the user is on its way. A mark past its deadline is a worker that died
// mid-delivery: it may have landed, so `a` is cleared with it. Two scripts, atomic on the one key (a Cluster's
// slot too), one round trip each, where a GET and a SET were before.

/**
 * Begins a delivery: 0 when the provider accepted exactly this lately and nothing is on its way (skip it), else the
 * delivery's number. A key of another type (the string an earlier worker wrote, in a rolling upgrade) is dropped:
 * left, every command on it failed with WRONGTYPE, and each of the user's jobs with it, to a dead letter.
 */
const BEGIN = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'hash' and kind ~= 'none' then redis.call('DEL', KEYS[1]) end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local fields = redis.call('HGETALL', KEYS[1])
local live = 0
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 1) == 'f' then
    if tonumber(fields[i + 1]) > now then live = live + 1 else redis.call('HDEL', KEYS[1], fields[i], 'a') end
  end
end
if live == 0 then
  redis.call('HDEL', KEYS[1], 'o')
  if redis.call('HGET', KEYS[1], 'a') == ARGV[1] then return 0 end
else
  redis.call('HSET', KEYS[1], 'o', '1')
end
if redis.call('HEXISTS', KEYS[1], 's') == 0 then redis.call('HSET', KEYS[1], 's', now) end
local sequence = redis.call('HINCRBY', KEYS[1], 's', 1)
redis.call('HSET', KEYS[1], 'f' .. sequence, now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return sequence
`

/**
 * Finishes delivery ARGV[1] (ARGV[2] '1' when delivered): writes or clears what the provider holds. A delivery
 * whose mark is gone, taken for a dead worker's while it was only slow, may have landed after the ones since:
 * it clears `a` too.
 */
const FINISH = `
if redis.call('HDEL', KEYS[1], 'f' .. ARGV[1]) == 0 then
  redis.call('HDEL', KEYS[1], 'a')
  return 0
end
if ARGV[2] == '1' and redis.call('HGET', KEYS[1], 's') == ARGV[1] and redis.call('HEXISTS', KEYS[1], 'o') == 0 then
  redis.call('HSET', KEYS[1], 'a', ARGV[3])
else
  redis.call('HDEL', KEYS[1], 'a')
end
local pending = false
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(field, 1, 1) == 'f' then pending = true break end
end
if not pending then redis.call('HDEL', KEYS[1], 'o') end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`

/** The client, with the two scripts as commands (ioredis sends each by its SHA, and the script itself once). */
export type DedupeClient = RedisClient & {
  idstitchDedupeBegin(key: string, fingerprint: string, keepMs: number, holdMs: number): Promise<number>
  idstitchDedupeFinish(key: string, sequence: number, delivered: '1' | '0', fingerprint: string, keepMs: number): Promise<number>
}

/** Defines the scripts on `redis`, once per client. */
export const withDedupeScripts = (redis: RedisClient): DedupeClient => {
  redis.defineCommand('idstitchDedupeBegin', { numberOfKeys: 1, lua: BEGIN })
  redis.defineCommand('idstitchDedupeFinish', { numberOfKeys: 1, lua: FINISH })
  return redis as DedupeClient
}

/** A delivery begun: its record and number. */
export interface DedupeTicket {
  dedupe: DedupeRecord
  sequence: number
}

/** Begins a delivery, or says `duplicate`: the provider accepted exactly this lately, and no delivery of the user is on its way. */
export const begin = async (redis: DedupeClient, dedupe: DedupeRecord): Promise<DedupeTicket | 'duplicate'> => {
  const sequence = await redis.idstitchDedupeBegin(dedupe.key, dedupe.fingerprint, dedupe.keepMs, dedupe.holdMs)
  return sequence === 0 ? 'duplicate' : { dedupe, sequence }
}

/**
 * Records how a delivery ended. A failed one may have landed all the same (a timeout, a cut connection): what
 * the provider holds is not known any more, and the next identify saying the recorded thing again is sent.
 */
export const finish = async (redis: DedupeClient, { dedupe, sequence }: DedupeTicket, delivered: boolean): Promise<void> => {
  await redis.idstitchDedupeFinish(dedupe.key, sequence, delivered ? '1' : '0', dedupe.fingerprint, dedupe.keepMs)
}

/** What an identify says, whatever its time or context: its user, anonymous ids and traits, as a SHA-256 (the job's `digest`). */
export const contentDigest = (identify: SinkIdentify): string => sha256(`${identify.event.userId}\u0000${identify.fingerprint}`)
