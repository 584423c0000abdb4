import { pbkdf2 } from 'node:crypto'

/**
 * Occupies every libuv pool thread with key derivation for a while, so that a task queued
 * right after this call cannot start before the current JavaScript turn ends. Resolves when
 * the pool is free again.
 */
export function busyPool(iterations: number): Promise<unknown[]> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? '4')
  return Promise.all(
    Array.from({ length: threads }, () => new Promise((resolve) => pbkdf2('p', 's', iterations, 32, 'sha256', resolve))),
  )
}
