import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { isJson } from './shared.js'

// Amplitude's HTTP V2 API, as documented at amplitude.com/docs/apis/analytics/http-v2
// (read 2026-12-02): `POST /2/httpapi` with `api_key` and `events` in a JSON
// body; each event needs an `event_type` and a `user_id` or `device_id`, each
// at least 5 characters, or `options.min_id_length` when the request sets it
// ("options": { "min_id_length": n }); at most 2,000 events a request (413 past it).
// Answers 200 `{ code, events_ingested, payload_size_bytes, server_upload_time }`,
// An event's `ip` is where Amplitude places the user ("$remote": the address that sent the
// request); without one, it uses no address (docs/data/understand-ip-address-and-location).
// 400 `{ code, error, missing_field?, events_with_invalid_fields? }`, which ingests none
// of the batch (http-api-batching-retries: "When a 400 response lists rejected events,
// remove those events and resend the rest").

export interface AmplitudeRuleOptions {
  apiKeys: string[]
}

/** An event, its ids at least `shortest` characters long. */
const eventOf = (shortest: number) => {
  const id = z.optional(z.string().min(shortest, `must be at least ${shortest} characters`))
  return z
    .looseObject({ event_type: z.string({ error: 'event_type is required' }).min(1), user_id: id, device_id: id, user_properties: z.optional(z.record(z.string(), z.unknown())) })
    .refine((entry) => entry.user_id !== undefined || entry.device_id !== undefined, 'user_id or device_id is required')
}
const requestOptions = z.optional(z.strictObject({ min_id_length: z.optional(z.int().min(1)) }, 'options must be { min_id_length }'))

/** `events_with_invalid_fields`: each field, with the indexes of the events it is invalid in. */
const invalidByField = (issues: readonly z.core.$ZodIssue[]): Record<string, number[]> => {
  const byField: Record<string, number[]> = {}
  for (const issue of issues) {
    const [index, ...field] = issue.path
    const indexes = (byField[field.join('.') || 'event'] ??= [])
    if (typeof index === 'number' && !indexes.includes(index)) indexes.push(index)
  }
  return byField
}

const refuse = (status: number, error: string, extra: Record<string, unknown> = {}) => ({ response: { status, body: { code: status, error, ...extra } } })

/** `POST /2/httpapi`: the project key, then events with a type and a user or device id. */
export const amplitudeRule = (options: AmplitudeRuleOptions): ProviderRule => ({
  name: 'amplitude',
  method: 'POST',
  path: '/2/httpapi',
  handle(request) {
    if (!isJson(request) || typeof request.body !== 'object' || request.body === null) return refuse(400, 'Invalid JSON request body')
    const body = request.body as { api_key?: unknown; events?: unknown; options?: unknown }
    if (body.api_key === undefined) return refuse(400, 'Request missing required field', { missing_field: 'api_key' })
    if (typeof body.api_key !== 'string' || !options.apiKeys.includes(body.api_key)) return refuse(400, 'Invalid API key')
    if (!Array.isArray(body.events) || body.events.length === 0) return refuse(400, 'Request missing required field', { missing_field: 'events' })
    if (body.events.length > 2000) return refuse(413, 'Payload too large')
    const settings = requestOptions.safeParse(body.options)
    if (!settings.success) return refuse(400, 'Invalid options', { missing_field: 'options' })
    const parsed = z.array(eventOf(settings.data?.min_id_length ?? 5)).safeParse(body.events)
    // Every invalid event, by field; none of the batch is ingested (the sender removes those and resends the rest).
    if (!parsed.success) return refuse(400, 'Invalid field values on some events', { events_with_invalid_fields: invalidByField(parsed.error.issues) })
    return {
      response: { status: 200, body: { code: 200, events_ingested: parsed.data.length, payload_size_bytes: Buffer.byteLength(request.raw), server_upload_time: Date.now() } },
      accepted: parsed.data
        .filter((entry) => entry.event_type === '$identify' && entry.user_id !== undefined)
        .map((entry) => ({
          provider: 'amplitude',
          location: typeof entry.ip === 'string' ? (entry.ip === '$remote' ? 'sender' : entry.ip) : 'none',
          userId: entry.user_id as string,
          ...(entry.device_id ? { anonymousId: entry.device_id } : {}),
          traits: ((entry.user_properties as { $set?: Record<string, unknown> } | undefined)?.$set ?? {}) as Record<string, unknown>,
          ...(((entry.user_properties as { $setOnce?: Record<string, unknown> } | undefined)?.$setOnce) ? { traitsOnce: (entry.user_properties as { $setOnce: Record<string, unknown> }).$setOnce } : {}),
          at: new Date().toISOString(),
        })),
    }
  },
})
