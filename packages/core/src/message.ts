import * as z from 'zod/mini'
import { isAnonymousId } from './anonymous-ids.js'
import { checkJson, isPlainObject, jsonCopy, type JsonIssue } from './json.js'
import { isUuid } from './uuid.js'

/**
 * What an app passes to `identify()`: who the user is, which anonymous
 * visitor they were, and what we know about them.
 *
 * @example
 * const message: IdentifyMessage = { userId: 'usr_8f3a', anonymousId: getVisitorId(req), traits: { email: 'ada@example.com' } }
 */
export interface IdentifyMessage {
  /** The app's stable, opaque user id (the "external id"). */
  userId: string
  /** The visitor cookie's value: a UUID. `null` and `undefined` both mean "none". */
  anonymousId?: string | null | undefined
  /**
   * Each tool's own anonymous id, keyed by provider kind (`segment`,
   * `posthog`, `ga4`, `datafast`, `pathbound`, …): `getAnonymousIds(request)`
   * reads them from the tools' cookies. A provider uses its own entry when
   * there is one, and `anonymousId` otherwise.
   */
  anonymousIds?: Record<string, string> | undefined
  /** Email, name, plan, company, phone, … Must be JSON: no BigInt, cycles or functions. */
  traits?: Record<string, unknown> | undefined
  /**
   * Traits set only while the user's profile has none of that name yet: first-touch attribution (the
   * initial referrer, the first UTM source). PostHog `$set_once`, Mixpanel `$set_once`, Amplitude
   * `$setOnce`; the other providers have no such thing and leave them out (a debug log line says so).
   */
  traitsOnce?: Record<string, unknown> | undefined
  /** When it happened: a Date or an ISO 8601 string. Defaults to now. */
  timestamp?: Date | string | undefined
  /** Extra information about the call (ip, userAgent, page, source, group id, …). */
  context?: Record<string, unknown> | undefined
  /**
   * What the user agreed to, when your consent banner knows. `analytics: false` sends nothing to any
   * provider (each result `skipped`, reason `no_consent`). The ad signals go where a provider's API has a
   * place for them: GA4's `consent` (Consent Mode v2, needed for users in the EEA) and Segment's
   * `context.consent`. Leave a field out when the user was not asked.
   */
  consent?: Consent | undefined
}

/** A user's consent, as Google's Consent Mode v2 names its signals. */
export interface Consent {
  /** Analytics at all: `false` sends the identify nowhere. */
  analytics?: boolean | undefined
  /** Sending the user's data to Google for advertising (`ad_user_data`). */
  adUserData?: boolean | undefined
  /** Personalised advertising (`ad_personalization`). */
  adPersonalization?: boolean | undefined
}

/**
 * A message after validation: copied (so later changes by the caller do not
 * leak into queued deliveries), stamped with an id and an ISO time. This is
 * what adapters receive.
 */
export interface IdentifyEvent {
  readonly messageId: string
  readonly userId: string
  readonly anonymousId?: string
  /** Each tool's own anonymous id, by provider kind (`prepareEvent` always sets it, empty when none was given). */
  readonly anonymousIds?: Readonly<Record<string, string>>
  readonly traits: Readonly<Record<string, unknown>>
  /** Traits to set only when the profile has none of that name yet; absent when none were given. */
  readonly traitsOnce?: Readonly<Record<string, unknown>>
  readonly context: Readonly<Record<string, unknown>>
  /** The user's consent, when the message said; absent otherwise. */
  readonly consent?: Readonly<Consent>
  /** ISO 8601, UTC. */
  readonly timestamp: string
  /** When idstitch took the message (ISO 8601, UTC): the time a provider with a window for past events judges against (GA4: 72 hours). */
  readonly receivedAt?: string
  /** The SDK that sent it (`@idstitch/node` and its version), for providers that record it (Segment's `context.library`). */
  readonly library: Library
}

/** An SDK's name and version. */
export interface Library {
  readonly name: string
  readonly version: string
}

/** What the caller of {@link prepareEvent} stamps on the event: it keeps the core free of clocks, randomness and package names. */
export interface EventStamp {
  messageId: string
  now: Date
  library: Library
}

/** The outcome of {@link prepareEvent}. */
export type PreparedEvent = { ok: true; event: IdentifyEvent } | { ok: false; issues: JsonIssue[] }

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined || issue.input === null ? 'is required' : `must be ${what}`

/** Built on first use: schema construction is start-up work a cold start need not pay before the first identify. */
let schema: ReturnType<typeof buildSchema> | undefined
const buildSchema = () => z.object({
  userId: z
    .string({ error: required('a string') })
    .check(
      z.minLength(1, 'must not be empty'),
      z.refine((value) => value === '' || value.trim() !== '', 'must not be blank'),
    ),
  // Every visitor cookie idstitch reads or writes holds a UUID; anything else is a
  // tampered cookie or a bug, and is refused for every provider.
  anonymousId: z.nullish(
    z.string({ error: 'must be a string' }).check(
      z.minLength(1, 'must not be empty (omit it instead)'),
      z.refine((value) => value === '' || isUuid(value), 'must be a UUID (the visitor cookie\'s value)'),
    ),
  ),
  anonymousIds: z.optional(
    z.record(
      z.string().check(z.regex(/^[a-z0-9_-]{1,64}$/, 'must be keyed by provider kind (posthog, ga4, …)')),
      z.string({ error: 'must be a string' }).check(z.refine(isAnonymousId, 'must be 1..200 characters: letters, digits, . _ : $ @ + -')),
      { error: 'must be an object of provider kind to id' },
    ),
  ),
  traits: z.optional(z.custom<Record<string, unknown>>(isPlainObject, { error: 'must be a plain object' })),
  traitsOnce: z.optional(z.custom<Record<string, unknown>>(isPlainObject, { error: 'must be a plain object' })),
  context: z.optional(z.custom<Record<string, unknown>>(isPlainObject, { error: 'must be a plain object' })),
  consent: z.optional(
    z.strictObject(
      { analytics: z.optional(z.boolean({ error: 'must be a boolean' })), adUserData: z.optional(z.boolean({ error: 'must be a boolean' })), adPersonalization: z.optional(z.boolean({ error: 'must be a boolean' })) },
      { error: 'must be { analytics?, adUserData?, adPersonalization? } with booleans' },
    ),
  ),
  timestamp: z.optional(
    z.union(
      [
        z.date().check(z.refine((date) => !Number.isNaN(date.getTime()), 'must be a valid Date')),
        z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time (2026-01-31T12:00:00Z)' }),
      ],
      { error: 'must be a Date or an ISO 8601 string' },
    ),
  ),
})

/** A zod issue's path as idstitch names a field: `traits.plan`, `providers[0]`. */
export const pathOf = (path: readonly PropertyKey[]): string =>
  path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`)).join('')

/** A JSON copy: Dates become ISO strings, `undefined` properties go. Only call on values `checkJson` accepted. */
const copy = (value: Record<string, unknown> | undefined): Record<string, unknown> => (value === undefined ? NONE : jsonCopy(value))

/**
 * The one empty record every event without anonymous ids or context shares, frozen (the event's fields are
 * read-only): 56 bytes less per identify held in flight, which a burst holds by the ten thousand (bench §2).
 */
const NONE: Readonly<Record<string, never>> = Object.freeze({})

/** The consent the message gave, without the fields it left out; nothing when it gave none. */
const consentOf = (consent: Consent | undefined): { consent?: Consent } => {
  if (consent === undefined) return {}
  const given = Object.fromEntries(Object.entries(consent).filter(([, value]) => value !== undefined)) as Consent
  return Object.keys(given).length > 0 ? { consent: given } : {}
}

/** The last time {@link isoTime} wrote, in epoch ms, and what it wrote. */
let lastMs = Number.NaN
let lastIso = ''

/**
 * `date` as ISO 8601 text; the same text again within the same millisecond. `toISOString()` costs ~0.4 us
 * of the ~3 us the pipeline spends on an identify before its sink, and the identifies of a burst (a queue's
 * producer, a batching provider) arrive many to the millisecond (bench sections 2 and 6). An invalid date
 * throws, as `toISOString()` does.
 */
const isoTime = (date: Date): string => {
  const ms = date.getTime()
  if (ms !== lastMs) {
    lastIso = date.toISOString()
    lastMs = ms
  }
  return lastIso
}

/**
 * Validates a message and turns it into an {@link IdentifyEvent}. Pure: the
 * caller supplies the message id and the current time.
 *
 * @example
 * const prepared = prepareEvent({ userId: 'usr_1' }, { messageId: crypto.randomUUID(), now: new Date(), library: { name: '@idstitch/node', version: '1.0.0' } })
 * if (!prepared.ok) console.log(prepared.issues) // [{ path: 'userId', message: 'is required' }]
 */
export const prepareEvent = (message: unknown, stamp: EventStamp): PreparedEvent => {
  if (!isPlainObject(message)) return { ok: false, issues: [{ path: 'message', message: 'must be an object with a userId' }] }
  const parsed = (schema ??= buildSchema()).safeParse(message)
  const issues: JsonIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message }))
  for (const field of ['traits', 'traitsOnce', 'context'] as const) {
    if (isPlainObject(message[field])) issues.push(...checkJson(message[field], field, { object: true }))
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues }

  const { userId, anonymousId, anonymousIds, traits, traitsOnce, context, consent, timestamp } = parsed.data
  const once = copy(traitsOnce)
  const receivedAt = isoTime(stamp.now)
  return {
    ok: true,
    event: {
      messageId: stamp.messageId,
      userId,
      ...(anonymousId == null ? {} : { anonymousId }),
      anonymousIds: anonymousIds === undefined ? NONE : { ...anonymousIds },
      traits: copy(traits),
      ...(Object.keys(once).length > 0 ? { traitsOnce: once } : {}),
      context: copy(context),
      ...consentOf(consent),
      timestamp: timestamp === undefined ? receivedAt : new Date(timestamp).toISOString(),
      receivedAt,
      library: stamp.library,
    },
  }
}
