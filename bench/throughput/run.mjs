import { execFileSync, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
export const perRequest = ['idstitch-pathbound', 'fetch', 'ky', 'node-http', 'undici-pool']
export const batching = ['idstitch-segment', 'fetch-batch', 'segment-node', 'posthog-node', 'rudder-node']

/** Starts the sink in its own process. */
export const startSink = (delayMs = 0) =>
  new Promise((resolve) => {
    const child = fork(`${here}sink.mjs`, [String(delayMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    child.once('message', ({ port }) => resolve({ url: `http://127.0.0.1:${port}`, stop: () => child.kill() }))
  })

const counts = async (url) => (await fetch(`${url}/count`)).json()

/** One client run in its own process, with what the sink received (a share of requests failing with 500 when `failRate`). */
const measure = async (sink, kind, n, mode, failRate = 0, warm = 0) => {
  await fetch(`${sink.url}/reset?failRate=${failRate}`)
  let report
  try {
    report = JSON.parse(execFileSync(process.execPath, [`${here}client.mjs`, kind, sink.url, String(n), mode, String(warm)], { cwd: here, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] }))
  } catch (error) {
    report = { error: String(error.message).split('\n')[0] }
  }
  // Give in-flight requests a moment to land before reading the count.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const { requests, messages } = await counts(sink.url)
  return {
    name: kind,
    mode,
    ...report,
    requests,
    received: messages,
    failRate,
    messagesPerSecond: report.wallMs ? (n / report.wallMs) * 1000 : undefined,
    cpuUsPerMessage: report.cpuUs ? report.cpuUs / n : undefined,
    ours: kind.startsWith('idstitch'),
  }
}

/** Clients run in alternation `repeats` times each: the run with the median CPU per message of each. */
const medianAlternated = async (repeats, ...clients) => {
  const runs = clients.map(() => [])
  for (let round = 0; round < repeats; round++) {
    for (const [index, once] of clients.entries()) runs[index].push(await once())
  }
  return runs.map(median)
}

/** What an identify costs idstitch itself, without HTTP (sdk-cost.mjs, in its own process): the run with the median `identify`. */
const sdkCost = (n, repeats) => {
  const runs = Array.from({ length: repeats }, () => JSON.parse(execFileSync(process.execPath, [`${here}sdk-cost.mjs`, String(n)], { cwd: here, encoding: 'utf8', timeout: 90_000 })))
  return runs.sort((a, b) => a.identify - b.identify)[Math.floor((runs.length - 1) / 2)]
}

/** The run with the median CPU per message of `repeats` (a client that fails or times out is not repeated). */
const medianOf = async (repeats, once) => {
  const runs = [await once()]
  while (runs.length < repeats && !runs[0].error) runs.push(await once())
  return median(runs)
}

/** The run with the median CPU per message. */
const median = (runs) => runs.sort((a, b) => (a.cpuUsPerMessage ?? Infinity) - (b.cpuUsPerMessage ?? Infinity))[Math.floor((runs.length - 1) / 2)]

export const runThroughput = async ({ n = 20_000, repeats = 3, burst = 5_000 } = {}) => {
  const sink = await startSink()
  // Each client first sends a quarter as many, uncounted: the figures are a warm process's (see client.mjs).
  const warm = Math.floor(n / 4)
  try {
    const rows = []
    // The one-request peers are driven 32 requests at a time ('pool'); idstitch both that way and all at once ('tight').
    // idstitch and the bare node:http client, whose ratio is a target, run in alternation, so that a slow spell of
    // this machine weighs on both; so do idstitch's layers (its transport alone, then its delivery lane over it).
    // The bare client validating each message as identify() does shows what that validation (zod, a fixed library) costs beside HTTP.
    // So does idstitch over its opt-in undici transport.
    const pooled = ['idstitch-pathbound', 'idstitch-lane', 'idstitch-transport', 'node-http', 'node-http-validated', 'idstitch-undici']
    const [pathbound, lane, transport, bare, validated, undici] = await medianAlternated(repeats, ...pooled.map((kind) => () => measure(sink, kind, n, 'pool', 0, warm)))
    const layers = [lane, transport, validated]
    rows.push(pathbound, undici, await medianOf(repeats, () => measure(sink, 'idstitch-pathbound', n, 'tight', 0, warm)))
    for (const kind of perRequest.filter((kind) => kind !== 'idstitch-pathbound' && kind !== 'node-http')) rows.push(await medianOf(repeats, () => measure(sink, kind, n, 'pool', 0, warm)))
    rows.push(bare)
    for (const mode of ['tight', 'yield']) for (const kind of batching) rows.push(await medianOf(repeats, () => measure(sink, kind, n, mode, 0, warm)))
    // The marginal cost of a batched identify: idstitch and the fetch-batch floor at n and at 10 n, in a tight loop,
    // in alternation; (CPU at 10 n - CPU at n) / 9 n is what each further identify costs, start-up and warm-up aside.
    const [oursLarge, floorLarge] = await medianAlternated(repeats, ...['idstitch-segment', 'fetch-batch'].map((kind) => () => measure(sink, kind, n * 10, 'tight', 0, warm)))
    const at = (kind) => rows.find((row) => row.name === kind && row.mode === 'tight')
    const marginal = (small, large) => (small?.cpuUs && large?.cpuUs ? (large.cpuUs - small.cpuUs) / (9 * n) : undefined)
    const batchedMarginal = { n, large: n * 10, ours: marginal(at('idstitch-segment'), oursLarge), floor: marginal(at('fetch-batch'), floorLarge), oursLarge, floorLarge }
    // A burst with every option at its default: healthy, then with 30 % of requests failing with 500.
    const failure = []
    for (const failRate of [0, 0.3]) failure.push(await medianOf(repeats, () => measure(sink, 'idstitch-defaults', burst, 'tight', failRate)))
    return { n, warm, repeats, burst, rows, layers, failure, batchedMarginal, sdkCost: sdkCost(n, repeats) }
  } finally {
    sink.stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await runThroughput({ n: Number(process.argv[2] ?? 2000) }), null, 2))
