import Cookies from 'js-cookie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTracker } from './tracker.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

const clearCookies = () => {
  for (const name of Object.keys(Cookies.get())) {
    Cookies.remove(name, { path: '/' })
    Cookies.remove(name, { path: '/', domain: 'example.test' })
  }
}

/** Records every write to document.cookie from now on (delete document.cookie to stop). */
const watchWrites = (): string[] => {
  let owner = Object.getPrototypeOf(document)
  while (!Object.getOwnPropertyDescriptor(owner, 'cookie')) owner = Object.getPrototypeOf(owner)
  const descriptor = Object.getOwnPropertyDescriptor(owner, 'cookie')!
  const written: string[] = []
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => descriptor.get!.call(document),
    set: (value: string) => {
      written.push(value)
      descriptor.set!.call(document, value)
    },
  })
  return written
}

beforeEach(clearCookies)
afterEach(() => vi.unstubAllGlobals())

describe('the visitor cookie', () => {
  it('is minted as a v4 UUID when missing, and stays the same across trackers', () => {
    const id = createTracker().getVisitorId()
    expect(id).toMatch(UUID)
    expect(Cookies.get('idstitch_visitor_id')).toBe(id)
    expect(createTracker().getVisitorId()).toBe(id)
  })

  it('is never overwritten when it holds a valid id (a provider tracker wrote it)', () => {
    Cookies.set('pathbound_visitor_id', VISITOR, { path: '/' })
    expect(createTracker({ preset: 'pathbound' }).getVisitorId()).toBe(VISITOR)
    expect(Cookies.get('pathbound_visitor_id')).toBe(VISITOR)
  })

  it('is replaced when it is not a UUID', () => {
    Cookies.set('idstitch_visitor_id', 'tampered; admin=1', { path: '/' })
    const id = createTracker().getVisitorId()
    expect(id).toMatch(UUID)
    expect(Cookies.get('idstitch_visitor_id')).toBe(id)
  })

  it('is minted with getRandomValues where randomUUID is missing', () => {
    const real = globalThis.crypto
    vi.stubGlobal('crypto', { getRandomValues: (bytes: Uint8Array) => real.getRandomValues(bytes) })
    const ids = new Set(Array.from({ length: 50 }, () => (clearCookies(), createTracker().getVisitorId())))
    expect(ids.size).toBe(50)
    for (const id of ids) expect(id).toMatch(UUID)
  })

  it('uses each preset\'s names, and names overridden one by one', () => {
    createTracker({ preset: 'datafast' })
    expect(Cookies.get('datafast_visitor_id')).toMatch(UUID)
    createTracker({ visitorCookie: 'vid', contactCookie: 'cid' }).identify('usr_1')
    expect(Cookies.get('vid')).toMatch(UUID)
    expect(Cookies.get('cid')).toBe('usr_1')
    for (const name of ['nope', 'constructor', 'toString', '__proto__']) {
      expect(() => createTracker({ preset: name as never })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'preset', message: expect.stringContaining(`unknown preset '${name}'`) }))
    }
  })

  it('refuses an option it does not take, writing nothing: a consent or domain option misnamed would be ignored', () => {
    for (const [options, option] of [
      [{ requireConsent: true }, 'requireConsent'],
      [{ domain: 'example.com' }, 'domain'],
      [{ preset: 'pathbound', Endpoint: '/api/identify' }, 'Endpoint'],
    ] as const) {
      expect(() => createTracker(options as never)).toThrowError(
        expect.objectContaining({
          name: 'ConfigError',
          option,
          message: `[idstitch] invalid option \`${option}\`: is not one of preset, visitorCookie, contactCookie, cookieDomain, maxAgeDays, endpoint, consent, respectDnt, adoptLink`,
        }),
      )
    }
    expect(Cookies.get()).toEqual({})
    expect(createTracker({ preset: undefined, consent: 'granted', respectDnt: false }).getVisitorId()).toMatch(UUID)
  })

  it('takes null options as none (a config\'s `options={null}`), as the server\'s helpers do: the defaults, never a TypeError', () => {
    const id = createTracker(null as never).getVisitorId()
    expect(id).toMatch(UUID)
    expect(Cookies.get('idstitch_visitor_id')).toBe(id)
  })

  it("lives the preset's lifetime when maxAgeDays is not a number above 0: never a cookie that expires as it is written", () => {
    const written = watchWrites()
    try {
      // data-max-age-days arrives as a string; a negative one made every page a new visitor.
      for (const maxAgeDays of ['-5', 0, -1, 'soon']) {
        const id = createTracker({ maxAgeDays: maxAgeDays as never }).getVisitorId()
        expect(Cookies.get('idstitch_visitor_id')).toBe(id)
        expect(createTracker({ maxAgeDays: maxAgeDays as never }).getVisitorId()).toBe(id)
      }
      const expiries = written.filter((cookie) => cookie.startsWith('idstitch_visitor_id=')).map((cookie) => Date.parse(/expires=([^;]+)/.exec(cookie)?.[1] ?? '') - Date.now())
      expect(expiries.length).toBeGreaterThan(0)
      for (const ms of expiries) expect(ms / 86_400_000).toBeCloseTo(365, 0)
    } finally {
      delete (document as { cookie?: string }).cookie
    }
  })
})

describe('identify()', () => {
  it('writes the contact cookie with the external id, never the traits', async () => {
    const tracker = createTracker()
    await expect(tracker.identify('usr_8f3a', { email: 'ada@example.com' })).resolves.toEqual({ ok: true, status: 0 })
    expect(Cookies.get('idstitch_external_contact_id')).toBe('usr_8f3a')
    expect(tracker.getContactId()).toBe('usr_8f3a')
    // Not the email, plain or encoded (a random visitor id or owner tag can hold the letters 'ada', never '@' or '%40').
    expect(document.cookie).not.toMatch(/ada(@|%40)|example\.com/)
  })

  it.each([
    ['an empty id', ''],
    ['an id over 100 characters', 'x'.repeat(101)],
    ['a semicolon', 'usr;admin'],
    ['a space', 'usr 1'],
    ['a newline', 'usr\n1'],
    ['a comma', 'a,b'],
    ['a quote', 'a"b'],
    ['a non-string', 42],
  ])('refuses %s, writing nothing', async (_, id) => {
    const tracker = createTracker()
    const before = document.cookie
    await expect(tracker.identify(id as string)).rejects.toThrowError(expect.objectContaining({ name: 'ValidationError', source: 'identify()', issues: [expect.objectContaining({ path: 'externalId' })], message: expect.stringMatching(/^\[idstitch\] identify\(\): externalId must be 1-100 cookie-safe characters/) }))
    expect(document.cookie).toBe(before)
  })

  it('refuses traits JSON cannot carry, writing nothing', async () => {
    const tracker = createTracker()
    const before = document.cookie
    await expect(tracker.identify('usr_1', { n: 1n })).rejects.toThrowError(expect.objectContaining({ name: 'ValidationError', message: expect.stringContaining('traits must be JSON') }))
    expect(document.cookie).toBe(before)
  })

  it('starts a new visitor when another user logs in, even after a logout, but not for the same user', async () => {
    const tracker = createTracker()
    const first = tracker.getVisitorId()
    await tracker.identify('usr_alice')
    expect(tracker.getVisitorId()).toBe(first)
    tracker.reset()
    await tracker.identify('usr_alice')
    expect(tracker.getVisitorId()).toBe(first)
    tracker.reset()
    await tracker.identify('usr_bob')
    const second = tracker.getVisitorId()
    expect(second).not.toBe(first)
    expect(Cookies.get('idstitch_visitor_id')).toBe(second)
    await tracker.identify('usr_carol') // a login without a logout
    expect(tracker.getVisitorId()).not.toBe(second)
  })

  it('relays { anonymousId, userId, traits } to the endpoint with fetch itself and resolves with its answer', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => new Response(JSON.stringify({ ok: true, results: [] }), { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    const tracker = createTracker({ endpoint: '/api/identify' })
    const outcome = await tracker.identify('usr_1', { plan: 'pro' })
    expect(outcome).toEqual({ ok: true, status: 200, data: { ok: true, results: [] } })
    expect(fetch).toHaveBeenCalledTimes(1)
    const [url, init] = fetch.mock.calls[0]!
    expect(url).toBe('/api/identify')
    // credentials: 'include', so a relay on another of the site's origins gets the session too (Chromium, test/e2e).
    expect(init).toMatchObject({ method: 'POST', keepalive: true, credentials: 'include', headers: { 'content-type': 'application/json' } })
    expect(init.body).toBe(JSON.stringify({ anonymousId: tracker.getVisitorId(), userId: 'usr_1', traits: { plan: 'pro' } }))
    expect(init.signal).toBeInstanceOf(AbortSignal)
  })

  it('gives up on a relay that does not answer in 10 s: ok false, status 0', async () => {
    // AbortSignal.timeout's timer is the browser's own; a controller stands in for it, to fire at will.
    const controller = new AbortController()
    const timeout = vi.spyOn(AbortSignal, 'timeout').mockReturnValue(controller.signal)
    try {
      // A relay that hangs until its signal aborts, as fetch does.
      const fetch = vi.fn(
        (_url: string, init: RequestInit) => new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason))),
      )
      vi.stubGlobal('fetch', fetch)
      const outcome = createTracker({ endpoint: '/api/identify' }).identify('usr_1')
      expect(timeout).toHaveBeenCalledWith(10_000)
      expect(fetch.mock.calls[0]![1].signal).toBe(controller.signal)
      controller.abort(new DOMException('timed out', 'TimeoutError'))
      await expect(outcome).resolves.toEqual({ ok: false, status: 0 })
    } finally {
      timeout.mockRestore()
    }
  })

  it('sends without a timeout where the browser has no AbortSignal.timeout', async () => {
    const timeout = AbortSignal.timeout
    Object.defineProperty(AbortSignal, 'timeout', { value: undefined, configurable: true })
    try {
      const fetch = vi.fn(async (_url: string, _init: RequestInit) => new Response('{}', { status: 200 }))
      vi.stubGlobal('fetch', fetch)
      await expect(createTracker({ endpoint: '/api/identify' }).identify('usr_1')).resolves.toEqual({ ok: true, status: 200, data: {} })
      expect(fetch.mock.calls[0]![1].signal).toBeUndefined()
    } finally {
      Object.defineProperty(AbortSignal, 'timeout', { value: timeout, configurable: true })
    }
  })

  it('sends a refused relay call once: a login is never replayed behind the app', async () => {
    const fetch = vi.fn(async () => new Response('{"ok":false}', { status: 503 }))
    vi.stubGlobal('fetch', fetch)
    await expect(createTracker({ endpoint: '/api/identify' }).identify('usr_1')).resolves.toEqual({ ok: false, status: 503, data: { ok: false } })
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('resolves ok: false when the endpoint refuses or cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('nope', { status: 401 })))
    await expect(createTracker({ endpoint: '/api/identify' }).identify('usr_1')).resolves.toEqual({ ok: false, status: 401, data: undefined })
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    await expect(createTracker({ endpoint: '/api/identify' }).identify('usr_1')).resolves.toEqual({ ok: false, status: 0 })
  })
})

describe('getContactId()', () => {
  it('returns the contact cookie only when it holds a valid contact id, as the server helper does', () => {
    Cookies.set('idstitch_external_contact_id', 'usr_1', { path: '/' })
    expect(createTracker().getContactId()).toBe('usr_1')
    document.cookie = 'idstitch_external_contact_id=a%3Bb; path=/'
    expect(createTracker().getContactId()).toBeUndefined()
    Cookies.set('idstitch_external_contact_id', 'x'.repeat(101), { path: '/' })
    expect(createTracker().getContactId()).toBeUndefined()
  })

  it('follows the cookie at once when another tab or the server clears or changes it', async () => {
    const tracker = createTracker()
    await tracker.identify('usr_1')
    Cookies.remove('idstitch_external_contact_id', { path: '/', domain: 'example.test' })
    expect(tracker.getContactId()).toBeUndefined()
    Cookies.set('idstitch_external_contact_id', 'usr_2', { path: '/' })
    expect(tracker.getContactId()).toBe('usr_2')
  })
})

describe('reset()', () => {
  it('deletes the contact cookie and keeps the visitor', async () => {
    const tracker = createTracker()
    const visitor = tracker.getVisitorId()
    await tracker.identify('usr_1')
    tracker.reset()
    expect(Cookies.get('idstitch_external_contact_id')).toBeUndefined()
    expect(tracker.getContactId()).toBeUndefined()
    expect(tracker.getVisitorId()).toBe(visitor)
  })

  it('starts a new visitor with rotateVisitor', async () => {
    const tracker = createTracker()
    const visitor = tracker.getVisitorId()
    await tracker.identify('usr_1')
    tracker.reset({ rotateVisitor: true })
    expect(tracker.getVisitorId()).not.toBe(visitor)
    expect(Cookies.get('idstitch_visitor_id')).toBe(tracker.getVisitorId())
    // The new visitor belongs to nobody yet: the next user does not rotate it again.
    const fresh = tracker.getVisitorId()
    await tracker.identify('usr_2')
    expect(tracker.getVisitorId()).toBe(fresh)
  })

  it("forgets the visitor ids linked to the old visitor when it starts a new one: the next user's login must not join them", async () => {
    const LINKED = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
    const tracker = createTracker()
    await tracker.identify('usr_1')
    Cookies.set('idstitch_linked_ids', LINKED, { path: '/', domain: 'example.test' })
    tracker.reset()
    expect(Cookies.get('idstitch_linked_ids')).toBe(LINKED)
    tracker.reset({ rotateVisitor: true })
    expect(Cookies.get('idstitch_linked_ids')).toBeUndefined()
    // A login by another user without a logout starts a new visitor too.
    await tracker.identify('usr_2')
    Cookies.set('idstitch_linked_ids', LINKED, { path: '/' })
    await tracker.identify('usr_3')
    expect(Cookies.get('idstitch_linked_ids')).toBeUndefined()
  })

  it('removes a host-only visitor cookie when it starts a new visitor: left there, it would shadow the new one', () => {
    // Host-only, as a server may have set it.
    Cookies.set('idstitch_visitor_id', VISITOR, { path: '/' })
    const tracker = createTracker()
    tracker.reset({ rotateVisitor: true })
    expect(tracker.getVisitorId()).not.toBe(VISITOR)
    expect(Cookies.get('idstitch_visitor_id')).toBe(tracker.getVisitorId())
    expect(document.cookie.match(/idstitch_visitor_id=/g)).toHaveLength(1)
  })

  it("follows a new visitor another tab started, and does not take the last visitor's owner for the next user's", async () => {
    const tracker = createTracker()
    await tracker.identify('usr_1')
    // Another tab logs out on a shared computer: a new visitor, owned by nobody yet.
    const fresh = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
    Cookies.remove('idstitch_external_contact_id', { path: '/', domain: 'example.test' })
    Cookies.remove('idstitch_visitor_owner', { path: '/', domain: 'example.test' })
    Cookies.set('idstitch_visitor_id', fresh, { path: '/', domain: 'example.test' })
    expect(tracker.getVisitorId()).toBe(fresh)
    // The next user logs in here: the new visitor becomes theirs, it is not rotated again.
    await tracker.identify('usr_2')
    expect(tracker.getVisitorId()).toBe(fresh)
    expect(Cookies.get('idstitch_visitor_id')).toBe(fresh)
  })

  it('notices a contact cookie cleared elsewhere when the page becomes visible', async () => {
    const tracker = createTracker()
    await tracker.identify('usr_1')
    Cookies.remove('idstitch_external_contact_id', { path: '/', domain: 'example.test' })
    document.dispatchEvent(new Event('visibilitychange'))
    expect(tracker.getContactId()).toBeUndefined()
  })
})

describe('consent and opt-out', () => {
  it('keeps the id in memory until consent(true), then persists the same id; consent(false) removes the cookies', async () => {
    const tracker = createTracker({ consent: 'required' })
    const id = tracker.getVisitorId()
    await tracker.identify('usr_1')
    expect(document.cookie).toBe('')
    expect(tracker.getContactId()).toBe('usr_1')
    tracker.consent(true)
    expect(Cookies.get('idstitch_visitor_id')).toBe(id)
    expect(Cookies.get('idstitch_external_contact_id')).toBe('usr_1')
    tracker.consent(false)
    expect(document.cookie).toBe('')
    expect(tracker.getVisitorId()).toBe(id)
  })

  it('sends nothing to the endpoint before consent, and relays identify() once it is given', async () => {
    const fetch = vi.fn(async () => new Response('{}', { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    const tracker = createTracker({ consent: 'required', endpoint: '/api/identify' })
    await expect(tracker.identify('usr_1')).resolves.toEqual({ ok: true, status: 0 })
    expect(fetch).not.toHaveBeenCalled()
    tracker.consent(true)
    await expect(tracker.identify('usr_1')).resolves.toMatchObject({ ok: true, status: 200 })
    expect(fetch).toHaveBeenCalledTimes(1)
    tracker.consent(false)
    await tracker.identify('usr_1')
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('writes no cookie at all before consent, not even a domain probe, when a tampered visitor cookie is there', async () => {
    Cookies.set('idstitch_visitor_id', 'tampered', { path: '/' })
    const written = watchWrites()
    try {
      const tracker = createTracker({ consent: 'required' })
      await tracker.identify('usr_1')
      expect(written).toEqual([])
      tracker.consent(true)
      expect(written.length).toBeGreaterThan(0)
    } finally {
      delete (document as { cookie?: string }).cookie
    }
  })

  it.each(['Required', 'true', '', 'yes'])('fails closed on consent %j: writes nothing, with a warning', (value) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const tracker = createTracker({ consent: value as never })
    expect(document.cookie).toBe('')
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('consent is required'))
    tracker.consent(true)
    expect(Cookies.get('idstitch_visitor_id')).toBe(tracker.getVisitorId())
    warn.mockRestore()
  })

  it('writes nothing at all before consent or under an opt-out, for every call: reset() and consent(false) included', async () => {
    const written = watchWrites()
    try {
      const tracker = createTracker({ consent: 'required' })
      await tracker.identify('usr_1')
      tracker.reset()
      tracker.reset({ rotateVisitor: true })
      tracker.consent(false)
      expect(written).toEqual([])
      vi.stubGlobal('navigator', { ...navigator, globalPrivacyControl: true })
      const optedOut = createTracker({ respectDnt: true })
      await optedOut.identify('usr_2')
      optedOut.reset({ rotateVisitor: true })
      optedOut.consent(false)
      expect(written).toEqual([])
    } finally {
      delete (document as { cookie?: string }).cookie
    }
  })

  it('still deletes cookies that are there on consent(false), as a revocation must, the linked visitor ids too', () => {
    const tracker = createTracker()
    expect(Cookies.get('idstitch_visitor_id')).toBe(tracker.getVisitorId())
    Cookies.set('idstitch_linked_ids', '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10', { path: '/', domain: 'example.test' })
    createTracker({ consent: 'required' }).consent(false)
    expect(document.cookie).toBe('')
  })

  it('writes and sends nothing with respectDnt and a pathbound_dnt=1 cookie', async () => {
    Cookies.set('pathbound_dnt', '1', { path: '/' })
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    const tracker = createTracker({ preset: 'pathbound', respectDnt: true, endpoint: '/api/identify' })
    await expect(tracker.identify('usr_1')).resolves.toEqual({ ok: true, status: 0 })
    expect(document.cookie).toBe('pathbound_dnt=1')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('writes nothing with respectDnt under Global Privacy Control, and leaves even a tampered visitor cookie alone', () => {
    vi.stubGlobal('navigator', { ...navigator, globalPrivacyControl: true })
    createTracker({ respectDnt: true })
    expect(document.cookie).toBe('')
    Cookies.set('idstitch_visitor_id', 'tampered', { path: '/' })
    createTracker({ respectDnt: true })
    expect(document.cookie).toBe('idstitch_visitor_id=tampered')
  })
})
