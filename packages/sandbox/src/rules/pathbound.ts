import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { bearer, details, isJson } from './shared.js'

export interface PathboundRuleOptions {
  /** API keys with their scopes. */
  keys: { key: string; scopes: string[] }[]
  /** Requests allowed per window per key. Default 100 per 15 minutes, as documented. */
  rateLimit?: { limit: number; windowMs: number }
}

const body = z.strictObject({
  external_id: z.string({ error: 'is required' }).min(1, 'is required').max(100, 'must be at most 100 characters'),
  anonymous_id: z.optional(z.string().min(1)),
  traits: z.optional(z.record(z.string(), z.unknown(), 'must be an object')),
})

const error = (status: number, message: string, extra: Record<string, unknown> = {}) => ({
  response: { status, body: { status: 'error', error: message, ...extra, timestamp: new Date().toISOString() } },
})

/**
 * Pathbound's `POST /v1/identify` (providers/pathbound.md, FACTS.md): Bearer key
 * with `contacts:write`, `external_id` 1..100, optional `anonymous_id` and
 * `traits`, 100 requests per 15 minutes per key then 429, one device per contact.
 */
export const pathboundRule = (options: PathboundRuleOptions): ProviderRule => {
  const limit = options.rateLimit ?? { limit: 100, windowMs: 15 * 60 * 1000 }
  const calls = new Map<string, number[]>()
  const contacts = new Map<string, string>()
  const deviceOwner = new Map<string, string>()
  return {
    name: 'pathbound',
    method: 'POST',
    path: '/v1/identify',
    handle(request) {
      const token = bearer(request)
      const key = options.keys.find((entry) => entry.key === token)
      if (!key) return error(401, 'Invalid API key')
      const now = Date.now()
      const recent = (calls.get(key.key) ?? []).filter((at) => at > now - limit.windowMs)
      if (recent.length >= limit.limit) return error(429, 'Rate limit exceeded')
      recent.push(now)
      calls.set(key.key, recent)
      if (!key.scopes.includes('contacts:write')) return error(403, 'API key lacks the contacts:write scope')
      if (!isJson(request)) return error(400, 'Body must be JSON')
      const parsed = body.safeParse(request.body)
      if (!parsed.success) return error(400, 'Validation failed', { details: details(parsed.error) })
      const { external_id, anonymous_id, traits = {} } = parsed.data
      const created = !contacts.has(external_id)
      const contactId = contacts.get(external_id) ?? `ct_${contacts.size + 1}`
      contacts.set(external_id, contactId)
      let linked = 0
      if (anonymous_id !== undefined) {
        const owner = deviceOwner.get(anonymous_id)
        if (owner === undefined) {
          deviceOwner.set(anonymous_id, contactId)
          linked = 1
        }
      }
      return {
        response: { status: 200, body: { status: 'success', contact_id: contactId, created, events_linked: linked, timestamp: new Date().toISOString() } },
        accepted: [{ provider: 'pathbound', userId: external_id, ...(anonymous_id ? { anonymousId: anonymous_id } : {}), traits, at: new Date().toISOString() }],
      }
    },
  }
}
