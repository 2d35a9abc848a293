/**
 * File names in a level are relative paths ('config.json', 'original/params.json') that a
 * rebuild writes under one folder, so they may not climb out of it or hide in odd bytes.
 */
export function isSafeFileName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f]/.test(name) || name.startsWith('/')) return false
  return name.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
}
