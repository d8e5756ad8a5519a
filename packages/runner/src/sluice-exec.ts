#!/usr/bin/env node
// The container entrypoint: runs one node from an executor input JSON file and writes the executor
// output JSON. The local runner's child processes, Docker and Kubeflow all start executors this way.
import { runExecutorInputFile } from './sluice-exec-main.js'

const file = process.argv[2]
if (!file || file === '--help' || file === '-h') {
  process.stderr.write('usage: sluice-exec <executor_input.json>\n\nRuns one Sluice component from a KFP v2-style executor input and writes the executor output JSON.\n')
  process.exit(file ? 0 : 2)
}
process.exitCode = await runExecutorInputFile(file)
