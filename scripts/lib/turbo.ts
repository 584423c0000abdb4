import { existsSync } from 'node:fs'
import { join } from 'node:path'

import { KIT_DIR } from './paths.js'

// The environment every turbo call runs with.
export function turboEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // turbo would otherwise try to send usage data: this project's machines reach no such host.
    TURBO_TELEMETRY_DISABLED: '1',
    // No interactive terminal UI: logs stay readable in CI and when piped.
    TURBO_UI: 'false',
  }
}

/**
 * turbo's filters for the addon's packages without the kit (whose tsc build takes no build
 * flags), and for the kit alone: none for the kit when packages/kit was replaced by the
 * published package.
 */
export function kitFilters(): { withoutKit: string[]; kitOnly: string[] } {
  const here = existsSync(join(KIT_DIR, 'package.json'))
  return { withoutKit: here ? ['--filter=!@napi-kit/cli'] : [], kitOnly: here ? ['--filter=@napi-kit/cli'] : [] }
}
