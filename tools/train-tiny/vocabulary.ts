/** Ids 0-2 follow the Llama convention; the word-boundary marker comes next, then characters. */
export const SPECIAL_TOKENS = ['<unk>', '<s>', '</s>'] as const
export const BOS_ID = 1
export const EOS_ID = 2
/** SentencePiece's word-boundary marker: the tokenizer writes every space as this symbol. */
export const SPACE_MARKER = '\u2581'

/** Latin letters, digits, punctuation and symbols; other scripts and control characters become <unk>. */
const KEPT_CHARACTER = /^[\p{Script=Latin}\p{N}\p{P}\p{S}]$/u

/**
 * The character vocabulary: specials, the space marker, then the most frequent kept characters
 * of the training text (ties by code point, so the list depends on the text alone) up to `size`.
 */
export function buildVocabulary(texts: Iterable<string>, size: number): string[] {
  const counts = new Map<string, number>()
  for (const text of texts) {
    for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1)
  }
  const ranked = [...counts]
    .filter(([character]) => character !== ' ' && character !== '\ufffd' && KEPT_CHARACTER.test(character))
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
    .map(([character]) => character)
  const fixed = [...SPECIAL_TOKENS, SPACE_MARKER]
  const characters = ranked.slice(0, size - fixed.length)
  if (characters.length < size - fixed.length) throw new Error(`the text has only ${ranked.length} distinct kept characters, too few for a vocabulary of ${size}`)
  return [...fixed, ...characters]
}
