export { openFileSource, type FileSource } from './file-source.js'
export { writeAll, writeFileAtomically } from './atomic-write.js'
export { writeSafetensorsFile } from './write.js'
export { openSafetensorsFolder, type FolderTensor, type SafetensorsFolder } from './folder.js'
