import { restoreItem } from '@idstitch/node/sink'
import type { TraceContext } from '@idstitch/node'
import * as z from 'zod'

/**
 * What a job holds in Redis: the provider's prepared payload (the request
 * body's item, never a header and never a credential: workers add those from
 * their own configuration) and the ids to find it by.
 */
export interface JobData {
  /** The format of this record. */
  v: 1
  provider: string
  messageId: string
  userId: string
  /** The adapter's prepared item. */
  item: unknown
  /** Its JSON size, for batching. */
  bytes?: number | undefined
  /** The adapter prepared the item as JSON text (Segment, Thrivestack); the worker hands it back as such. */
  text?: boolean | undefined
  /**
   * What the job says (user, anonymous ids, traits; not the time), as a SHA-256: a second enqueue of its
   * message id is compared with it, and the worker de-duplicates by it.
   */
  digest?: string | undefined
  /** The identify's W3C trace context, when the queue has telemetry: the worker's spans continue its trace. */
  trace?: TraceContext | undefined
}

/** A job read back from Redis is checked before it is sent: Redis is shared, and its data outlives versions. */
const schema = z.object({
  v: z.literal(1),
  provider: z.string().min(1),
  messageId: z.string().min(1),
  userId: z.string().min(1),
  item: z.unknown().refine((item) => item !== undefined, 'is required'),
  bytes: z.number().int().nonnegative().optional(),
  text: z.boolean().optional(),
  digest: z.string().optional(),
  // Only ever a trace's ids: a job whose trace context is not two short strings is delivered without it.
  trace: z.object({ traceparent: z.string().max(64), tracestate: z.string().max(512).optional() }).optional().catch(undefined),
})

/** The item as the adapter prepared it, from what Redis kept. */
export const restored = (data: JobData): unknown => restoreItem({ item: data.item, text: data.text === true })

/** `data` as a {@link JobData}, or the first thing wrong with it. */
export const readJobData = (data: unknown): { ok: true; data: JobData } | { ok: false; reason: string } => {
  const parsed = schema.safeParse(data)
  if (parsed.success) return { ok: true, data: parsed.data as JobData }
  const issue = parsed.error.issues[0]
  return { ok: false, reason: `${issue?.path.join('.') || 'job'} ${issue?.message ?? 'is not an idstitch job'}` }
}
