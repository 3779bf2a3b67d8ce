/**
 * A v4 UUID: `crypto.randomUUID` where the page is a secure context, else the
 * same from `crypto.getRandomValues` (plain-http pages have no randomUUID):
 * each `0`, `1` and `8` of the template becomes a random hex digit, with the
 * version (4) and variant (8..b) bits fixed.
 */
export const mintUuid = (): string =>
  crypto.randomUUID
    ? crypto.randomUUID()
    : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (digit) =>
        (+digit ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+digit / 4)))).toString(16),
      )
