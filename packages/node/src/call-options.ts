// The options of one identify() call, checked as every options object is. An identify never throws, so a name it
// does not take (`messageID`, `waituntil`) or a message id a job id cannot be makes that identify `invalid`,
// nothing sent: ignored, `messageID` would leave a retried login two messages at the providers, and `waituntil` a
// serverless function free to end before the identify is delivered.
import { firstUnknownOption, unknownOptionMessage } from '@idstitch/core/internal'

/** A message id the app gives: what a BullMQ job id and every provider's insert id take as they are. */
const MESSAGE_ID = /^[A-Za-z0-9_.-]{1,128}$/

/** One identify's options, read once: its message id (a new UUID when none was given), and what is wrong, if anything. */
export interface CallOptions {
  messageId: string
  waitUntil?: unknown
  issue?: { path: string; message: string }
}

/** `options` checked against `known`, the names the caller takes (`messageId`, and the client's `waitUntil`). */
const read = (options: unknown, known: readonly string[]): CallOptions => {
  if (options === undefined || options === null) return { messageId: crypto.randomUUID() }
  if (typeof options !== 'object') return { messageId: crypto.randomUUID(), issue: { path: 'options', message: 'must be an object' } }
  const { messageId, waitUntil } = options as { messageId?: unknown; waitUntil?: unknown }
  const checked = { messageId: typeof messageId === 'string' ? messageId : crypto.randomUUID(), waitUntil }
  const unknown = firstUnknownOption(options, known)
  if (unknown !== undefined) return { ...checked, issue: { path: unknown, message: unknownOptionMessage(unknown, known) } }
  if (messageId !== undefined && !(typeof messageId === 'string' && MESSAGE_ID.test(messageId))) {
    return { ...checked, issue: { path: 'messageId', message: 'must be 1 to 128 letters, digits, _, - or .' } }
  }
  return checked
}

/** {@link read}, which never throws: options whose getters throw (a Proxy) are an issue of their own. */
export const readCallOptions = (options: unknown, known: readonly string[]): CallOptions => {
  try {
    return read(options, known)
  } catch {
    return { messageId: crypto.randomUUID(), issue: { path: 'options', message: 'could not be read' } }
  }
}
