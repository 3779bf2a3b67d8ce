import { createClient } from '@idstitch/node'
import { monterosa } from '@idstitch/node/providers'
import { monterosaRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectFailed, expectInvalid, fast, PROJECT, raw, useStandIn } from './helpers.js'

const TOKEN = 'eyJ.user-token.sig'
const server = useStandIn(monterosaRule({ projectId: PROJECT, tokens: [TOKEN] }))

const client = (options: Partial<Parameters<typeof monterosa>[0]> = {}) =>
  createClient({ ...fast, providers: [monterosa({ baseUrl: server.url, projectId: PROJECT, ...options })] })

describe('monterosa: the local server enforces the documented rules', () => {
  const noLogin = { projectId: PROJECT, strategy: 'simplified', provider: 'noLogin', externalId: 'x' }
  it.each([
    ['a project id that is not a UUID', {}, { ...noLogin, projectId: 'p1' }, 400],
    ['an unknown project', {}, { ...noLogin, projectId: '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10' }, 404],
    ['a noLogin body without externalId', {}, { ...noLogin, externalId: undefined }, 400],
    ['a token provider without a token', {}, { projectId: PROJECT, strategy: 'email', provider: 'awsCognito', data: {} }, 401],
    ['a password', { authorization: `Bearer ${TOKEN}` }, { projectId: PROJECT, strategy: 'email', provider: 'awsCognito', data: { password: 'x' } }, 400],
  ])('refuses %s', async (_, headers, body, status) => {
    const response = await raw(server, '/v1/user', { method: 'PUT', headers, body })
    expect(response.status).toBe(status)
    expect(response.body).toMatchObject({ result: 0, message: expect.any(String) })
  })
})

describe('monterosa: identify', () => {
  it('PUTs { projectId, strategy: simplified, provider: noLogin, externalId, appProfile } without auth', async () => {
    const result = await client().identify({ userId: 'usr_m_1', traits: { nickname: 'ada', tier: 'gold' } })
    expect(result.results[0]).toMatchObject({ status: 'delivered', data: { externalId: 'usr_m_1' } })
    const [request] = server.requests
    expect(request?.method).toBe('PUT')
    expect(request?.path).toBe('/v1/user')
    expect(request?.headers.authorization).toBeUndefined()
    expect(request?.body).toEqual({ projectId: PROJECT, strategy: 'simplified', provider: 'noLogin', externalId: 'usr_m_1', appProfile: { nickname: 'ada', tier: 'gold' } })
  })

  it('PUTs { projectId, strategy, provider, data } with the bearer token for token-bearing providers', async () => {
    const result = await client({ provider: 'awsCognito', token: TOKEN }).identify({ userId: 'usr_m_2', traits: { nickname: 'ada' } })
    expect(result.results[0]?.status).toBe('delivered')
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(server.requests[0]?.body).toEqual({ projectId: PROJECT, strategy: 'email', provider: 'awsCognito', data: { nickname: 'ada' } })
  })

  it('takes a per-user token from a function, and skips a user without one', async () => {
    const c = client({ provider: 'authZero', token: (event) => event.context.monterosaToken as string | undefined })
    expect((await c.identify({ userId: 'u', context: { monterosaToken: TOKEN } })).results[0]?.status).toBe('delivered')
    expect((await c.identify({ userId: 'u' })).results[0]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('token') })
    expect(server.requests).toHaveLength(1)
  })

  it('never sends passwords', async () => {
    expectInvalid((await client().identify({ userId: 'u', traits: { password: 'hunter2' } })).results[0], 'monterosa', 'traits.password')
    expectInvalid((await client().identify({ userId: 'u', traits: { previousPassword: 'x' } })).results[0], 'monterosa', 'traits.previousPassword')
    expect(server.requests).toHaveLength(0)
  })

  it('requires baseUrl, a UUID projectId, and a token for token-bearing providers', () => {
    expect(() => monterosa({ projectId: PROJECT } as never)).toThrowError(expect.objectContaining({ provider: 'monterosa', option: 'baseUrl' }))
    expect(() => monterosa({ baseUrl: server.url, projectId: 'p1' })).toThrowError(expect.objectContaining({ option: 'projectId' }))
    expect(() => monterosa({ baseUrl: server.url, projectId: PROJECT, provider: 'awsCognito' })).toThrowError(expect.objectContaining({ option: 'token' }))
  })

  it('treats a result other than 1 as a failure, and an unknown project as 404', async () => {
    server.faults.push({ status: 200, body: { result: 0, message: 'Profile locked' } })
    const rejected = await client().identify({ userId: 'u' })
    expect(expectFailed(rejected.results[0], 'HttpError', 'provider_rejected').message).toContain('Profile locked')
    const unknown = await createClient({ ...fast, providers: [monterosa({ baseUrl: server.url, projectId: '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10' })] }).identify({ userId: 'u' })
    expect(unknown.results[0]).toMatchObject({ status: 'failed', httpStatus: 404, attempts: 1 })
  })
})
