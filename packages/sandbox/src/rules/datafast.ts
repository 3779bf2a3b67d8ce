import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { bearer, id, isJson, isPlainObject, UUID } from './shared.js'

export interface DatafastRuleOptions {
  /** Accepted website keys (`df_…`). */
  websiteKeys?: string[]
  /** Accepted account tokens (`dft_…`) with the website ids they may access and whether they hold `identify:write`. */
  accountTokens?: { token: string; websiteIds: string[]; identifyWrite?: boolean }[]
  /** When set, only these visitors have pageviews; others get 404. */
  visitorsWithPageviews?: () => ReadonlySet<string>
}

const body = z.looseObject({
  user_id: z.string({ error: 'user_id is required' }).min(1, 'user_id is required').max(255, 'user_id must be at most 255 characters'),
  datafast_visitor_id: z.string({ error: 'datafast_visitor_id is required' }).regex(UUID, 'datafast_visitor_id must be a valid UUID'),
})

const error = (status: number, message: string) => ({ response: { status, body: { status: 'error', error: { code: status, message } } } })

/**
 * DataFast's `POST /api/v1/identify`, as documented in providers/datafast.md and FACTS.md:
 * Bearer df_/dft_ auth (dft_ needs `?websiteId=` and `identify:write`), user_id 1..255,
 * datafast_visitor_id a UUID, 404 for a visitor without pageviews, idempotent upsert.
 */
export const datafastRule = (options: DatafastRuleOptions = {}): ProviderRule => {
  const profiles = new Map<string, string>()
  return {
    name: 'datafast',
    method: 'POST',
    path: '/api/v1/identify',
    handle(request) {
      const token = bearer(request)
      const websiteId = request.query.get('websiteId')
      if (token === undefined) return error(401, 'Missing API key')
      if (token.startsWith('dft_')) {
        const account = options.accountTokens?.find((entry) => entry.token === token)
        if (!account) return error(401, 'Invalid API key')
        if (!websiteId) return error(400, 'websiteId query parameter is required with an account token')
        if (!account.websiteIds.includes(websiteId)) return error(403, 'Token cannot access this website')
        if (account.identifyWrite === false) return error(403, 'Missing identify:write permission')
      } else if (!options.websiteKeys?.includes(token)) {
        return error(401, 'Invalid API key')
      }
      if (!isJson(request) || !isPlainObject(request.body)) return error(400, 'Body must be a JSON object')
      const parsed = body.safeParse(request.body)
      if (!parsed.success) return error(400, parsed.error.issues[0]?.message ?? 'Invalid body')
      const { user_id, datafast_visitor_id, ...metadata } = parsed.data
      const seen = options.visitorsWithPageviews?.()
      if (seen && !seen.has(datafast_visitor_id)) return error(404, 'Visitor has no pageviews on this website')
      const key = `${user_id}\u0000${datafast_visitor_id}`
      const existing = profiles.get(key)
      const profileId = existing ?? id('', profiles.size + 1)
      profiles.set(key, profileId)
      return {
        response: {
          status: 200,
          body: { status: 'success', data: { message: existing ? 'User profile updated successfully' : 'User profile created successfully', profileId } },
        },
        accepted: [{ provider: 'datafast', userId: user_id, anonymousId: datafast_visitor_id, traits: metadata, at: new Date().toISOString() }],
      }
    },
  }
}
