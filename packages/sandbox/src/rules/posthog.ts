import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { isJson } from './shared.js'

// PostHog's capture API, as documented at https://posthog.com/docs/api/capture
// (read 2026-12-02):
// - `/i/v0/e` and `/batch` are POST-only public endpoints authenticated by the
//   project API key (`phc_…`), sent in the body as `api_key`;
// - every event must carry `api_key`, `distinct_id` and `event`; `properties`
//   and `timestamp` (ISO 8601) are optional;
// - an `$identify` event links the anonymous id in `$anon_distinct_id` to the
//   `distinct_id`, and `$set` sets person properties;
// - hosts: https://us.i.posthog.com (US), https://eu.i.posthog.com (EU), or self-hosted.
// - location (posthog.com/docs/cdp/geoip-enrichment): an event is placed by its `$ip` property, a string,
//   else by the address that sent it (for a server, the data centre's); `$geoip_disable: true` turns the
//   lookup off (posthog-node sends it by default since 3.0). The stand-in records where it would place the
//   person: `location` is `$ip`, `'none'` with `$geoip_disable`, else `'sender'`.
// Error bodies are `{ type, code, detail }`, `invalid_api_key` for a wrong key.

export interface PosthogRuleOptions {
  /** Project API keys the stand-in accepts. */
  apiKeys: string[]
}

const event = z.looseObject({
  event: z.string({ error: 'event is required' }).min(1, 'event is required'),
  distinct_id: z.optional(z.union([z.string().min(1), z.number()])),
  timestamp: z.optional(z.iso.datetime({ offset: true, error: 'timestamp must be ISO 8601' })),
  properties: z.optional(z.looseObject({ distinct_id: z.optional(z.union([z.string().min(1), z.number()])), $ip: z.optional(z.string('$ip must be a string')), $geoip_disable: z.optional(z.boolean()) })),
})

const refuse = (status: number, type: string, code: string, detail: string) => ({ response: { status, body: { type, code, detail, attr: null } } })

/** `POST /batch/` of PostHog's capture API: the project key in the body, events with a name and a distinct id. */
export const posthogRule = (options: PosthogRuleOptions): ProviderRule => ({
  name: 'posthog',
  method: 'POST',
  path: '/batch/',
  handle(request) {
    if (!isJson(request) || typeof request.body !== 'object' || request.body === null) return refuse(400, 'validation_error', 'invalid_payload', 'Malformed request data')
    const body = request.body as { api_key?: unknown; batch?: unknown }
    if (typeof body.api_key !== 'string' || !options.apiKeys.includes(body.api_key)) {
      return refuse(401, 'authentication_error', 'invalid_api_key', 'Project API key invalid. You can find your project API key in PostHog project settings.')
    }
    if (!Array.isArray(body.batch) || body.batch.length === 0) return refuse(400, 'validation_error', 'invalid_payload', 'batch must be a non-empty array of events')
    const parsed = z.array(event).safeParse(body.batch)
    if (!parsed.success) return refuse(400, 'validation_error', 'invalid_payload', parsed.error.issues[0]?.message ?? 'invalid event')
    const distinct = (item: (typeof parsed.data)[number]) => String(item.distinct_id ?? item.properties?.distinct_id ?? '')
    if (parsed.data.some((item) => distinct(item) === '')) return refuse(400, 'validation_error', 'invalid_payload', 'distinct_id is required on every event')
    const identifies = parsed.data.filter((item) => item.event === '$identify')
    return {
      response: { status: 200, body: { status: 1 } },
      accepted: identifies.map((item) => {
        const properties = (item.properties ?? {}) as { $anon_distinct_id?: unknown; $set?: unknown; $set_once?: unknown; $ip?: string; $geoip_disable?: boolean }
        return {
          provider: 'posthog',
          location: properties.$ip ?? (properties.$geoip_disable === true ? 'none' : 'sender'),
          userId: distinct(item),
          ...(typeof properties.$anon_distinct_id === 'string' ? { anonymousId: properties.$anon_distinct_id } : {}),
          traits: typeof properties.$set === 'object' && properties.$set !== null ? (properties.$set as Record<string, unknown>) : {},
          ...(typeof properties.$set_once === 'object' && properties.$set_once !== null ? { traitsOnce: properties.$set_once as Record<string, unknown> } : {}),
          at: new Date().toISOString(),
        }
      }),
    }
  },
})
