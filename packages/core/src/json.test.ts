import { describe, expect, it } from 'vitest'
import { JsonText, base64, checkJson, isPlainObject, joinJson, jsonCopy, serializeBody, utf8Length } from './json.js'

describe('checkJson', () => {
  it('accepts JSON values, Dates, toJSON objects and undefined properties', () => {
    expect(checkJson({ a: 1, b: 'x', c: [true, null], d: new Date(0), e: undefined, f: { toJSON: () => 'f' } }, 't')).toEqual([])
    expect(checkJson(Object.assign(Object.create(null), { a: 1 }), 't')).toEqual([])
  })

  it('checks what a toJSON() returns, as that is what JSON sends: its reserved keys, BigInts, and at the top, that it is an object', () => {
    const keys: string[] = []
    const sent = { toJSON: (key: string) => (keys.push(key), { plan: 'pro', at: new Date(0) }) }
    expect(checkJson({ a: sent, list: [sent] }, 'traits')).toEqual([])
    expect(keys).toEqual(['a', '0'])
    expect(checkJson({ a: { toJSON: () => JSON.parse('{"__proto__": {"admin": true}}') } }, 'traits')).toEqual([
      { path: 'traits.a.__proto__', message: 'is a reserved key: __proto__, constructor and prototype are refused' },
    ])
    expect(checkJson({ a: { toJSON: () => ({ n: 1n }) } }, 'traits')).toEqual([{ path: 'traits.a.n', message: 'is a BigInt, which JSON cannot represent; send it as a string' }])
    for (const returned of ['text', [1], null]) {
      expect(checkJson({ toJSON: () => returned }, 'traits', { object: true })).toEqual([{ path: 'traits', message: 'must be a plain object, and its toJSON() returns none' }])
      // A provider's body (the http adapter's) may be any JSON.
      expect(checkJson({ toJSON: () => returned }, 'body')).toEqual([])
    }
    expect(checkJson({ toJSON: () => ({ plan: 'pro' }) }, 'traits')).toEqual([])
    // JSON.stringify calls no toJSON of what a toJSON returned: one that returns its own object ends, and is walked.
    const self = { plan: 'pro', toJSON() { return this } }
    expect(checkJson({ a: self }, 'traits')).toEqual([{ path: 'traits.a.toJSON', message: 'is a function, which JSON cannot represent' }])
  })

  it('names the path of each value JSON cannot carry', () => {
    const issues = checkJson({ n: 1n, list: [1, undefined, Infinity], deep: { fn: () => 0, sym: Symbol('s') } }, 'traits')
    expect(issues.map((issue) => issue.path)).toEqual(['traits.n', 'traits.list[1]', 'traits.list[2]', 'traits.deep.fn', 'traits.deep.sym'])
  })

  it('names a hole in an array as it names undefined: JSON.stringify would turn either into null', () => {
    const holed: string[] = new Array(3)
    holed[0] = 'a'
    holed[2] = 'c'
    expect(checkJson({ tags: [holed] }, 'traits')).toEqual([{ path: 'traits.tags[0][1]', message: 'is undefined, which JSON turns into null' }])
    expect(JSON.stringify(holed)).toBe('["a",null,"c"]')
  })

  it('finds cycles without looping, but allows the same object twice', () => {
    const shared = { x: 1 }
    expect(checkJson({ a: shared, b: shared }, 't')).toEqual([])
    const loop: Record<string, unknown> = {}
    loop.me = { back: loop }
    expect(checkJson(loop, 't')).toEqual([{ path: 't.me.back', message: 'is a circular reference' }])
  })

  it('refuses keys that could reach a prototype, and deep nesting', () => {
    expect(checkJson(JSON.parse('{"a":{"__proto__":1},"constructor":2,"prototype":3}'), 't').map((issue) => issue.path)).toEqual([
      't.a.__proto__',
      't.constructor',
      't.prototype',
    ])
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let index = 0; index < 40; index++) deep = (deep.next = {}) as Record<string, unknown>
    expect(checkJson(root, 't')[0]?.message).toMatch(/nested more than 32/)
  })

  it('says the same of a flat object (checked without a walk) as of a nested one', () => {
    expect(checkJson({ a: 'x', b: true, c: 1.5, d: null, e: undefined }, 't')).toEqual([])
    const flat: [Record<string, unknown>, string][] = [
      [{ n: Number.NaN }, 'is NaN, which JSON cannot represent'],
      [{ n: -Infinity }, 'is -Infinity, which JSON cannot represent'],
      [{ n: 1n }, 'is a BigInt, which JSON cannot represent; send it as a string'],
      [{ n: () => 0 }, 'is a function, which JSON cannot represent'],
      [{ n: Symbol('s') }, 'is a symbol, which JSON cannot represent'],
      [{ n: new Date('x') }, 'is an invalid Date'],
      [{ n: new Map() }, 'is a Map, which JSON cannot represent; send a plain object'],
      [JSON.parse('{"__proto__":"x"}'), 'is a reserved key: __proto__, constructor and prototype are refused'],
    ]
    for (const [object, message] of flat) {
      const path = `t.${Object.keys(object)[0]}`
      expect(checkJson({ plan: 'pro', ...object }, 't')).toEqual([{ path, message }])
      expect(checkJson({ nested: object }, 't')).toEqual([{ path: path.replace('t.', 't.nested.'), message }])
    }
  })

  it('refuses class instances and invalid Dates', () => {
    class Point { x = 1 }
    expect(checkJson({ p: new Point(), d: new Date('x') }, 't')).toEqual([
      { path: 't.p', message: 'is a Point, which JSON cannot represent; send a plain object' },
      { path: 't.d', message: 'is an invalid Date' },
    ])
  })
})

describe('jsonCopy', () => {
  it('gives what a trip through JSON text gives, flat or not', () => {
    const inheriting = Object.create(Object.assign(Object.create(null), { inherited: 'x' })) as Record<string, unknown>
    inheriting.own = 1
    const cases: Record<string, unknown>[] = [
      { plan: 'pro', seats: 3, ratio: 0.5, trial: false, gone: undefined, none: null, zero: -0 },
      { b: 1, 2: 'two', a: 2, 1: 'one' },
      Object.assign(Object.create(null), { a: 'x' }),
      inheriting,
      { at: new Date(0), nested: { list: [1, 'x'], gone: undefined }, url: new URL('https://example.com/a') },
    ]
    for (const value of cases) {
      const copy = jsonCopy(value)
      expect(copy).toStrictEqual(JSON.parse(JSON.stringify(value)))
      expect(Object.keys(copy)).toEqual(Object.keys(JSON.parse(JSON.stringify(value))))
      expect(Object.is(copy.zero, -0)).toBe(false)
      expect(copy).not.toBe(value)
    }
  })
})

describe('isPlainObject', () => {
  it('tells plain objects from the rest', () => {
    expect(isPlainObject({})).toBe(true)
    expect(isPlainObject(Object.create(null))).toBe(true)
    expect(isPlainObject([])).toBe(false)
    expect(isPlainObject(new Map())).toBe(false)
    expect(isPlainObject({ __proto__: { admin: true } })).toBe(false)
    expect(isPlainObject(null)).toBe(false)
  })
})

describe('utf8Length and base64', () => {
  it.each(['', 'abc', 'é', '€', '𝄞', 'wk_123:', 'ünïcödé 🎉 key'])('match Buffer for %j', (text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text))
    expect(base64(text)).toBe(Buffer.from(text).toString('base64'))
  })
})

describe('JsonText', () => {
  const items = [{ a: 1 }, { b: 'é' }].map((item) => new JsonText(JSON.stringify(item)))

  it('joins serialised items into a body that serialises as is', () => {
    const body = joinJson(items, '{"batch":', '}')
    expect(body.text).toBe('{"batch":[{"a":1},{"b":"é"}]}')
    expect(serializeBody(body)).toBe(body.text)
    expect(joinJson([]).text).toBe('[]')
  })

  it('gives the same JSON to code that does not know it', () => {
    expect(JSON.stringify({ batch: items })).toBe('{"batch":[{"a":1},{"b":"é"}]}')
    expect(serializeBody({ batch: items })).toBe('{"batch":[{"a":1},{"b":"é"}]}')
  })
})
