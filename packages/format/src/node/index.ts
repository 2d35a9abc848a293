export { createContainerWriter, type ContainerFileWriter } from './file-writer.js'
export { openContainerFile, type ContainerFile } from './open-file.js'
export { readRangeSync, readSpansSync } from './section-file.js'
