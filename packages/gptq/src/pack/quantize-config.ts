import { resolveGptqOptions, type GptqOptions } from '../options.js'
import type { CheckpointFormat } from './checkpoint.js'

/** quantize_config.json of an AutoGPTQ / GPTQModel checkpoint. */
export interface QuantizeConfigJson {
  bits: number
  group_size: number
  damp_percent: number
  desc_act: boolean
  static_groups: boolean
  sym: boolean
  true_sequential: boolean
  quant_method: 'gptq'
  checkpoint_format: CheckpointFormat
}

export interface QuantizeConfigOptions extends Pick<GptqOptions, 'bits' | 'groupSize' | 'sym' | 'actOrder' | 'staticGroups' | 'dampPercent'> {
  /** Quantize the sublayers of a block in order, each on inputs from the already quantized ones. Default true. */
  trueSequential?: boolean
  checkpointFormat?: CheckpointFormat
}

/** Same defaults as gptqQuantize, so the config describes what it did. */
export function quantizeConfig(options: QuantizeConfigOptions): QuantizeConfigJson {
  const settings = resolveGptqOptions(options)
  return {
    bits: settings.bits,
    group_size: settings.groupSize,
    damp_percent: settings.dampPercent,
    desc_act: settings.actOrder,
    static_groups: settings.staticGroups,
    sym: settings.sym,
    true_sequential: options.trueSequential ?? true,
    quant_method: 'gptq',
    checkpoint_format: options.checkpointFormat ?? 'gptq',
  }
}
