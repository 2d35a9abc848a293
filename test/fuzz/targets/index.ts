import type { FuzzTarget } from '../outcome.js'
import { checkpointTarget } from './checkpoint.js'
import { conditionalTarget } from './conditional.js'
import { containerTarget } from './container.js'
import { gptqTarget } from './gptq.js'
import { huffmanTarget } from './huffman.js'
import { safetensorsTarget } from './safetensors.js'

/** Every target, with its share of a run's cases (file I/O and whole-container rebuilds cost more per case). */
export const TARGETS: readonly { target: FuzzTarget; weight: number }[] = [
  { target: safetensorsTarget, weight: 3 },
  { target: gptqTarget, weight: 3 },
  { target: checkpointTarget, weight: 1 },
  { target: huffmanTarget, weight: 3 },
  { target: conditionalTarget, weight: 3 },
  { target: containerTarget, weight: 2 },
]
