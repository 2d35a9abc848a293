import { BOS_ID, SPACE_MARKER, SPECIAL_TOKENS } from './vocabulary.js'

/**
 * A standard Hugging Face tokenizer.json for a character vocabulary, in the layout of a
 * Llama SentencePiece tokenizer: spaces become the marker (plus one before the text), a BPE
 * model with no merges maps each character to its id, unknown characters fuse into one
 * <unk>, and <s> starts every encoding. Decoding turns markers back into spaces and drops
 * the leading one.
 */
export function tokenizerJson(vocabulary: readonly string[]): object {
  const special = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })
  const bos = SPECIAL_TOKENS[BOS_ID]
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => special(content, id)),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: SPACE_MARKER },
        { type: 'Replace', pattern: { String: ' ' }, content: SPACE_MARKER },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }],
      special_tokens: { [bos]: { id: bos, ids: [BOS_ID], tokens: [bos] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE_MARKER }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: SPECIAL_TOKENS[0],
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocabulary.map((token, id) => [token, id])),
      merges: [],
    },
  }
}

/**
 * tokenizer_config.json: without it the JS tokenizer "cleans up" decoded text (" ," -> ","),
 * which would break the encode/decode round trip.
 */
export function tokenizerConfigJson(maxLength: number): object {
  const [unk, bos, eos] = SPECIAL_TOKENS
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: bos,
    eos_token: eos,
    unk_token: unk,
    model_max_length: maxLength,
    clean_up_tokenization_spaces: false,
  }
}
