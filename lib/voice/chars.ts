/**
 * The character tables and predicates of the voice sanitizer: UTF-16 code units by name, and what each kind of
 * character is to the sanitizer. No state here; the state machine is in `scanner.ts` and the modules beside it.
 * @module
 */

/** Code units the sanitizer decides on, by name. */
export const TAB = 0x09, LF = 0x0a, CR = 0x0d, SP = 0x20;
export const BANG = 0x21, QUOTE = 0x22, HASH = 0x23, APOS = 0x27, LPAREN = 0x28, RPAREN = 0x29, STAR = 0x2a;
export const PLUS = 0x2b, COMMA = 0x2c, DASH = 0x2d, DOT = 0x2e, SLASH = 0x2f, ZERO = 0x30, NINE = 0x39;
export const COLON = 0x3a, SEMI = 0x3b, LT = 0x3c, EQ = 0x3d, GT = 0x3e, QUESTION = 0x3f, AT = 0x40;
export const LBRACKET = 0x5b, RBRACKET = 0x5d, UNDERSCORE = 0x5f, BACKTICK = 0x60, PIPE = 0x7c, TILDE = 0x7e;
export const UPPER_H = 0x48, UPPER_W = 0x57, LOWER_H = 0x68, LOWER_S = 0x73, LOWER_W = 0x77;
export const COPYRIGHT = 0xa9, REGISTERED = 0xae, ZWJ = 0x200d, BULLET = 0x2022;
export const HIGH_SURROGATE = 0xd800, LOW_SURROGATE = 0xdc00, LAST_HIGH_SURROGATE = 0xdbff;
export const LAST_SURROGATE = 0xdfff;
/** What `Scanner.code()` answers past the end of the text. */
export const END = -1;

/** ASCII lower case of a letter (other characters come out changed, but never as a letter they were not). */
export const lower = (c: number): number => c | 0x20;

const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/**
 * ASCII characters that are emitted as they are, with no look-ahead, wherever they stand inside a line: 1 in this
 * table. The others open a mark (`*`, `_`, `~`, `` ` ``, `[`, `]`, `!`, `|`), an autolink (`<`) or may start a URL
 * (`h`, `w`).
 */
export const PLAIN: Uint8Array = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) PLAIN[c] = 1;
for (
  const c of [STAR, UNDERSCORE, TILDE, BACKTICK, LBRACKET, RBRACKET, BANG, PIPE, LT, LOWER_H, UPPER_H, LOWER_W, UPPER_W]
) {
  PLAIN[c] = 0;
}

/** Whether `c` is in {@link PLAIN}. */
export const isPlain = (c: number): boolean => c < 0x80 && PLAIN[c] === 1;
/** A space or a tab. */
export const isSpace = (c: number): boolean => c === SP || c === TAB;
/** A line feed or a carriage return. */
export const isBreak = (c: number): boolean => c === LF || c === CR;
/** An ASCII digit. */
export const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
/** An ASCII letter or digit. */
export const isAsciiAlnum = (c: number): boolean => isDigit(c) || (lower(c) >= 0x61 && lower(c) <= 0x7a);
/** Half of a surrogate pair, either half. */
export const isSurrogate = (c: number): boolean => c >= HIGH_SURROGATE && c <= LAST_SURROGATE;
/** The first half of a surrogate pair. */
export const isHighSurrogate = (c: number): boolean => c >= HIGH_SURROGATE && c <= LAST_HIGH_SURROGATE;
/** The second half of a surrogate pair. */
export const isLowSurrogate = (c: number): boolean => c >= LOW_SURROGATE && c <= LAST_SURROGATE;
/** A letter or a digit of any script. */
export const isWordChar = (c: number): boolean =>
  isAsciiAlnum(c) || (c >= 0x80 && !isSurrogate(c) && LETTER_OR_NUMBER.test(String.fromCharCode(c)));
/** A character of a host name. */
export const isHostChar = (c: number): boolean => isWordChar(c) || c === DASH || c === DOT;
/** Characters after which no URL starts (the `h` of `whttp`, the `w` of `a.www`): `h` and `w` stay plain there. */
export const continuesWord = (c: number): boolean =>
  isWordChar(c) || c === DOT || c === SLASH || c === AT || c === DASH || c === UNDERSCORE;
/** Characters of a line that is only a rule or a table separator. */
export const isRuleChar = (c: number): boolean =>
  c === DASH || c === STAR || c === UNDERSCORE || c === EQ || c === PIPE || c === COLON || c === PLUS ||
  isSpace(c) || c === CR;
/** Punctuation that ends a sentence rather than a URL when whitespace follows it. */
export const isTrailingPunctuation = (c: number): boolean =>
  c === DOT || c === COMMA || c === COLON || c === SEMI || c === BANG || c === QUESTION || c === APOS ||
  c === QUOTE || c === STAR || c === UNDERSCORE || c === TILDE;
/** What, after a run of {@link isTrailingPunctuation}, makes the run end a sentence rather than a URL. */
export const endsUrlAfterPunctuation = (c: number): boolean =>
  c === END || isSpace(c) || isBreak(c) || c === LT || c === GT || c === RPAREN || c === RBRACKET;
/** An operand of arithmetic around a spaced `*`. */
export const isOperand = (c: number): boolean => isAsciiAlnum(c) || c === LPAREN || c === RPAREN;
/** An operand that makes a spaced `*` arithmetic: a digit or a parenthesis. */
export const isNumericOperand = (c: number): boolean => isDigit(c) || c === LPAREN || c === RPAREN;

/** The code point of a surrogate pair. */
export const codePoint = (high: number, low: number): number =>
  (high - HIGH_SURROGATE) * 0x400 + (low - LOW_SURROGATE) + 0x10000;

/** Whether a code point is, or belongs to, an emoji: pictographs, skin tones, flags, keycaps, tags, selectors. */
export function isEmojiPart(cp: number): boolean {
  if (cp === 0xfe0f || cp === 0xfe0e || cp === 0x20e3) return true; // variation selectors, keycap
  if (cp >= 0x1f3fb && cp <= 0x1f3ff) return true; // skin tones
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return true; // regional indicators (flags)
  if (cp >= 0xe0020 && cp <= 0xe007f) return true; // tags (subdivision flags)
  // Extended_Pictographic lies in these ranges only: skip the regex for every other script.
  if (cp === COPYRIGHT || cp === REGISTERED || (cp >= 0x2000 && cp <= 0x32ff) || cp >= 0x1f000) {
    return EXTENDED_PICTOGRAPHIC.test(String.fromCodePoint(cp));
  }
  return false;
}
