import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH)
/** In CI a missing browser is a broken setup (.ci/run installs it), so the tests fail instead of skipping. */
export const MUST_HAVE_CHROMIUM = process.env.CI === 'true' || process.env.CI === '1'
export const MISSING_CHROMIUM_MESSAGE = `Chromium not found at ${CHROMIUM_PATH} (install it, e.g. apt-get install chromium, or set CHROMIUM_PATH)`

if (!HAS_CHROMIUM && !MUST_HAVE_CHROMIUM) console.warn(`${MISSING_CHROMIUM_MESSAGE}; the browser tests are skipped`)

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] })
}
