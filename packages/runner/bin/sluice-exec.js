#!/usr/bin/env node
// A committed entry so npm can link the command before the package is built; the code is in dist/.
import '../dist/sluice-exec.js'
