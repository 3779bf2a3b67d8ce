import { afterEach, describe, expect, it, vi } from 'vitest'
import { steadyNow } from './clock.js'

describe('steadyNow()', () => {
  afterEach(() => vi.restoreAllMocks())

  it("runs at the wall clock's pace, and does not follow it back when it steps back", () => {
    let wall = 1_800_000_000_000
    vi.spyOn(Date, 'now').mockImplementation(() => wall)
    const start = steadyNow()
    wall += 250
    expect(steadyNow() - start).toBe(250)
    wall -= 3_600_000
    expect(steadyNow() - start).toBe(250)
    wall += 100
    expect(steadyNow() - start).toBe(350)
  })
})
