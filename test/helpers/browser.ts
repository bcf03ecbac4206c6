// Debian's Chromium driven by playwright-core (never a downloaded browser).
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

const CANDIDATES = [
  process.env['CHROMIUM_PATH'],
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
]

export function chromiumPath(): string {
  const found = CANDIDATES.find((p): p is string => p !== undefined && p !== '' && existsSync(p))
  if (found === undefined)
    throw new Error("no Chromium found: install Debian's chromium package or set CHROMIUM_PATH")
  return found
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}
