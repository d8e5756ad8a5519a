#!/usr/bin/env node
// Committed shim so npm can link the bin before the package is built; the server lives in dist/.
import '../dist/bin.js'
