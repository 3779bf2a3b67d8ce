import { base64 } from './json.js'

/** Credentials in any text, configured or not: `Bearer …`, `Basic …`, `Token …`. */
const CREDENTIAL = /\b(Bearer|Basic|Token)\s+[\w.~+/=%-]+/gi

/** The shortest secret worth redacting: shorter strings would redact ordinary words. */
const MIN_SECRET_LENGTH = 4

/** The forms a secret may take in text that leaves the SDK: as is, percent-encoded, and base64 (HTTP Basic, with and without the user-name colon). */
const formsOf = (secret: string): string[] => [secret, encodeURIComponent(secret), base64(secret), base64(`${secret}:`)]

/**
 * A function that replaces `secrets`, in every form they may take, and any
 * `Bearer`/`Basic`/`Token` credential, with `[redacted]`. Every provider's
 * `redact` is one; the client composes them into its one redactor.
 *
 * @example
 * createRedact(['sk_live_1'])('refused sk_live_1') // 'refused [redacted]'
 */
export const createRedact = (secrets: readonly (string | undefined)[]): ((text: string) => string) => {
  const forms = [...new Set(secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH).flatMap(formsOf))]
    // Longest first, so a secret inside another's encoded form does not leave part of it behind.
    .sort((a, b) => b.length - a.length)
  return (text) => forms.reduce((out, form) => out.split(form).join('[redacted]'), text).replace(CREDENTIAL, '$1 [redacted]')
}
