import { tf } from '@qchain/tensor/tfjs'

/**
 * Gradients of the kernels the @qchain/model forward and the loss run. tfjs-core keeps its own
 * gradient definitions only in its ES-module tree (extensionless imports, which Node cannot
 * load) and leaves them out of the CommonJS bundle @qchain/tensor loads, so without these
 * tf.variableGrads fails ("gradient function not found"). A kernel that already has a
 * gradient keeps it. Broadcasting binary ops sum the gradient back to each input's shape.
 */
export function registerTrainingGradients(): void {
  for (const config of GRADIENTS) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config)
}

type Dy = tf.Tensor | tf.Tensor[]
const one = (dy: Dy) => dy as tf.Tensor

/** Sums a broadcast result's gradient over the broadcast axes, back to the input's shape. */
function unbroadcast(gradient: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, gradient.shape)
  return tf.reshape(axes.length ? tf.sum(gradient, axes) : gradient, shape)
}

/** Swaps the last two axes (rows and columns of a matrix or of a batch of them). */
function swapLast(x: tf.Tensor): tf.Tensor {
  const axes = x.shape.map((_, axis) => axis)
  return tf.transpose(x, [...axes.slice(0, -2), x.rank - 1, x.rank - 2])
}

/** Keeps reduced axes as size 1, so the gradient broadcasts back over them. */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape)
  return tf.reshape(dy, x.shape.map((size, index) => (axes.includes(index) ? 1 : size)))
}

const GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(one(dy), a!.shape), b: () => unbroadcast(one(dy), b!.shape) }),
  },
  {
    kernelName: 'Sub',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(one(dy), a!.shape), b: () => unbroadcast(tf.neg(one(dy)), b!.shape) }),
  },
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(one(dy), tf.cast(b!, 'float32')), a!.shape),
      b: () => unbroadcast(tf.mul(one(dy), tf.cast(a!, 'float32')), b!.shape),
    }),
  },
  {
    kernelName: 'RealDiv',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.div(one(dy), b!), a!.shape),
      b: () => unbroadcast(tf.neg(tf.div(tf.mul(one(dy), a!), tf.square(b!))), b!.shape),
    }),
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(one(dy)) }) },
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(one(dy)) }) },
  { kernelName: 'Square', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(one(dy), tf.mul(x!, 2)) }) },
  // d/dx x^(-1/2) = -1/2 x^(-3/2)
  { kernelName: 'Rsqrt', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.neg(tf.div(one(dy), tf.mul(tf.pow(x!, 1.5), 2))) }) },
  // d sigmoid = y (1 - y)
  { kernelName: 'Sigmoid', outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.mul(one(dy), tf.mul(y!, tf.sub(1, y!))) }) },
  {
    // d softmax: y * (dy - sum(y * dy)) along the softmax axis
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const axis = attrs.dim as number
      return { logits: () => tf.mul(y!, tf.sub(one(dy), tf.sum(tf.mul(one(dy), y!), axis, true))) }
    },
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => tf.mul(expandReduced(one(dy), x!, attrs.axis as number[]), tf.onesLike(x!)) }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(attrs.axis as number[], x!.shape)
      const count = axes.reduce((product, axis) => product * (x!.shape[axis] as number), 1)
      return { x: () => tf.div(tf.mul(expandReduced(one(dy), x!, axes), tf.onesLike(x!)), count) }
    },
  },
  { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(one(dy), x!.shape) }) },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _saved, attrs) => {
      const perm = attrs.perm as number[]
      const inverse = perm.map((_, axis) => perm.indexOf(axis))
      return { x: () => tf.transpose(one(dy), inverse) }
    },
  },
  {
    // Transposes are made explicit: the wasm backend's fast matmul takes no transpose flags.
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => {
      const g = one(dy)
      const product = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D)
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean }
      if (!transposeA && !transposeB) return { a: () => product(g, swapLast(b!)), b: () => product(swapLast(a!), g) }
      if (!transposeA) return { a: () => product(g, b!), b: () => product(swapLast(g), a!) }
      if (!transposeB) return { a: () => product(b!, swapLast(g)), b: () => product(a!, g) }
      return { a: () => product(swapLast(b!), swapLast(g)), b: () => product(swapLast(g), swapLast(a!)) }
    },
  },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0]!.shape)[0] as number
      const parts = tf.split(one(dy), saved.map((input) => input.shape[axis] as number), axis)
      return Object.fromEntries(parts.map((part, index) => [index, () => part]))
    },
  },
  { kernelName: 'SplitV', gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(dy as tf.Tensor[], attrs.axis as number) }) },
  { kernelName: 'Unpack', gradFunc: (dy, _saved, attrs) => ({ value: () => tf.stack(dy as tf.Tensor[], attrs.axis as number) }) },
  {
    kernelName: 'Pack',
    gradFunc: (dy, _saved, attrs) => Object.fromEntries(tf.unstack(one(dy), attrs.axis as number).map((part, index) => [index, () => part])),
  },
  {
    // Row lookups (the embedding): each looked-up row's gradient is added to its row.
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, [x, indices], attrs) => {
      if (attrs.axis !== 0 || attrs.batchDims !== 0) throw new Error('GatherV2 gradient: only row lookups (axis 0, no batch dims) are supported')
      const rows = tf.reshape(one(dy), [indices!.size, ...x!.shape.slice(1)])
      return { x: () => tf.unsortedSegmentSum(rows, tf.reshape(indices!, [indices!.size]) as tf.Tensor1D, x!.shape[0] as number), indices: () => tf.zerosLike(indices!) }
    },
  },
]
