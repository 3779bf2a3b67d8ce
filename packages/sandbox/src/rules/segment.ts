import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { basicAuth, isJson } from './shared.js'

export interface SegmentRuleOptions {
  writeKeys: string[]
}

const identify = z
  .looseObject({
    type: z.literal('identify'),
    messageId: z.string().min(1, 'messageId is required'),
    timestamp: z.iso.datetime({ offset: true, error: 'timestamp must be ISO 8601' }),
    userId: z.optional(z.string().min(1)),
    anonymousId: z.optional(z.string().min(1)),
    traits: z.optional(z.record(z.string(), z.unknown())),
    context: z.optional(z.record(z.string(), z.unknown())),
  })
  .refine((message) => message.userId !== undefined || message.anonymousId !== undefined, 'userId or anonymousId is required')

/** `context.consent.categoryPreferences`, when it is category name to boolean. */
const consentOf = (context: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
  const preferences = (context?.consent as { categoryPreferences?: unknown } | undefined)?.categoryPreferences
  return typeof preferences === 'object' && preferences !== null && Object.values(preferences).every((value) => typeof value === 'boolean') ? (preferences as Record<string, unknown>) : undefined
}

/**
 * A Segment-compatible `POST /v1/batch`: HTTP Basic with the write key as user
 * name, at most 500 KB a batch and 32 KB a message, identify messages with a
 * messageId, an ISO timestamp, and a userId or anonymousId.
 */
export const segmentRule = (options: SegmentRuleOptions): ProviderRule => ({
  name: 'segment',
  method: 'POST',
  path: '/v1/batch',
  handle(request) {
    const user = basicAuth(request)?.user
    if (!user || !options.writeKeys.includes(user)) return { response: { status: 401, body: { success: false, message: 'Invalid write key' } } }
    if (Buffer.byteLength(request.raw) > 500 * 1024) return { response: { status: 400, body: { success: false, message: 'Batch larger than 500 KB' } } }
    if (!isJson(request)) return { response: { status: 400, body: { success: false, message: 'Body must be JSON' } } }
    const batch = (request.body as { batch?: unknown } | null)?.batch
    if (!Array.isArray(batch) || batch.length === 0) return { response: { status: 400, body: { success: false, message: 'batch must be a non-empty array' } } }
    for (const message of batch) {
      if (JSON.stringify(message).length > 32 * 1024) return { response: { status: 400, body: { success: false, message: 'Message larger than 32 KB' } } }
    }
    const parsed = z.array(identify).safeParse(batch)
    if (!parsed.success) return { response: { status: 400, body: { success: false, message: parsed.error.issues[0]?.message } } }
    return {
      response: { status: 200, body: { success: true } },
      accepted: parsed.data.map((message) => ({
        provider: 'segment',
        userId: message.userId ?? '',
        ...(message.anonymousId ? { anonymousId: message.anonymousId } : {}),
        traits: message.traits ?? {},
        // The Consent Management spec's `context.consent.categoryPreferences`: category name to boolean.
        ...(consentOf(message.context) ? { consent: consentOf(message.context) } : {}),
        at: new Date().toISOString(),
      })),
    }
  },
})
