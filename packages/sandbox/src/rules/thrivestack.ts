import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { bearer, isJson } from './shared.js'

export interface ThrivestackRuleOptions {
  apiKey: string
  /** The token that `Authorization: Bearer` carries in the older `bearer+key` form. */
  token?: string
}

const item = z.strictObject({
  user_id: z.string({ error: 'user_id is required' }).min(1, 'user_id is required'),
  traits: z.optional(z.record(z.string(), z.unknown(), 'traits must be an object')),
  timestamp: z.optional(z.iso.datetime({ offset: true, error: 'timestamp must be ISO 8601' })),
  context: z.optional(
    z.looseObject({
      source: z.optional(z.enum(['product', 'marketing'], 'context.source must be product or marketing')),
      group_id: z.optional(z.string()),
      device_id: z.optional(z.string()),
      session_id: z.optional(z.string()),
    }),
  ),
})

const error = (status: number, message: string, code: string) => ({ response: { status, body: { status: 'error', message, error_code: code } } })

/**
 * Thrivestack's `POST /api/identify` (providers/thrivestack.md, FACTS.md): one of
 * the three documented auth forms, `Accept: application/json`, a JSON array of
 * 1..1,000 identify objects and at most 2 MB.
 */
export const thrivestackRule = (options: ThrivestackRuleOptions): ProviderRule => {
  let events = 0
  return {
    name: 'thrivestack',
    method: 'POST',
    path: '/api/identify',
    handle(request) {
      const { headers } = request
      const token = bearer(request)
      const authorised =
        headers['x-api-key'] === options.apiKey ||
        (token === options.apiKey && headers.key === undefined) ||
        (options.token !== undefined && token === options.token && headers.key === options.apiKey)
      if (!authorised) return error(401, 'Invalid or missing API key', 'UNAUTHORIZED')
      if (!String(headers.accept ?? '').includes('application/json')) return error(406, 'Accept: application/json is required', 'NOT_ACCEPTABLE')
      if (Buffer.byteLength(request.raw) > 2 * 1024 * 1024) return error(400, 'Request larger than 2 MB', 'PAYLOAD_TOO_LARGE')
      if (!isJson(request) || !Array.isArray(request.body)) return error(400, 'Body must be a JSON array of identify objects', 'INVALID_REQUEST')
      if (request.body.length === 0 || request.body.length > 1000) return error(400, 'Between 1 and 1000 identify objects per request', 'INVALID_REQUEST')
      const parsed = z.array(item).safeParse(request.body)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        return error(400, `[${issue?.path.join('.')}] ${issue?.message}`, 'INVALID_REQUEST')
      }
      events += 1
      return {
        response: { status: 200, body: { success: true, eventId: `evt_${events}` } },
        accepted: parsed.data.map((entry) => ({ provider: 'thrivestack', userId: entry.user_id, traits: entry.traits ?? {}, at: new Date().toISOString() })),
      }
    },
  }
}
