/** Which group each column belongs to, in processing order and in the original order. */
export interface GroupLayout {
  groups: number
  /** Columns per group (in_features for group size -1); the last group may be partial. */
  width: number
  /** Group of the column processed at position p (act-order permutes the processing order). */
  groupAt: Int32Array
  /** Group of each original column: the checkpoint's g_idx. */
  gIdx: Int32Array
}

/**
 * Dynamic groups are consecutive runs of the processing order, so with act-order they are
 * scattered in the original order; static groups are fixed runs of the original order.
 */
export function groupLayout(cols: number, groupSize: number, order: Int32Array, staticGroups: boolean): GroupLayout {
  const width = groupSize === -1 ? cols : groupSize
  const groupAt = new Int32Array(cols)
  const gIdx = new Int32Array(cols)
  for (let p = 0; p < cols; p++) {
    const column = order[p] as number
    const group = Math.floor((staticGroups ? column : p) / width)
    groupAt[p] = group
    gIdx[column] = group
  }
  return { groups: Math.ceil(cols / width), width, groupAt, gIdx }
}
