import { isConfigError } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'
import { describe, expect, it } from 'vitest'
import { createQueue } from './queue.js'
import { createWorker } from './worker.js'

const providers = [pathbound({ apiKey: 'pb_key' })]
const refusal = (create: () => unknown) => {
  try {
    create()
  } catch (error) {
    if (isConfigError(error)) return { option: error.option, message: error.message }
    throw error
  }
  throw new Error('no ConfigError')
}

describe('queue and worker options', () => {
  it('refuse bad options with a ConfigError naming the option, before connecting', () => {
    expect(refusal(() => createQueue({ connection: 'http://localhost', providers }))).toMatchObject({ option: 'connection' })
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers, attempts: 0 }))).toMatchObject({ option: 'attempts' })
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers, prefix: 'a:b' }))).toMatchObject({ option: 'prefix' })
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers: [] }))).toMatchObject({ option: 'providers' })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, concurrency: 1.5 }))).toMatchObject({ option: 'concurrency' })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, onError: 'log' as never }))).toMatchObject({ option: 'onError' })
  })
})
