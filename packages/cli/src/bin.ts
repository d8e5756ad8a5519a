#!/usr/bin/env node
import { main } from './index.js'

// exitCode rather than process.exit() so piped output is flushed before the process ends.
process.exitCode = await main(process.argv.slice(2))
