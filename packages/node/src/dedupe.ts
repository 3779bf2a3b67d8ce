import type { IdentifyEvent } from '@idstitch/core'
import QuickLRU from 'quick-lru'
import { steadyNow } from './clock.js'

/** Options of de-duplication (`createClient({ dedupe })`). */
export interface DedupeOptions {
  /** How long an identify delivered to a provider makes the same one a duplicate. Default 24 hours. */
  ttlMs?: number
  /** The most (provider, user) pairs remembered; the least recently used go first, and the most recent half always stays. Default 10,000. */
  maxEntries?: number
}

/**
 * An identify whose fingerprint is worked out when first read (the pipeline's pending identify). De-duplication
 * reads it only when it has to compare or remember it, so that a burst for users it has not seen holds no
 * fingerprint while in flight (about 130 bytes each, bench §2): it is made when the delivery ends, to be kept.
 */
export interface Fingerprinted {
  readonly fingerprint: string
}

/**
 * A (provider, user) pair as de-duplication knows it, looked up once for both {@link Dedupe.isDuplicate} and
 * {@link Dedupe.sent}: use it at once, before anything else can change the pair's record.
 */
export interface DedupePair {
  readonly key: string
  readonly record: DedupeRecord | undefined
}

/** Remembers what each provider was last sent, and accepted, for each user. */
export interface Dedupe {
  /** What is known of `provider`'s record of this user (one cache lookup, which also renews the pair's place in the LRU). */
  pair(provider: string, userId: string): DedupePair
  /** True when the pair's provider accepted this user's identify with the same fingerprint within `ttlMs`, and nothing else is on its way there for the user. */
  isDuplicate(pair: DedupePair, identify: Fingerprinted): boolean
  /**
   * An identify is handed to the pair's provider: identifies are remembered in the order they are sent, not the
   * order they finish. The pair's record, to give {@link Dedupe.finished} when its delivery ends.
   */
  sent(pair: DedupePair, identify: Fingerprinted): DedupeRecord
  /**
   * The delivery of `identify`, sent under `record`, finished: `delivered`, or not (failed, maybe delivered: the
   * provider's state is then unknown). A record forgotten (evicted) since is no longer in the cache, and what
   * this does to it changes nothing.
   */
  finished(record: DedupeRecord, identify: Fingerprinted, delivered: boolean): void
}

/**
 * What makes two identifies equal: the user's anonymous ids and traits as
 * JSON text (context and time do not count). Plain `JSON.stringify`, in the
 * keys' own order (the event holds a JSON copy, so Dates and `undefined` are
 * already normalised): an equal identify whose keys come in another order is
 * sent again, which costs a request and never loses one. It is a third of the
 * cost of sorting every object's keys (bench §2).
 */
export const fingerprintOf = (event: IdentifyEvent): string =>
  JSON.stringify(event.traitsOnce ? [event.anonymousId ?? null, event.anonymousIds ?? {}, event.traits, event.traitsOnce] : [event.anonymousId ?? null, event.anonymousIds ?? {}, event.traits])

/**
 * Fingerprints longer than this (in UTF-16 code units, ~2 KB) are not kept:
 * such identifies are always sent. It bounds the memory at about
 * `maxEntries` × 2.3 KB, whatever the traits weigh (4,000 users with 60 KB of
 * traits each grew the heap by 306 MB when every fingerprint was kept).
 */
export const MAX_FINGERPRINT = 1_024

/** What is known of one (provider, user) pair. */
export interface DedupeRecord {
  /** What the provider holds, when it is known: the last identify sent, delivered, with none other in flight beside it. */
  accepted: string | undefined
  /** The last identify sent, while it is in flight: only it may be remembered when it is delivered. */
  latest: Fingerprinted | undefined
  /** When the last identify was sent ({@link steadyNow}): `accepted` counts for `ttlMs` from then. */
  sentAt: number
  /** Identifies sent and not finished. */
  inFlight: number
  /** Two identifies were in flight together since the last one was remembered: which one the provider kept is not known. */
  overlapped: boolean
}

/**
 * An app that identifies on every page view (a Segment habit) would spend a
 * provider's metered quota (Pathbound: 100 requests per 15 minutes) saying
 * the same thing again. An identify equal to what a provider last accepted
 * for that user, within `ttlMs`, is `skipped` with reason `duplicate`.
 *
 * What the provider holds is followed in send order: only the last identify
 * sent for a user is remembered when it is delivered, and when two were in
 * flight at once (`free` then `pro`, or an older one retried past a newer
 * one), which one the provider kept is not known, so nothing is remembered
 * and the next identify is sent. Nothing is skipped while another identify
 * for the user is on its way. A failed delivery (perhaps delivered) forgets
 * too.
 *
 * Kept in memory, exact fingerprints (the text itself, not a hash: a
 * collision could never skip an identify that says something new), at most
 * {@link MAX_FINGERPRINT} long, in quick-lru, whose two generations evict in
 * constant time. The TTL is measured on the steady clock, not by quick-lru's
 * `maxAge` (the wall clock): a clock stepped back an hour kept every record an
 * hour longer.
 */
export const createDedupe = ({ ttlMs = 24 * 60 * 60 * 1000, maxEntries = 10_000 }: DedupeOptions = {}): Dedupe => {
  // quick-lru keeps up to twice its maxSize (a full generation and the one filling): half of maxEntries keeps within it.
  const records = new QuickLRU<string, DedupeRecord>({ maxSize: Math.max(1, Math.ceil(maxEntries / 2)) })
  // Each provider's part of the key, made once: `${provider}\0` for each identify is one more string held in flight.
  const prefixes = new Map<string, string>()
  const keyOf = (provider: string, userId: string) => {
    let prefix = prefixes.get(provider)
    if (prefix === undefined) prefixes.set(provider, (prefix = `${provider}\u0000`))
    return prefix + userId
  }
  // A new record. One already kept is renewed in the LRU by the lookup that found it (quick-lru's get), and
  // changed in place: the pipeline holds the record an identify was sent under, so finishing never looks it up again.
  const remember = (key: string): DedupeRecord => {
    const record: DedupeRecord = { accepted: undefined, latest: undefined, sentAt: 0, inFlight: 0, overlapped: false }
    records.set(key, record)
    return record
  }
  return {
    pair(provider, userId) {
      const key = keyOf(provider, userId)
      return { key, record: records.get(key) }
    },
    isDuplicate({ record }, identify) {
      return record !== undefined && record.inFlight === 0 && record.accepted !== undefined && steadyNow() - record.sentAt < ttlMs && record.accepted === identify.fingerprint
    },
    sent(pair, identify) {
      const record = pair.record ?? remember(pair.key)
      if (record.inFlight > 0) record.overlapped = true
      record.latest = identify
      record.sentAt = steadyNow()
      record.inFlight++
      return record
    },
    finished(record, identify, delivered) {
      record.inFlight--
      const latest = record.latest === identify
      // Let go of it: a record outlives its identifies, and would hold the last one's event and results.
      if (latest) record.latest = undefined
      const fingerprint = delivered && latest && !record.overlapped ? identify.fingerprint : undefined
      record.accepted = fingerprint !== undefined && fingerprint.length <= MAX_FINGERPRINT ? fingerprint : undefined
      if (record.inFlight === 0) record.overlapped = false
    },
  }
}
