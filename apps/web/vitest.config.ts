import { defineConfig } from 'vitest/config'

// The end-to-end test quantizes a model, builds the page and drives Chromium on a busy 2-core machine.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } })
