/**
 * Every value a request sends for header `name` (lower case), from a Fetch `Request` or `Headers` (one: it
 * joins repeats itself) or Node's `IncomingMessage` (each, when it keeps repeats as an array). None for a raw
 * string or nothing.
 */
export const headerValues = (source: unknown, name: string): string[] => {
  if (source == null || typeof source !== 'object') return []
  const headers = typeof (source as Headers).get === 'function' ? source : (source as { headers?: unknown }).headers
  if (headers && typeof (headers as Headers).get === 'function') {
    const value = (headers as Headers).get(name)
    return value === null ? [] : [value]
  }
  const value = (headers as Record<string, string | string[] | undefined> | undefined)?.[name]
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}
