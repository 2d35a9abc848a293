import { defineConfig } from 'vitest/config'

// These tests spawn the built CLI; give them room on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 300_000, hookTimeout: 300_000 } })
