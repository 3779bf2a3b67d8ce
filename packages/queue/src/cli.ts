// The idstitch-queue command: status, failed, retry and drain (see cli-program.ts).
import { runCli } from './cli-program.js'

process.exitCode = await runCli(process.argv)
