#!/usr/bin/env node
// The idstitch-sandbox command, in a file the repository keeps rather than the build's dist/cli.js: pnpm links a
// workspace package's commands when it installs, before anything is built, and cannot link one whose file is not
// there yet (pnpm/pnpm#1801), so a fresh clone had no idstitch-sandbox in its node_modules/.bin.
import '../dist/cli.js'
