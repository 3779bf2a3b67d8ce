import { describe, expect, it } from 'vitest'

describe('server-side rendering', () => {
  it('imports without touching window or document, and answers safely', async () => {
    expect(typeof document).toBe('undefined')
    const tracker = await import('./index.js')
    expect(tracker.getVisitorId()).toBeUndefined()
    expect(tracker.getContactId()).toBeUndefined()
    expect(() => tracker.reset()).not.toThrow()
    expect(() => tracker.consent(true)).not.toThrow()
    await expect(tracker.identify('usr_1')).rejects.toThrowError(/browser only/)
  })
})
