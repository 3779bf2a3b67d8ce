import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { callApp, guarded, settled } from './callbacks.js'

describe("the app's callbacks", () => {
  const unhandled: unknown[] = []
  const note = (reason: unknown) => unhandled.push(reason)
  beforeEach(() => {
    unhandled.length = 0
    process.on('unhandledRejection', note)
  })
  afterEach(() => void process.off('unhandledRejection', note))
  const tick = () => new Promise((resolve) => setTimeout(resolve, 10))

  it('settled: hands a rejection to onRejected, leaves a value or a fulfilled promise as it is', async () => {
    const seen: unknown[] = []
    const rejected = Promise.reject(new Error('down'))
    expect(settled(rejected, (error) => seen.push(error))).toBe(rejected)
    expect(settled(42)).toBe(42)
    expect(settled(undefined)).toBeUndefined()
    await expect(settled(Promise.resolve('ok'))).resolves.toBe('ok')
    await tick()
    expect(seen).toEqual([new Error('down')])
    expect(unhandled).toEqual([])
  })

  it('guarded: a hook that throws or rejects is ignored', async () => {
    expect(guarded(() => { throw new Error('sync') })).toBeUndefined()
    guarded(async () => { throw new Error('async') })
    expect(guarded(() => 'trace')).toBe('trace')
    await tick()
    expect(unhandled).toEqual([])
  })

  it('callApp: says whether the call threw or rejected, and with what', async () => {
    const failures: [string, unknown][] = []
    const failed = (how: string, error: unknown) => failures.push([how, error])
    callApp(() => { throw new Error('sync') }, failed)
    callApp(async () => { throw new Error('async') }, failed)
    callApp(() => 'fine', failed)
    await tick()
    expect(failures).toEqual([['threw', new Error('sync')], ['rejected', new Error('async')]])
    expect(unhandled).toEqual([])
  })
})
