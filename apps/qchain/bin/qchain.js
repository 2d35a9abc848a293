#!/usr/bin/env node
// Thin launcher so the bin is executable before and after `npm run build`.
import { main } from '../dist/cli.js'

process.exitCode = await main(process.argv.slice(2))
