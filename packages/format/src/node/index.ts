export { createContainerWriter, type ContainerFileWriter } from './file-writer.js'
export { openContainerFile, type ContainerFile } from './open-file.js'
export { readIntoSync, readRangeSync, readSpansSync, SectionScratch, type ReadSpace } from './section-file.js'
