#!/usr/bin/env node
// `sluice-model-server`: the model server from the command line (see cli.ts for the flags).
import { runModelServerCli } from './cli.js'

const code = await runModelServerCli(process.argv.slice(2))
// exitCode rather than process.exit() so stdout is flushed; the timer only ends a process that
// something (a native addon's thread, a stray handle) would keep alive after a clean shutdown.
process.exitCode = code
setTimeout(() => process.exit(code), 2000).unref()
