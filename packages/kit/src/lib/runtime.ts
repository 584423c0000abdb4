// Facts about the Node.js process the kit runs in.

let runtimeGlibcVersion: { version?: string } | undefined

/**
 * The glibc version this Node.js process runs on (from its diagnostic report, read once), or
 * undefined on musl and on other operating systems.
 */
export function runtimeGlibc(): string | undefined {
  runtimeGlibcVersion ??= {
    version: process.platform === 'linux' ? (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime : undefined,
  }
  return runtimeGlibcVersion.version
}
