/**
 * JSON safety: everything idstitch sends is JSON, so values JSON cannot carry
 * faithfully (BigInt, cycles, functions, NaN, Maps) are refused up front with
 * the path of the offending field, instead of throwing mid-send or being
 * silently dropped by `JSON.stringify`.
 */

/** One JSON problem found at `path`. */
export interface JsonIssue {
  path: string
  message: string
}

/** Keys that could reach an object prototype; refused anywhere in a message. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

const MAX_DEPTH = 32

/**
 * True for `{}`-literals, `Object.create(null)` and JSON-parsed objects (also
 * from another realm); false for arrays, class instances and objects whose
 * prototype was replaced (`{ __proto__: evil }`).
 */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === null || Object.getPrototypeOf(proto) === null
}

const describe = (value: object): string => {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype'
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`)

/** `traits.tags[2]`: the path of a node from the root's path and the keys and indexes down to it. */
const pathAt = (root: string, trail: readonly (string | number)[]): string =>
  trail.reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : join(at, key)), root)

/**
 * Lists every reason `value` cannot be sent as JSON faithfully.
 * `undefined` object properties are allowed (they mean "no value", as in JSON.stringify). With `options.object`,
 * `value` must be sent as an object (a message's traits or context), whatever its own `toJSON` returns.
 *
 * @example
 * checkJson({ n: 1n }, 'traits') // [{ path: 'traits.n', message: 'is a BigInt, which JSON cannot represent; send it as a string' }]
 */
export const checkJson = (value: unknown, path: string, options: { object?: boolean } = {}): JsonIssue[] =>
  isPlainObject(value) && isFlat(value) ? [] : walkJson(value, path, options.object === true)

/**
 * True for an object whose values are all strings, booleans, finite numbers, `null` or `undefined`, under no
 * reserved key: most traits. Such an object needs no walk, which costs an identify ~0.4 us and ~650 bytes of
 * garbage (its closures and lists), against ~0.1 us and none here. Any other value, or an enumerable key
 * inherited from a polluted `Object.prototype`, sends the object to the walk, which says what is wrong.
 */
const isFlat = (object: Record<string, unknown>): boolean => {
  for (const key in object) {
    if (FORBIDDEN_KEYS.has(key)) return false
    const item = object[key]
    if (!(typeof item === 'string' || typeof item === 'boolean' || item == null || (typeof item === 'number' && Number.isFinite(item)))) return false
  }
  return true
}

/**
 * The object as JSON would carry it: what `JSON.parse(JSON.stringify(object))` gives (Dates as ISO strings,
 * `undefined` properties left out, `toJSON` applied), for an object {@link checkJson} accepted. A flat one is
 * copied key by key (~0.1 us for a few traits, against ~0.7 us through JSON text), with the same result: its own
 * enumerable keys in their order, `undefined` left out and `-0` as `0`.
 */
export const jsonCopy = (object: Record<string, unknown>): Record<string, unknown> =>
  isFlat(object) ? flatCopy(object) : (JSON.parse(JSON.stringify(object)) as Record<string, unknown>)

const flatCopy = (object: Record<string, unknown>): Record<string, unknown> => {
  const copy: Record<string, unknown> = {}
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue
    const item = object[key]
    if (item !== undefined) copy[key] = item === 0 ? 0 : item
  }
  return copy
}

/** Every reason `value` cannot be sent as JSON, found by walking it down to each leaf; with `object`, JSON must send an object. */
const walkJson = (value: unknown, path: string, object: boolean): JsonIssue[] => {
  const issues: JsonIssue[] = []
  const ancestors: object[] = []
  // The keys and indexes from `value` down to the node being visited: a path is written out only for an
  // issue, not for every key of every identify's traits.
  const trail: (string | number)[] = []
  const report = (message: string): void => {
    issues.push({ path: pathAt(path, trail), message })
  }
  const visit = (node: unknown, depth: number, sent = false): void => {
    const verdict = verdictOf(node, sent)
    if (verdict === WALK) walk(node as object, depth)
    else if (verdict === TO_JSON) visitSent(node as { toJSON(key: string): unknown }, depth)
    else if (verdict !== undefined) report(verdict)
  }
  // JSON.stringify sends what toJSON returns in the node's place (and calls no toJSON of that): it is what is checked.
  const visitSent = (node: { toJSON(key: string): unknown }, depth: number): void => {
    const sent = node.toJSON(String(trail.at(-1) ?? ''))
    if (object && depth === 0 && !isPlainObject(sent)) report('must be a plain object, and its toJSON() returns none')
    else visit(sent, depth, true)
  }
  const walk = (object: object, depth: number): void => {
    if (ancestors.includes(object)) report('is a circular reference')
    else if (depth > MAX_DEPTH) report(`is nested more than ${MAX_DEPTH} levels deep`)
    else descend(object, depth)
  }
  const descend = (object: object, depth: number): void => {
    ancestors.push(object)
    if (Array.isArray(object)) {
      for (let index = 0; index < object.length; index++) {
        trail.push(index)
        if (object[index] === undefined) report('is undefined, which JSON turns into null')
        else visit(object[index], depth + 1)
        trail.pop()
      }
    } else {
      for (const key of Object.keys(object)) {
        trail.push(key)
        if (FORBIDDEN_KEYS.has(key)) report('is a reserved key: __proto__, constructor and prototype are refused')
        else visit((object as Record<string, unknown>)[key], depth + 1)
        trail.pop()
      }
    }
    ancestors.pop()
  }

  visit(value, 0)
  return issues
}

/** What {@link verdictOf} says of an array or a plain object: JSON sends it as its items are, so they are checked. */
const WALK = Symbol('walk')
/** What {@link verdictOf} says of an object with a `toJSON` method: what it returns is sent instead, so that is checked. */
const TO_JSON = Symbol('toJSON')

/**
 * What `checkJson` makes of `node` itself: why JSON cannot send it, {@link WALK} for an array or plain object,
 * {@link TO_JSON} for an object with a toJSON method (unless `sent`: `node` is what one returned), or nothing for
 * a value JSON sends as it is (a Date, a string, ...). Each test is made once.
 */
const verdictOf = (node: unknown, sent: boolean): string | typeof WALK | typeof TO_JSON | undefined => {
  switch (typeof node) {
    case 'number':
      return Number.isFinite(node) ? undefined : `is ${node}, which JSON cannot represent`
    case 'bigint':
      return 'is a BigInt, which JSON cannot represent; send it as a string'
    case 'function':
    case 'symbol':
      return `is a ${typeof node}, which JSON cannot represent`
    case 'object':
      if (node === null) return undefined
      if (node instanceof Date) return Number.isNaN(node.getTime()) ? 'is an invalid Date' : undefined
      // JSON.stringify calls toJSON (URL, Decimal, Luxon, a Mongoose document, ...) once, not on what it returns.
      if (!sent && typeof (node as { toJSON?: unknown }).toJSON === 'function') return TO_JSON
      if (Array.isArray(node) || isPlainObject(node)) return WALK
      return `is ${describe(node)}, which JSON cannot represent; send a plain object`
    default:
      return undefined
  }
}

/** Any character outside ASCII. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at \x00 on purpose: every ASCII character.
export const NON_ASCII = /[^\x00-\x7f]/

/** The number of bytes `text` takes in UTF-8, without TextEncoder. */
export const utf8Length = (text: string): number => {
  // Most JSON is ASCII: one native scan answers it without the loop below.
  if (!NON_ASCII.test(text)) return text.length
  let bytes = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      bytes += 4
      index++
    } else bytes += 3
  }
  return bytes
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Base64 of the UTF-8 bytes of `text`, without btoa or Buffer (for HTTP Basic auth). */
export const base64 = (text: string): string => {
  const alphabet = BASE64
  const bytes: number[] = []
  for (const char of text) {
    const code = char.codePointAt(0) as number
    if (code < 0x80) bytes.push(code)
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63))
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63))
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63))
  }
  let out = ''
  for (let index = 0; index < bytes.length; index += 3) {
    const [a = 0, b, c] = [bytes[index], bytes[index + 1], bytes[index + 2]]
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0)
    out += alphabet[(triple >> 18) & 63]! + alphabet[(triple >> 12) & 63]!
    out += b === undefined ? '=' : alphabet[(triple >> 6) & 63]!
    out += c === undefined ? '=' : alphabet[triple & 63]!
  }
  return out
}

/**
 * The ASCII text that base64 `value` encodes (every byte as a character, as
 * atob gives it, without atob, which the core's platform-free code does not
 * use); `undefined` when `value` is not base64.
 */
export const fromBase64 = (value: string): string | undefined => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined
  let out = ''
  for (let index = 0; index < value.length; index += 4) {
    const [a, b, c, d] = [0, 1, 2, 3].map((offset) => BASE64.indexOf(value[index + offset] ?? '='))
    const triple = ((a as number) << 18) | ((b as number) << 12) | (((c as number) & 63) << 6) | ((d as number) & 63)
    out += String.fromCharCode((triple >> 16) & 255)
    if (c !== -1) out += String.fromCharCode((triple >> 8) & 255)
    if (d !== -1) out += String.fromCharCode(triple & 255)
  }
  return out
}

/**
 * JSON that is already serialised, sent as is. Batching adapters serialise each
 * item once, when they measure it, and join the texts into the request body
 * ({@link joinJson}) instead of serialising the whole batch again. Code that
 * does not know it still gets the right JSON: `JSON.stringify` goes through
 * `toJSON`.
 *
 * @example
 * const item = new JsonText(JSON.stringify({ type: 'identify', userId: 'usr_1' }))
 * serializeBody({ batch: [item] }) // '{"batch":[{"type":"identify","userId":"usr_1"}]}'
 */
export class JsonText {
  constructor(readonly text: string) {}
  /** The parsed value, for `JSON.stringify` of a body that holds this text. */
  toJSON(): unknown {
    return JSON.parse(this.text) as unknown
  }
}

/** `{prefix}[item,item,…]{suffix}` as one {@link JsonText}: a batch body from its serialised items. */
export const joinJson = (items: readonly JsonText[], prefix = '', suffix = ''): JsonText => {
  let text = prefix + '['
  for (let index = 0; index < items.length; index++) text += (index === 0 ? '' : ',') + (items[index] as JsonText).text
  return new JsonText(text + ']' + suffix)
}

/** A request body as it goes on the wire: a {@link JsonText} as is, anything else through `JSON.stringify`. */
export const serializeBody = (body: unknown): string => (body instanceof JsonText ? body.text : JSON.stringify(body))
