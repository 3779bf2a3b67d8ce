import { z } from 'zod'
import type { ProviderRule, SandboxRequest, SandboxResponse } from '../types.js'
import { basicAuth, isJson } from './shared.js'

// Mixpanel's ingestion API, as documented at docs.mixpanel.com (read 2026-12-02):
// - Import Events (reference/import-events, troubleshooting/errors/400-bad-request):
//   `POST /import`, a JSON array of at most 2,000 events; the project token as the
//   HTTP Basic user name (empty password) or a Service Account, else 401. With
//   `strict=1`, each event needs `event`, `properties.time` (seconds or ms since the
//   epoch, after 1971-01-01 and at most an hour ahead), `properties.distinct_id` (a
//   string, not a placeholder such as `null`, `anonymous` or `00000000-…`) and
//   `properties.$insert_id` (at most 36 letters, digits or `-`); a batch with invalid
//   events answers 400 `{ code, error, status, num_records_imported, failed_records: [{ index, insert_id, field, message }] }`,
//   and the valid ones are still imported. 200 is `{ code: 200, num_records_imported, status: "OK" }`.
// - Simplified ID Merge (docs/tracking-methods/id-management/identifying-users-simplified):
//   an event with both `$device_id` and `$user_id` links the device to the user.
// - Profile Set (reference/profile-set, reference/user-profile-limits): `POST /engage`,
//   a JSON array of at most 2,000 updates `{ $token, $distinct_id, $set }`; it answers
//   200 even for an invalid update: the body is `1`/`0`, or with `verbose=1`
//   `{ status: 1, error: null }` / `{ status: 0, error }`.

export interface MixpanelRuleOptions {
  /** Project tokens the stand-in accepts. */
  tokens: string[]
  /**
   * The project's identity model (default `'simplified'`): what it takes as a merge. Simplified merges an event
   * carrying both `$device_id` and `$user_id` (docs/tracking-methods/id-management/identifying-users-simplified);
   * Original, only a `$identify` event with `$identified_id` and `$anon_id` (reference/create-identity), and
   * ignores the other's way, as Mixpanel does.
   */
  idMerge?: 'simplified' | 'original'
}

const PLACEHOLDERS = new Set(['00000000-0000-0000-0000-000000000000', 'anon', 'anonymous', 'nil', 'none', 'null', 'n/a', 'na', 'undefined', 'unknown', '<nil>', '0', '-1', 'true', 'false', '[]', '{}'])
const LOWEST_TIME_S = Date.UTC(1971, 0, 1) / 1000
const HOUR_MS = 60 * 60 * 1000

/** An event's time in ms: seconds and milliseconds since the epoch are both accepted. */
const inMs = (time: number): number => (time < 1e11 ? time * 1000 : time)

const event = z.looseObject({
  event: z.string({ error: "'event' is required" }).min(1, "'event' is required"),
  properties: z.looseObject({
    time: z.number({ error: "'properties.time' is invalid: must be specified as seconds or milliseconds since epoch" }).refine((time) => inMs(time) >= LOWEST_TIME_S * 1000 && inMs(time) <= Date.now() + HOUR_MS, "'properties.time' is invalid: must be after 1971-01-01 and at most an hour in the future"),
    distinct_id: z.string({ error: "'properties.distinct_id' is required" }).refine((id) => !PLACEHOLDERS.has(id.toLowerCase()), "'properties.distinct_id' is invalid: it is a placeholder value"),
    $insert_id: z.string({ error: "'properties.$insert_id' is required" }).regex(/^[A-Za-z0-9-]{1,36}$/, "'properties.$insert_id' is invalid: at most 36 letters, digits or '-'").refine((id) => !PLACEHOLDERS.has(id.toLowerCase()), "'properties.$insert_id' is invalid: it is a placeholder value"),
    $device_id: z.optional(z.string().min(1)),
    $user_id: z.optional(z.string().min(1)),
  }),
})

const profile = z.looseObject({
  $token: z.string({ error: '$token is required' }),
  $distinct_id: z.string({ error: '$distinct_id is required' }).min(1, '$distinct_id is required'),
  $set: z.optional(z.record(z.string(), z.unknown(), { error: '$set must be an object' })),
  // reference/profile-set-property-once: `$set_once` keeps a property the profile has already.
  $set_once: z.optional(z.record(z.string(), z.unknown(), { error: '$set_once must be an object' })),
})

/** A `/track` event: the token in its properties; a `$identify` names the user and the anonymous id it takes in, not the same. */
const trackedEvent = (tokens: readonly string[]) =>
  z
    .looseObject({
      event: z.string({ error: "'event' is required" }).min(1, "'event' is required"),
      properties: z.looseObject({
        token: z.string({ error: "'properties.token' is required" }).refine((token) => tokens.includes(token), "'properties.token' is not a project token"),
        // /track takes events of the last 5 days (older ones go through /import), and none more than an hour ahead.
        time: z.optional(z.number().refine((time) => inMs(time) >= Date.now() - 5 * 24 * HOUR_MS && inMs(time) <= Date.now() + HOUR_MS, "'properties.time' is invalid: /track takes the last 5 days, and at most an hour ahead")),
        ip: z.optional(z.string()),
        $identified_id: z.optional(z.string().min(1).refine((id) => !PLACEHOLDERS.has(id.toLowerCase()), "'properties.$identified_id' is a placeholder value")),
        $anon_id: z.optional(z.string().min(1).refine((id) => !PLACEHOLDERS.has(id.toLowerCase()), "'properties.$anon_id' is a placeholder value")),
      }),
    })
    .refine((entry) => entry.event !== '$identify' || (entry.properties.$identified_id !== undefined && entry.properties.$anon_id !== undefined && entry.properties.$identified_id !== entry.properties.$anon_id), "a $identify needs '$identified_id' and a different '$anon_id'")

const at = () => new Date().toISOString()

/**
 * Where Mixpanel places the user (server-side best practices, docs.mixpanel.com/docs/tracking-best-practices/server-side-best-practices):
 * by an event's `ip` property or a profile's `$ip`, else by the address that sent the request, unless the request's
 * `ip=0` (or a `$ip` of `"0"`) says not to. `location` is that address, `'none'`, or `'sender'`.
 */
const locationOf = (ip: unknown, query: string | null): string => (typeof ip === 'string' && ip !== '0' ? ip : ip === '0' || query === '0' ? 'none' : 'sender')

/** A batch of events, each checked by `schema`: the valid ones, and a `failed_records` entry for each other. */
const validated = <T>(body: unknown[], schema: z.ZodType<T>) => {
  const failed: { index: number; insert_id: string; field: string; message: string }[] = []
  const valid: T[] = []
  for (const [index, entry] of body.entries()) {
    const parsed = schema.safeParse(entry)
    if (parsed.success) {
      valid.push(parsed.data)
      continue
    }
    const issue = parsed.error.issues[0]
    const insertId = (entry as { properties?: { $insert_id?: unknown } } | null)?.properties?.$insert_id
    failed.push({ index, insert_id: typeof insertId === 'string' ? insertId : '', field: issue?.path.join('.') ?? '', message: issue?.message ?? 'invalid' })
  }
  return { failed, valid }
}

/** A strict batch endpoint's checks before its events: `strict=1`, a JSON array of 1 to 2,000 events. */
const batchProblem = (request: SandboxRequest): SandboxResponse | undefined => {
  if (request.query.get('strict') !== '1') return { status: 400, body: { code: 400, error: 'the stand-in takes strict=1 only, as Mixpanel recommends', status: 'Bad Request' } }
  if (!isJson(request) || !Array.isArray(request.body)) return { status: 400, body: { code: 400, error: 'body must be a JSON array of events', status: 'Bad Request' } }
  if (request.body.length === 0 || request.body.length > 2000) return { status: 400, body: { code: 400, error: 'a batch holds 1 to 2,000 events', status: 'Bad Request' } }
  return undefined
}

/** A strict batch's answer: 200, or 400 naming each refused event while the valid ones are imported. */
const batchAnswer = (failed: readonly unknown[], imported: number): SandboxResponse =>
  failed.length > 0
    ? { status: 400, body: { code: 400, error: 'some data points in the request failed validation', status: 'Bad Request', num_records_imported: imported, failed_records: failed } }
    : { status: 200, body: { code: 200, num_records_imported: imported, status: 'OK' } }

/** `POST /import?strict=1`: the project token as Basic auth, valid events only; a Simplified project merges `$device_id` into `$user_id`. */
const importRule = (options: MixpanelRuleOptions): ProviderRule => ({
  name: 'mixpanel',
  method: 'POST',
  path: '/import',
  handle(request) {
    // The project token as the user name, with an empty password.
    const auth = basicAuth(request)
    if (auth === undefined || auth.password !== '' || !options.tokens.includes(auth.user)) return { response: { status: 401, body: { code: 401, error: 'Invalid credentials', status: 'Unauthorized' } } }
    const problem = batchProblem(request)
    if (problem) return { response: problem }
    const { failed, valid } = validated(request.body as unknown[], event)
    const merges = options.idMerge === 'original' ? [] : valid.filter((entry) => entry.properties.$user_id !== undefined)
    const accepted = merges.map((entry) => ({ provider: 'mixpanel', location: locationOf(entry.properties.ip, request.query.get('ip')), userId: entry.properties.$user_id as string, ...(entry.properties.$device_id ? { anonymousId: entry.properties.$device_id } : {}), traits: {}, at: at() }))
    return { response: batchAnswer(failed, valid.length), accepted }
  },
})

/**
 * `POST /track?strict=1` (reference/track-event, reference/create-identity): each event carries the project token
 * in its properties; an Original project merges a `$identify` event's `$anon_id` into its `$identified_id`.
 */
const trackRule = (options: MixpanelRuleOptions): ProviderRule => {
  const tracked = trackedEvent(options.tokens)
  return {
    name: 'mixpanel',
    method: 'POST',
    path: '/track',
    handle(request) {
      const problem = batchProblem(request)
      if (problem) return { response: problem }
      const { failed, valid } = validated(request.body as unknown[], tracked)
      const merges = options.idMerge === 'original' ? valid.filter((entry) => entry.event === '$identify' && entry.properties.$identified_id !== undefined) : []
      const accepted = merges.map((entry) => ({ provider: 'mixpanel', location: locationOf(entry.properties.ip, request.query.get('ip')), userId: entry.properties.$identified_id as string, anonymousId: entry.properties.$anon_id as string, traits: {}, at: at() }))
      return { response: batchAnswer(failed, valid.length), accepted }
    },
  }
}

/** `POST /engage`: profile updates, each with a known `$token`; 200 whatever happens, the body tells. */
const engageRule = (options: MixpanelRuleOptions): ProviderRule => ({
  name: 'mixpanel',
  method: 'POST',
  path: '/engage',
  handle(request) {
    const verbose = request.query.get('verbose') === '1'
    const answer = (error: string | null) => ({ status: 200, body: verbose ? { status: error === null ? 1 : 0, error } : error === null ? 1 : 0 })
    if (!isJson(request) || !Array.isArray(request.body)) return { response: answer('data must be a JSON array of profile updates') }
    if (request.body.length === 0 || request.body.length > 2000) return { response: answer('a batch holds 1 to 2,000 profile updates') }
    const parsed = z.array(profile).safeParse(request.body)
    if (!parsed.success) return { response: answer(parsed.error.issues[0]?.message ?? 'invalid profile update') }
    if (parsed.data.some((update) => !options.tokens.includes(update.$token))) return { response: answer('Invalid token') }
    if (request.body.some((update) => Buffer.byteLength(JSON.stringify(update)) > 1024 * 1024)) return { response: answer('a profile update is larger than 1 MB') }
    return {
      response: answer(null),
      accepted: parsed.data
        .filter((update) => update.$set !== undefined || update.$set_once !== undefined)
        .map((update) => ({ provider: 'mixpanel', location: locationOf(update.$ip, request.query.get('ip')), userId: update.$distinct_id, traits: (update.$set ?? {}) as Record<string, unknown>, ...(update.$set_once ? { traitsOnce: update.$set_once as Record<string, unknown> } : {}), at: at() })),
    }
  },
})

/** Mixpanel's two endpoints an identify uses: `/import` (the merge event) and `/engage` (the profile). */
export const mixpanelRules = (options: MixpanelRuleOptions): ProviderRule[] => [importRule(options), trackRule(options), engageRule(options)]
