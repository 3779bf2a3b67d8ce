import Cookies from 'js-cookie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const clearCookies = () => {
  for (const name of Object.keys(Cookies.get())) Cookies.remove(name, { path: '/' })
}

/** A fresh copy of the package's default tracker (its state is the module's), and the console's warnings. */
const fresh = async () => {
  vi.resetModules()
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  return { tracker: await import('./index.js'), warn }
}

beforeEach(clearCookies)
afterEach(() => vi.restoreAllMocks())

describe('the default tracker', () => {
  it("warns when init() comes after it was used (a child component's effect first), then runs on init()'s options", async () => {
    const { tracker, warn } = await fresh()
    const early = tracker.getVisitorId()
    expect(Cookies.get('idstitch_visitor_id')).toBe(early)
    tracker.init({ preset: 'datafast' })
    expect(warn).toHaveBeenCalledOnce()
    expect(warn.mock.calls[0]?.[0]).toMatch(/init\(\) came after the tracker was used: the calls before it ran with the default options/)
    expect(Cookies.get('datafast_visitor_id')).toBe(tracker.getVisitorId())
    // Once: init() again (hot reload) replaces the options it gave.
    tracker.init({ preset: 'datafast' })
    expect(warn).toHaveBeenCalledOnce()
  })

  it('says nothing when init() comes first, never comes, or comes late with no options (the defaults are then meant)', async () => {
    const first = await fresh()
    first.tracker.init({ preset: 'datafast' })
    expect(Cookies.get('datafast_visitor_id')).toBe(first.tracker.getVisitorId())
    const never = await fresh()
    expect(Cookies.get('idstitch_visitor_id')).toBe(never.tracker.getVisitorId())
    // init() with no options, late: the defaults the calls before it had.
    never.tracker.init()
    expect(first.warn).not.toHaveBeenCalled()
    expect(never.warn).not.toHaveBeenCalled()
  })
})
