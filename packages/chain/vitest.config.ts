import { defineConfig } from 'vitest/config'

// Quantizing and chaining the real fixtures takes tens of seconds on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 300_000, hookTimeout: 300_000 } })
