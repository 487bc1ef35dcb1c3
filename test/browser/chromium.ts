/**
 * The system Chromium (Debian's `chromium` package) that the browser tests
 * drive through playwright-core: no browser is downloaded, and the machine has
 * no network, so every background service that would try to reach one is off.
 * Playwright gives each launch a fresh temporary profile (user data dir).
 */
import { existsSync } from "node:fs";

export const CHROMIUM_PATH = process.env.IGWASM_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set IGWASM_CHROMIUM): browser tests skipped`;
}
