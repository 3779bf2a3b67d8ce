import { ConfigError } from '@idstitch/core'
import { describe, expect, it } from 'vitest'
import { createUndiciTransport } from './undici-transport.js'

describe('createUndiciTransport', () => {
  it('refuses a connection count that is not an integer >= 1, naming the option', () => {
    for (const connections of [0, 1.5, -1, Number.NaN]) {
      expect(() => createUndiciTransport({ connections })).toThrow(ConfigError)
      expect(() => createUndiciTransport({ connections })).toThrow(/`connections`: must be an integer >= 1/)
    }
    expect(() => createUndiciTransport({ connection: 2 } as never)).toThrow('[idstitch] invalid option `connection`: is not one of connections')
  })

  it('is bounded (it ends each attempt itself) and closes', async () => {
    const transport = createUndiciTransport({ connections: 2 })
    expect(transport.bounded).toBe(true)
    await expect(transport.close?.()).resolves.toBeUndefined()
  })
})
