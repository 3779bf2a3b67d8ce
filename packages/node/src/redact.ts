import type { Provider, ProviderRequest } from '@idstitch/core'
import { JsonText, createRedact } from '@idstitch/core/internal'

/**
 * The one redactor: everything that leaves the SDK as text (log lines, error
 * messages, error bodies, dry-run requests, relay answers) passes through it.
 */
export interface Redactor {
  /** `text` with every configured secret, and any `Bearer`/`Basic` credential, replaced by `[redacted]`. */
  text(text: string): string
  /** A copy of a JSON value with every string in it redacted (the same value when nothing was secret). */
  value(value: unknown): unknown
  /** A request (and the rest of its chain) as a dry run shows it: body as a value, secret headers and secrets anywhere else redacted. */
  request(request: ProviderRequest): ProviderRequest
  /**
   * An error to keep as a `cause`: a copy with its message redacted, keeping
   * its name and `code` (`ECONNREFUSED`, …). The original may hold a URL with
   * a token, or a key an adapter put in its message.
   */
  error(error: unknown): Error
}

/** Any credential, when no provider is configured to recognise it (`createRedact` with no secrets). */
const credentials = createRedact([])
/** Headers whose value is a credential whatever it looks like. */
const SECRET_HEADER = /^(authorization|x-api-key|key|api-key|cookie)$|token|secret/i

/**
 * A redactor for the secrets of `providers` (each provider redacts its own:
 * its credentials live in its closure, never as properties).
 *
 * @example
 * const redact = createRedactor([pathbound({ apiKey })])
 * redact.text(`failed with ${apiKey}`) // 'failed with [redacted]'
 */
export const createRedactor = (providers: readonly Provider[]): Redactor =>
  redactorOf((input) => credentials(providers.reduce((out, provider) => provider.redact(out), input)))

/**
 * What a redacted copy holds in place of a value it could not make JSON text of: an answer nested deeper than
 * JSON.stringify goes (`[[[...]]]` 200,000 deep, which JSON.parse reads). Its redacted copy cannot be checked, so
 * it is not kept: throwing here made a provider's retryable 500 an adapter's permanent failure.
 */
const NOT_KEPT = '[not kept: nested too deeply to copy]'

/** `input` as JSON text, or `undefined` when JSON.stringify cannot make it (nesting past the stack). */
const jsonOf = (input: unknown): string | undefined => {
  try {
    return JSON.stringify(input)
  } catch {
    return undefined
  }
}

/** A redactor that redacts text with `text`, and values, requests and errors through it. */
const redactorOf = (text: (input: string) => string): Redactor => {
  const value = (input: unknown): unknown => {
    if (input === undefined) return undefined
    const json = jsonOf(input)
    if (json === undefined) return NOT_KEPT
    const clean = text(json)
    return clean === json ? input : (JSON.parse(clean) as unknown)
  }
  const request = (input: ProviderRequest): ProviderRequest => ({
    ...input,
    // Pre-serialised JSON shows as the value it stands for.
    body: value(input.body instanceof JsonText ? input.body.toJSON() : input.body),
    url: text(input.url),
    headers: Object.fromEntries(Object.entries(input.headers).map(([name, header]) => [name, SECRET_HEADER.test(name) ? '[redacted]' : text(header)])),
    ...(input.next ? { next: request(input.next) } : {}),
  })
  const error = (input: unknown): Error => {
    const original = input instanceof Error ? input : undefined
    const copy = new Error(text(original ? original.message : String(input)))
    copy.name = original?.name ?? 'Error'
    const code = (original as { code?: unknown } | undefined)?.code
    return typeof code === 'string' ? Object.assign(copy, { code }) : copy
  }
  return { text, value, request, error }
}

/**
 * `redact`, and also the credential headers of `request`, for what answered it: an answer may echo them (a
 * Monterosa user's own token, one of thousands, which no list of recent ones could keep up with). `redact`
 * itself when the request carries none.
 */
export const alsoRedacting = <R extends Pick<Redactor, 'text' | 'value' | 'error'>>(redact: R, request: ProviderRequest | undefined): R | Redactor => {
  const own = Object.entries(request?.headers ?? {})
    .filter(([name]) => SECRET_HEADER.test(name))
    .flatMap(([, value]) => [value, value.replace(/^(Bearer|Basic|Token)\s+/i, '')])
  if (own.length === 0) return redact
  const extra = createRedact(own)
  return redactorOf((input) => redact.text(extra(input)))
}
