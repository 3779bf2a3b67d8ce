import { IdstitchError, ValidationError, type IdentifyEvent, type Provider, type ValidationIssue } from '@idstitch/core'
import { messageOf, prepareEvent, type Library, type PreparedEvent } from '@idstitch/core/internal'
import type { Redactor } from './redact.js'
import { SKIP_REASONS, type ProviderResult } from './results.js'

/** What one provider's adapter makes of an event: an item to send, or its result already (skipped, invalid). */
export type Preparation =
  | { send: true; item: unknown; bytes: number | undefined; warnings: readonly { key: string; message: string }[] }
  | { send: false; result: ProviderResult }

/** `invalid` for `provider`, nothing sent, with each issue naming it. */
export const invalidResult = (provider: string, issues: readonly Omit<ValidationIssue, 'provider'>[]): ProviderResult => ({
  provider,
  status: 'invalid',
  attempts: 0,
  error: new ValidationError(issues.map((issue) => ({ provider, ...issue }))),
})

/**
 * Validates and copies `message` into an event stamped with `messageId`; a
 * message that throws while it is read (a getter, a Proxy trap) is invalid.
 */
export const stampEvent = (message: unknown, messageId: string, library: Library, redact: Pick<Redactor, 'text'>): PreparedEvent => {
  try {
    return prepareEvent(message, { messageId, now: new Date(), library })
  } catch (error) {
    const reason = redact.text(messageOf(error))
    return { ok: false, issues: [{ path: 'message', message: `could not be read: ${reason}` }] }
  }
}

/** `provider`'s preparation of `event`; an adapter that throws fails it for that provider (`adapter_failed`, nothing sent), never the host app. */
export const prepareFor = (provider: Provider, event: IdentifyEvent, redact: Pick<Redactor, 'text'>): Preparation => {
  // The user declined analytics: nothing goes anywhere.
  if (event.consent?.analytics === false) return { send: false, result: { provider: provider.name, status: 'skipped', attempts: 0, reason: SKIP_REASONS.noConsent } }
  let prepared: ReturnType<Provider['prepare']>
  try {
    prepared = provider.prepare(event)
  } catch (error) {
    const message = redact.text(messageOf(error))
    const failure = new IdstitchError('adapter_failed', `[idstitch] ${provider.name}: adapter failed preparing the message: ${message}`, { provider: provider.name })
    return { send: false, result: { provider: provider.name, status: 'failed', attempts: 0, error: failure } }
  }
  if (prepared.type === 'skip') return { send: false, result: { provider: provider.name, status: 'skipped', attempts: 0, reason: prepared.reason } }
  if (prepared.type === 'invalid') return { send: false, result: invalidResult(provider.name, prepared.issues) }
  return { send: true, item: prepared.item, bytes: prepared.bytes, warnings: prepared.warnings ?? [] }
}

/** Says, at debug level, that `provider` leaves the event's `traitsOnce` out: it has no way to set a trait only once. */
export const noteTraitsOnce = (provider: Provider, event: IdentifyEvent, log: { debug(message: string): void }): void => {
  if (event.traitsOnce && !provider.traitsOnce) log.debug(`${provider.name}: traitsOnce left out (${Object.keys(event.traitsOnce).join(', ')}): the provider cannot set a trait only once`)
}

/** The most warning keys a client remembers: an adapter's own are a handful; one keyed by user would grow without end. */
const MAX_WARNING_KEYS = 1_000

/** Logs an adapter's warnings, each once per client (or queue); past {@link MAX_WARNING_KEYS} keys, each time. */
export const warnOnce = (log: { warn(message: string): void }) => {
  const warned = new Set<string>()
  return (provider: Provider, warnings: readonly { key: string; message: string }[]): void => {
    for (const warning of warnings) {
      if (warned.has(warning.key)) continue
      if (warned.size < MAX_WARNING_KEYS) warned.add(warning.key)
      log.warn(`${provider.name}: ${warning.message}`)
    }
  }
}

/**
 * The user id for `onError`'s context, read defensively: the message may be
 * anything, even an object whose getter throws (a lazy ORM record, a Proxy).
 */
export const userIdOf = (message: unknown): string | undefined => {
  try {
    const userId = (message as { userId?: unknown } | null | undefined)?.userId
    return typeof userId === 'string' ? userId : undefined
  } catch {
    return undefined
  }
}
