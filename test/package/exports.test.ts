import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const cwd = fileURLToPath(new URL('..', import.meta.url))
const run = (type: 'module' | 'commonjs', code: string): string =>
  execFileSync(process.execPath, ['--input-type', type, '-e', code], { cwd, encoding: 'utf8' }).trim()
/** A file of @idstitch/node's build, as text. */
const nodeDist = (file: string): string => readFileSync(new URL(`../../packages/node/dist/${file}`, import.meta.url), 'utf8')

describe('the built packages, as a user imports them', () => {
  it('@idstitch/node and its providers load with import and require', () => {
    const names = 'createClient,getVisitorId,contactCookie,ConfigError,isHttpError'
    expect(run('module', `import * as m from '@idstitch/node'; import * as p from '@idstitch/node/providers'; console.log([${names.split(',').map((n) => `typeof m.${n}`)}].join() + '|' + Object.keys(p).sort().join())`)).toBe(
      'function,function,function,function,function|BUILT_IN_PROVIDERS,amplitude,datafast,defineProvider,dfend,ga4,http,mixpanel,monterosa,pathbound,posthog,segment,thrivestack',
    )
    expect(run('commonjs', `const m = require('@idstitch/node'); const p = require('@idstitch/node/providers'); console.log(typeof m.createClient, typeof p.pathbound, m.contactCookie('usr_1', { secure: false }))`)).toBe(
      'function function idstitch_external_contact_id=usr_1; Max-Age=31536000; Path=/; SameSite=Lax',
    )
  })

  it('@idstitch/node picks its entry by export condition (node:http under `node`, fetch elsewhere), with one API', () => {
    // Which entry loaded shows in the file the module came from; the API is the same.
    const probe = `import * as m from '@idstitch/node'; console.log(typeof m.createClient, import.meta.resolve('@idstitch/node').split('/').pop(), Object.keys(m).sort().join())`
    const [, nodeEntry, nodeApi] = run('module', probe).split(' ')
    expect(nodeEntry).toBe('index.js')
    for (const condition of ['workerd', 'edge-light', 'browser', 'deno', 'bun']) {
      const [type, entry, api] = execFileSync(process.execPath, [`--conditions=${condition}`, '--input-type', 'module', '-e', probe], { cwd, encoding: 'utf8' }).trim().split(' ')
      expect([type, entry, api]).toEqual(['function', 'edge.js', nodeApi])
    }
    expect(run('module', `import { toNodeHandler, createNodeHttpTransport } from '@idstitch/node/node-http'; console.log(typeof toNodeHandler, typeof createNodeHttpTransport)`)).toBe('function function')
    // The opt-in undici transport, on its own subpath, with import and require.
    expect(run('module', `import { createUndiciTransport } from '@idstitch/node/undici'; console.log(typeof createUndiciTransport().send)`)).toBe('function')
    expect(run('commonjs', `const { createUndiciTransport } = require('@idstitch/node/undici'); console.log(typeof createUndiciTransport)`)).toBe('function')
  })

  it("@idstitch/node's edge build imports no Node built-in, and keeps the node: prefix where Node's build uses one", () => {
    const importsOf = (file: string): string[] => {
      const own = [...nodeDist(file).matchAll(/(?:from\s*|import\s*\(\s*|import\s+)["']([^"']+)["']/g)].map((match) => match[1] as string)
      return own.flatMap((specifier) => (specifier.startsWith('./') ? [specifier, ...importsOf(specifier.slice(2))] : [specifier]))
    }
    const edge = importsOf('edge.js')
    // The core, zod, ky, cookie, js-cookie and quick-lru are bundled: the edge build imports no package at all.
    expect(edge.filter((specifier) => !specifier.startsWith('./'))).toEqual([])
    expect(edge.filter((specifier) => /^(node:|http$|https$|buffer$|stream$|string_decoder$|undici$)/.test(specifier))).toEqual([])
    expect(importsOf('index.js')).toEqual(expect.arrayContaining(['node:http', 'node:https']))
    expect(importsOf('index.js').filter((specifier) => specifier === 'http' || specifier === 'https')).toEqual([])
    // undici loads only for an app that imports @idstitch/node/undici: never from the main entries.
    for (const entry of ['index.js', 'edge.js', 'node-http.js']) expect(importsOf(entry)).not.toContain('undici')
    expect(importsOf('undici.js')).toContain('undici')
    // Nor @opentelemetry/api (an optional peer) for an app that does not import @idstitch/node/otel.
    for (const entry of ['index.js', 'edge.js', 'node-http.js', 'providers.js', 'sink.js']) expect(importsOf(entry)).not.toContain('@opentelemetry/api')
    expect(importsOf('otel.js')).toContain('@opentelemetry/api')
    expect(run('module', `import { openTelemetry } from '@idstitch/node/otel'; console.log(typeof openTelemetry().attempt)`)).toBe('function')
    expect(run('commonjs', `console.log(typeof require('@idstitch/node/otel').openTelemetry)`)).toBe('function')
  })

  it("a cold start loads two of @idstitch/node's modules, each read as one-byte text", () => {
    // Each ES module costs a cold start about 1 ms to resolve, read and link (bench §3): the main entry and
    // the module every entry shares, no chunks beside them; ky (dist/ky.js) loads on an edge runtime's first send.
    const staticImports = (file: string) => [...nodeDist(file).matchAll(/^(?:import|export)\b[^;]*?from\s*"(\.\/[^"]+)"/gms)].map((match) => match[1])
    expect([...new Set(staticImports('index.js'))]).toEqual(['./shared.js'])
    expect([...new Set(staticImports('edge.js'))]).toEqual(['./shared.js'])
    expect(staticImports('shared.js')).toEqual([])
    // One character outside ASCII makes Node decode the whole file as UTF-8 and V8 hold and parse it as two-byte text (~1 ms here);
    // ky.js too, which an edge runtime loads on its first send (bundled licence comments go to THIRD_PARTY_NOTICES.md).
    for (const file of ['index.js', 'edge.js', 'shared.js', 'providers.js', 'ky.js']) expect(nodeDist(file)).not.toMatch(/[^\t\n\r -~]/)
  })

  it('@idstitch/core loads with import and require, its cookie contract alone, and publishes no internals', () => {
    expect(run('module', `import { defineProvider } from '@idstitch/core'; import { PRESETS } from '@idstitch/core/cookies'; console.log(typeof defineProvider, PRESETS.pathbound.visitorCookie)`)).toBe('function pathbound_visitor_id')
    expect(run('module', `import * as core from '@idstitch/core'; console.log('prepareEvent' in core, 'JsonText' in core)`)).toBe('false false')
    expect(run('commonjs', `console.log(typeof require('@idstitch/core/providers').datafast, 'datafast' in require('@idstitch/core'))`)).toBe('function false')
  })

  it("no package publishes an internal entry: a queue of one's own is built on @idstitch/node/sink", () => {
    for (const name of ['core', 'node', 'queue', 'tracker', 'next', 'react', 'sandbox']) {
      const manifest = JSON.parse(readFileSync(new URL(`../../packages/${name}/package.json`, import.meta.url), 'utf8')) as { exports: object; typesVersions?: object }
      expect(JSON.stringify([Object.keys(manifest.exports), manifest.typesVersions ?? {}])).not.toMatch(/internal/)
    }
    for (const specifier of ['@idstitch/core/internal', '@idstitch/node/internal', '@idstitch/node/shared']) {
      expect(run('module', `import('${specifier}').then(() => console.log('loaded'), (error) => console.log(error.code))`)).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED')
    }
    expect(run('module', `import * as sink from '@idstitch/node/sink'; console.log(Object.keys(sink).sort().join())`)).toBe('createDeadlineWatch,createLogger,createPipeline,createSender,restoreItem,storeItem')
    expect(run('commonjs', `console.log(typeof require('@idstitch/node/sink').createPipeline)`)).toBe('function')
  })

  it('@idstitch/tracker imports in Node (server-side rendering) without touching the DOM', () => {
    expect(run('module', `import { getVisitorId, createTracker } from '@idstitch/tracker'; console.log(String(getVisitorId()), typeof createTracker)`)).toBe('undefined function')
  })

  it('@idstitch/tracker imports js-cookie at run time, which its script tag bundles (its types also use @idstitch/core); its relay call is fetch itself', () => {
    const tracker = JSON.parse(readFileSync(new URL('../../packages/tracker/package.json', import.meta.url), 'utf8')) as { dependencies?: object }
    expect(Object.keys(tracker.dependencies ?? {})).toEqual(['@idstitch/core', 'js-cookie'])
    const esm = readFileSync(new URL('../../packages/tracker/dist/index.js', import.meta.url), 'utf8')
    expect([...esm.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)|\brequire\(\s*["']([^"']+)/g)].map((m) => m[1] ?? m[2] ?? m[3]).sort()).toEqual(['js-cookie'])
    expect(readFileSync(new URL('../../packages/tracker/dist/idstitch.js', import.meta.url), 'utf8')).not.toMatch(/\bimport\b|\brequire\(/)
  })
})

describe('licences', () => {
  const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')

  it.each([
    ['core', ['zod']],
    ['node', ['cookie', 'isbot', 'js-cookie', 'ky', 'quick-lru', 'zod']],
    ['tracker', ['js-cookie']],
  ])("@idstitch/%s ships its LICENSE, and notices for exactly the packages its build bundles", (name, bundled) => {
    expect(read(`packages/${name}/LICENSE`)).toContain('MIT License')
    const notices = read(`packages/${name}/THIRD_PARTY_NOTICES.md`)
    expect([...notices.matchAll(/^## (\S+) /gm)].map((match) => match[1])).toEqual(bundled)
    expect(notices).toContain('Permission is hereby granted')
    const files = (JSON.parse(read(`packages/${name}/package.json`)) as { files: string[] }).files
    expect(files).toEqual(expect.arrayContaining(['dist', 'LICENSE', 'THIRD_PARTY_NOTICES.md']))
  })
})
