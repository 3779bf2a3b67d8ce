const UUID = /^[\da-f]{8}-[\da-f]{4}-[1-8][\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/i

/**
 * True for an RFC 9562 UUID (versions 1 to 8) in its canonical 36-character
 * form, which is what every visitor cookie idstitch knows holds.
 *
 * @example
 * isUuid('a3ab2331-989f-4cfa-91c6-2461c9e3c6bd') // true
 */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value)
