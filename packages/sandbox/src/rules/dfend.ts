import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { isJson } from './shared.js'

export interface DfendRuleOptions {
  /** Accepted secret keys (`x-api-key`). */
  secretKeys: string[]
}

const body = z.strictObject({
  userId: z.string({ error: 'userId is required' }).min(1, 'userId is required'),
  email: z.optional(z.email('email must be a valid email address')),
  phone: z.optional(z.string().regex(/^\+[1-9]\d{1,14}$/, 'phone must be in E.164 format')),
  merge: z.optional(z.boolean('merge must be a boolean')),
  metadata: z.optional(z.record(z.string(), z.unknown(), 'metadata must be an object')),
})

/**
 * DFend's `POST /identity` (providers/dfend.md, FACTS.md): `x-api-key` with a
 * secret key, `userId` required, `email` valid, `phone` E.164, `merge` boolean,
 * `metadata` an object, nothing else; answers `{ id, created, merged }`.
 */
export const dfendRule = (options: DfendRuleOptions): ProviderRule => {
  const identities = new Map<string, { id: string; data: Record<string, unknown> }>()
  return {
    name: 'dfend',
    method: 'POST',
    path: '/identity',
    handle(request) {
      const key = request.headers['x-api-key']
      if (typeof key !== 'string' || !options.secretKeys.includes(key)) return { response: { status: 401, body: { error: 'Unauthorized' } } }
      if (!isJson(request)) return { response: { status: 400, body: { error: 'Body must be JSON' } } }
      const parsed = body.safeParse(request.body)
      if (!parsed.success) return { response: { status: 400, body: { error: parsed.error.issues.map((issue) => issue.message).join('; ') } } }
      const { userId, merge = false, ...data } = parsed.data
      // What the inspector shows: DFend's own fields and the metadata, side by side.
      const { metadata, ...contact } = data
      const traits = { ...metadata, ...contact }
      const existing = identities.get(userId)
      if (existing) {
        if (merge) Object.assign(existing.data, data)
        return { response: { status: 200, body: { id: existing.id, created: false, merged: merge } }, accepted: merge ? [{ provider: 'dfend', userId, traits, at: new Date().toISOString() }] : [] }
      }
      const identity = { id: `idn_${(identities.size + 1).toString(36).padStart(8, '0')}`, data }
      identities.set(userId, identity)
      return {
        response: { status: 200, body: { id: identity.id, created: true, merged: false } },
        accepted: [{ provider: 'dfend', userId, traits, at: new Date().toISOString() }],
      }
    },
  }
}
