// The same work, run on the main thread and in each worker thread: every export is used.
import { buildInfo, hash, hashAsync, Hasher } from '@napi-kit/hashkit'

import { ALGORITHMS, inputsFor } from './inputs.js'

export interface WorkloadResult {
  digests: string[]
  target: string
}

export async function runWorkload(): Promise<WorkloadResult> {
  const digests: string[] = []
  for (const algorithm of ALGORITHMS) {
    for (const [, input] of inputsFor()) {
      digests.push(hash(input, { algorithm, seed: 11n }))
      digests.push(await hashAsync(input, { algorithm }))
      const hasher = new Hasher({ algorithm })
      hasher.update(input).update(input)
      digests.push(hasher.digest())
    }
  }
  return { digests, target: buildInfo().target }
}
