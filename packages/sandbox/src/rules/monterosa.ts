import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { bearer, isJson } from './shared.js'

export interface MonterosaRuleOptions {
  projectId: string
  /** Bearer tokens accepted for token-bearing providers. */
  tokens?: string[]
}

const noLogin = z.strictObject({
  projectId: z.uuid('projectId must be a UUID'),
  strategy: z.literal('simplified', 'strategy must be simplified for noLogin'),
  provider: z.literal('noLogin'),
  externalId: z.string('externalId is required').min(1, 'externalId is required'),
  appProfile: z.optional(z.record(z.string(), z.unknown(), 'appProfile must be an object')),
})

const withToken = z.strictObject({
  projectId: z.uuid('projectId must be a UUID'),
  strategy: z.string('strategy is required').min(1),
  provider: z.string('provider is required').min(1),
  data: z.record(z.string(), z.unknown(), 'data must be an object'),
})

const error = (status: number, message: string) => ({ response: { status, body: { result: 0, message } } })

/**
 * Monterosa Identify's `PUT /v1/user` (providers/monterosa-identify.md): the
 * project's UUID, `noLogin` bodies with `externalId` and `appProfile`,
 * token-bearing providers with `Authorization: Bearer` and `data` (never a
 * password); success is `{ result: 1, message: 'OK', data }`.
 */
export const monterosaRule = (options: MonterosaRuleOptions): ProviderRule => ({
  name: 'monterosa',
  method: 'PUT',
  path: '/v1/user',
  handle(request) {
    if (!isJson(request)) return error(400, 'Body must be JSON')
    const provider = (request.body as { provider?: unknown } | null)?.provider
    if (provider === 'noLogin') {
      const parsed = noLogin.safeParse(request.body)
      if (!parsed.success) return error(400, parsed.error.issues[0]?.message ?? 'Invalid body')
      if (parsed.data.projectId !== options.projectId) return error(404, 'Unknown project')
      const { externalId, appProfile = {}, projectId, strategy } = parsed.data
      return {
        response: { status: 200, body: { result: 1, message: 'Profile updated', data: { externalId, projectId, strategy, provider, appProfile } } },
        accepted: [{ provider: 'monterosa', userId: externalId, traits: appProfile, at: new Date().toISOString() }],
      }
    }
    const token = bearer(request)
    if (!token || !options.tokens?.includes(token)) return error(401, 'Unauthorized')
    const parsed = withToken.safeParse(request.body)
    if (!parsed.success) return error(400, parsed.error.issues[0]?.message ?? 'Invalid body')
    if (parsed.data.projectId !== options.projectId) return error(404, 'Unknown project')
    if (Object.keys(parsed.data.data).some((key) => /password/i.test(key))) return error(400, 'Passwords cannot be updated here')
    return {
      response: { status: 200, body: { result: 1, message: 'User is Correctly Created', data: { ...parsed.data.data, projectId: parsed.data.projectId } } },
      accepted: [{ provider: 'monterosa', userId: `token:${token.slice(0, 4)}`, traits: parsed.data.data, at: new Date().toISOString() }],
    }
  },
})
