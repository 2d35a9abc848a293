import { gridParams, type GridSpec } from './grid.js'
import type { GroupLayout } from './groups.js'

/** Scales and zero points of every (group, row), laid out [groups, rows] like the checkpoint. */
export class GroupParams {
  readonly scales: Float32Array
  readonly scaleBits: Uint16Array
  readonly zeros: Uint16Array
  private readonly groups: number
  private readonly width: number

  constructor(
    layout: GroupLayout,
    private readonly rows: number,
    private readonly cols: number,
    readonly spec: GridSpec,
  ) {
    this.groups = layout.groups
    this.width = layout.width
    this.scales = new Float32Array(this.groups * rows)
    this.scaleBits = new Uint16Array(this.groups * rows)
    this.zeros = new Uint16Array(this.groups * rows)
  }

  /**
   * Fits group g row by row to its columns, read from `values` as value(r, c) =
   * values[offset + r * rowStride + c * columnStride] for c counted from the group's first column.
   */
  fit(group: number, values: Float32Array, rowStride: number, columnStride: number, offset = 0): void {
    const width = Math.min(this.width, this.cols - group * this.width)
    for (let r = 0; r < this.rows; r++) {
      let min = Infinity
      let max = -Infinity
      for (let c = 0; c < width; c++) {
        const value = values[offset + r * rowStride + c * columnStride] as number
        if (value < min) min = value
        if (value > max) max = value
      }
      const params = gridParams(min, max, this.spec)
      const at = group * this.rows + r
      this.scales[at] = params.scale
      this.scaleBits[at] = params.scaleBits
      this.zeros[at] = params.zero
    }
  }

  /** Fits every group to a row-major [rows, cols] weight. */
  fitAll(weight: Float32Array): void {
    for (let g = 0; g < this.groups; g++) this.fit(g, weight, this.cols, 1, g * this.width)
  }
}
