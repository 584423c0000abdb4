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
