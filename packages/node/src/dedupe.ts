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
  readonly entry: Entry | undefined
}

/** One identify handed to a provider, as de-duplication follows it: from {@link Dedupe.sent} to {@link Dedupe.finished}. */
export interface DedupeTicket {
  /** The record it was sent under: one forgotten (evicted) since is no longer in the cache, and what the ticket does to it changes nothing. */
  readonly entry: Entry
  readonly identify: Fingerprinted
  readonly sequence: number
}

/** Remembers what each provider was last sent, and accepted, for each user. */
export interface Dedupe {
  /** What is known of `provider`'s record of this user (one cache lookup, which also renews the pair's place in the LRU). */
  pair(provider: string, userId: string): DedupePair
  /** True when the pair's provider accepted this user's identify with the same fingerprint within `ttlMs`, and nothing else is on its way there for the user. */
  isDuplicate(pair: DedupePair, identify: Fingerprinted): boolean
  /** An identify is handed to the pair's provider: identifies are remembered in the order they are sent, not the order they finish. */
  sent(pair: DedupePair, identify: Fingerprinted): DedupeTicket
  /** Its delivery finished: `delivered`, or not (failed, maybe delivered: the provider's state is then unknown). */
  finished(ticket: DedupeTicket, delivered: boolean): void
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
export interface Entry {
  /** What the provider holds, when it is known: the last identify sent, delivered, with none other in flight beside it. */
  accepted: string | undefined
  /** The sequence number of the last identify sent. */
  sequence: number
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
  const entries = new QuickLRU<string, Entry>({ maxSize: Math.max(1, Math.ceil(maxEntries / 2)) })
  // Each provider's part of the key, made once: `${provider}\0` for each identify is one more string held in flight.
  const prefixes = new Map<string, string>()
  const keyOf = (provider: string, userId: string) => {
    let prefix = prefixes.get(provider)
    if (prefix === undefined) prefixes.set(provider, (prefix = `${provider}\u0000`))
    return prefix + userId
  }
  // A new record. One already kept is renewed in the LRU by the lookup that found it (quick-lru's get), and
  // changed in place: a ticket holds its record, so finishing one never looks the pair up again.
  const remember = (key: string): Entry => {
    const entry: Entry = { accepted: undefined, sequence: 0, sentAt: 0, inFlight: 0, overlapped: false }
    entries.set(key, entry)
    return entry
  }
  return {
    pair(provider, userId) {
      const key = keyOf(provider, userId)
      return { key, entry: entries.get(key) }
    },
    isDuplicate({ entry }, identify) {
      return entry !== undefined && entry.inFlight === 0 && entry.accepted !== undefined && steadyNow() - entry.sentAt < ttlMs && entry.accepted === identify.fingerprint
    },
    sent(pair, identify) {
      const entry = pair.entry ?? remember(pair.key)
      if (entry.inFlight > 0) entry.overlapped = true
      const sequence = ++entry.sequence
      entry.sentAt = steadyNow()
      entry.inFlight++
      return { entry, identify, sequence }
    },
    finished({ entry, identify, sequence }, delivered) {
      entry.inFlight--
      const fingerprint = delivered && sequence === entry.sequence && !entry.overlapped ? identify.fingerprint : undefined
      entry.accepted = fingerprint !== undefined && fingerprint.length <= MAX_FINGERPRINT ? fingerprint : undefined
      if (entry.inFlight === 0) entry.overlapped = false
    },
  }
}
