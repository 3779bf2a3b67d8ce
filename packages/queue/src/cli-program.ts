import { Bar, Presets } from 'cli-progress'
import { Command, CommanderError, InvalidArgumentError } from 'commander'
import { openAdmin, type StateCounts } from './admin.js'
import { cliClient, type CliTarget } from './cli-connection.js'
import { DEFAULT_PREFIX } from './names.js'
import { explained } from './redis.js'

/** Where the CLI writes: the console, or a test's buffers. */
export interface CliOutput {
  out(line: string): void
  err(line: string): void
}

const positiveInteger = (value: string): number => {
  const number = Number(value)
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('must be a positive integer')
  return number
}

/**
 * Characters a terminal acts on rather than shows: C0 and C1 controls but the newline and tab (escape sequences
 * clear the screen, set the window title, hide text), and the marks that reorder text (bidirectional overrides).
 * What the CLI prints comes from Redis (queue names, job ids, dead letters' reasons), which any client of that
 * Redis can write.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** `io` that shows each such character as its escape (`\u001b`), never sends it to the terminal. */
const escapedOutput = (io: CliOutput): CliOutput => {
  const escaped = (text: string) => text.replace(UNPRINTABLE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return { out: (text) => io.out(escaped(text)), err: (text) => io.err(escaped(text)) }
}

const table = (rows: string[][]): string => {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n')
}

const pending = (counts: Record<string, StateCounts>): number => Object.values(counts).reduce((sum, state) => sum + state.waiting + state.active + state.delayed, 0)

type Admin = Awaited<ReturnType<typeof openAdmin>>
/** A command's work with the admin view of the queues; resolves with its exit code (0 when undefined). */
type AdminAction = (admin: Admin) => Promise<number | undefined>

/** Runs `action` with the admin view of the queues at `target`, then closes the connection; failures exit 1 with a message, no stack. */
const withAdmin = async (io: CliOutput, target: CliTarget & { prefix: string }, action: AdminAction): Promise<number> => {
  const redis = cliClient(target)
  if (typeof redis === 'string') {
    io.err(`idstitch-queue: ${redis}`)
    return 1
  }
  const { prefix } = target
  let lastError: Error | undefined
  redis.on('error', (error: Error) => void (lastError = error))
  try {
    const admin = await openAdmin(redis, prefix)
    try {
      return (await action(admin)) ?? 0
    } finally {
      await admin.close()
    }
  } catch (error) {
    io.err(`idstitch-queue: ${failureText(error, lastError)}`)
    return 1
  } finally {
    redis.disconnect()
  }
}

/**
 * A command's failure, with the connection's last error when it says more: a Cluster that gave up says only
 * "None of startup nodes is available", where its nodes had refused the password (`WRONGPASS ...`).
 */
const failureText = (error: unknown, connection: Error | undefined): string => {
  const text = error instanceof Error ? error.message : String(error)
  const cause = connection && explained(connection).message
  return cause && !text.includes(cause) ? `${text} (the connection's last error: ${cause})` : text
}

/** `status`: jobs per provider and state. */
const status = (io: CliOutput): AdminAction => async (admin) => {
  const counts = await admin.counts()
  const rows = Object.entries(counts).map(([name, state]) => [name, String(state.waiting), String(state.active), String(state.delayed), String(state.failed)])
  io.out(rows.length === 0 ? 'no idstitch queue in this Redis' : table([['provider', 'waiting', 'active', 'delayed', 'failed'], ...rows]))
  return undefined
}

/** `failed`: the newest dead letters, with their last error, and how many more `--limit` left out (an operator must not take 100 rows for all). */
const failed = (io: CliOutput, options: { provider?: string; limit: number }): AdminAction => async (admin) => {
  const { letters, unlisted } = await admin.deadLetters(options.provider, options.limit)
  io.out(letters.length === 0 ? 'no dead letters' : table([['provider', 'job', 'attempts', 'failed at', 'error'], ...letters.map((letter) => [letter.provider, letter.jobId, String(letter.attempts), letter.failedAt ?? '', letter.reason])]))
  if (unlisted > 0) io.out(`and ${unlisted} older dead letter${unlisted === 1 ? '' : 's'} not listed (--limit ${options.limit} per provider)`)
  return undefined
}

/** `retry`: re-enqueues the dead letters. */
const retry = (io: CliOutput, options: { provider?: string }): AdminAction => async (admin) => {
  const moved = await admin.retry(options.provider)
  io.out(`re-enqueued ${moved} dead letter${moved === 1 ? '' : 's'}`)
  return undefined
}

/** `drain`: waits, with a progress bar, until no job is waiting, active or delayed, or the timeout. */
const drain = (io: CliOutput, options: { timeout: number }): AdminAction => async (admin) => {
  const giveUpAt = Date.now() + options.timeout * 1000
  let left = pending(await admin.counts())
  const bar = new Bar({ format: 'draining [{bar}] {value}/{total} delivered or dead | {left} left' }, Presets.shades_classic)
  let total = left
  bar.start(total, 0, { left })
  while (left > 0 && Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    left = pending(await admin.counts())
    // Jobs enqueued meanwhile grow the total.
    total = Math.max(total, left + bar.getProgress() * total)
    bar.setTotal(Math.round(total))
    bar.update(Math.round(total) - left, { left })
  }
  bar.stop()
  io.out(left === 0 ? 'drained: no job waiting, active or delayed' : `gave up after ${options.timeout} s: ${left} jobs left`)
  return left === 0 ? 0 : 1
}

/** The program and its commands; `run` runs a command's action with the admin view, and records its exit code. */
const programOf = (run: (program: Command, action: AdminAction) => Promise<void>, io: CliOutput): Command => {
  const program = new Command()
    .name('idstitch-queue')
    .description("Inspect and replay @idstitch/queue's jobs in Redis.")
    .option('--redis <url>', 'the Redis URL (default: $REDIS_URL)')
    .option('--cluster <nodes>', "a Redis Cluster: some of its nodes, comma-separated host:port or redis:// URLs (default: $REDIS_CLUSTER)")
    .option('--prefix <prefix>', 'the key prefix the queues and workers use', DEFAULT_PREFIX)
  program.command('status').description('jobs per provider and state').action(() => run(program, status(io)))
  program
    .command('failed')
    .description('list dead letters with their last error')
    .option('--provider <name>', "one provider's only")
    .option('--limit <n>', 'at most this many per provider', positiveInteger, 100)
    .action((options: { provider?: string; limit: number }) => run(program, failed(io, options)))
  program
    .command('retry')
    .description('re-enqueue dead letters (all, or one provider’s)')
    .option('--provider <name>', "one provider's only")
    .action((options: { provider?: string }) => run(program, retry(io, options)))
  program
    .command('drain')
    .description('wait, with a progress bar, until no job is waiting, active or delayed')
    .option('--timeout <seconds>', 'give up (exit 1) after this long', positiveInteger, 600)
    .action((options: { timeout: number }) => run(program, drain(io, options)))
  return program.exitOverride().configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
}

/**
 * idstitch-queue: the operator's commands for @idstitch/queue's jobs in Redis.
 * Runs `argv` (as `process.argv`: node, script, then the arguments) and
 * resolves with the exit code.
 */
export const runCli = async (argv: string[], terminal: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) }, env: Record<string, string | undefined> = process.env): Promise<number> => {
  const io = escapedOutput(terminal)
  let code = 0
  const program = programOf(async (parsed, action) => {
    const { redis: url = env.REDIS_URL, cluster = env.REDIS_CLUSTER, prefix } = parsed.opts<{ redis?: string; cluster?: string; prefix: string }>()
    code = await withAdmin(io, { url, cluster, prefix }, action)
  }, io)
  try {
    await program.parseAsync(argv)
  } catch (error) {
    // --help and --version end here with code 0; a usage error with its code.
    if (error instanceof CommanderError) return error.exitCode
    // Anything else is said, as a command's own failure is (withAdmin): an exit 1 without a word tells nobody anything.
    io.err(`idstitch-queue: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  return code
}
