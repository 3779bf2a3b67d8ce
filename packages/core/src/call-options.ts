// The options of one identify() call, checked with zod as every options object is. An identify never throws, so a
// name it does not take (`messageID`, `waituntil`), a message id a job id cannot be, or a `waitUntil` that is no
// function makes that identify `invalid`, nothing sent: ignored, `messageID` would leave a retried login two
// messages at the providers, and `waituntil` a serverless function free to end before the identify is delivered.
import * as z from 'zod/mini'
import { pathOf } from './message.js'
import { fn, optionsObject } from './option-schema.js'

/** A message id the app gives: what a BullMQ job id and every provider's insert id take as they are. */
const MESSAGE_ID = /^[A-Za-z0-9_.-]{1,128}$/
const MESSAGE_ID_RULE = 'must be 1 to 128 letters, digits, _, - or .'

/** What an identify's options may hold; each caller takes some of them (the pipeline and the queue no `waitUntil`). */
const FIELDS = {
  messageId: () => z.optional(z.string({ error: MESSAGE_ID_RULE }).check(z.regex(MESSAGE_ID, { error: MESSAGE_ID_RULE }))),
  waitUntil: fn,
}
export type CallOption = keyof typeof FIELDS

/** One identify's options as checked: the message id given, if any, and what is wrong with them, if anything. */
export interface CheckedCallOptions {
  messageId?: string
  waitUntil?: (promise: Promise<unknown>) => void
  issue?: { path: string; message: string }
}

/** Each caller's schema, built on first use (not at import: a cold start pays for what it builds). */
const schemas = new WeakMap<readonly CallOption[], z.ZodMiniType>()
const schemaOf = (known: readonly CallOption[]): z.ZodMiniType => {
  let schema = schemas.get(known)
  if (!schema) schemas.set(known, (schema = z.nullable(optionsObject(Object.fromEntries(known.map((name) => [name, FIELDS[name]()]))))))
  return schema
}

/** `options` as the schema of `known` reads them. */
const check = (options: unknown, known: readonly CallOption[]): CheckedCallOptions => {
  // The common call passes none: nothing to parse.
  if (options === undefined) return {}
  const parsed = schemaOf(known).safeParse(options)
  if (parsed.success) return (parsed.data ?? {}) as CheckedCallOptions
  const [issue] = parsed.error.issues
  const path = issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : pathOf(issue?.path ?? []) || 'options'
  const { messageId } = options as { messageId?: unknown }
  return { ...(typeof messageId === 'string' ? { messageId } : {}), issue: { path, message: issue?.message ?? 'are invalid' } }
}

/**
 * The options of one identify, checked against the names its caller takes (`known`). Never throws: options whose
 * getters throw (a Proxy) are an issue of their own.
 */
export const checkCallOptions = (options: unknown, known: readonly CallOption[]): CheckedCallOptions => {
  try {
    return check(options, known)
  } catch {
    return { issue: { path: 'options', message: 'could not be read' } }
  }
}
