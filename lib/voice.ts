/**
 * Voice-safe text: a streaming sanitizer that removes what a text-to-speech engine would read aloud wrongly.
 *
 * What it does, and the choices where Markdown is ambiguous:
 * - Markdown marks go, their words stay: headings (`## Title` → "Title"), bold, italic and strikethrough marks,
 *   inline code backticks (the code's words are spoken), list markers at line starts (`-`, `*`, `+`, `•`, `1.`,
 *   `1)`), blockquote `>`, link syntax (`[text](url)` → "text", images `![alt](url)` → "alt"), table pipes
 *   (leading and trailing pipes dropped, inner ones become commas), and whole lines that are only rules or table
 *   separators (`---`, `***`, `|---|:--:|`, setext `===`).
 * - Code blocks: the fences and their language tag always go; the code inside is omitted by default (read aloud,
 *   `const x = await fetch(url);` is noise), or spoken as text with `codeBlocks: "speak"`.
 * - Emoji go: `\p{Extended_Pictographic}` (which also covers ©, ® and ™) with their skin tones, variation selectors,
 *   keycaps, tags, flags, and the zero-width joiners between them (a joiner elsewhere, as in Indic scripts, stays).
 * - URLs are spoken as their domain: `https://www.example.com/a?b=1` → "example.com"; a sentence's final
 *   punctuation after a URL stays.
 * - Asterisks go, except in arithmetic: between digits (`3*4`, `2**10`) or alone between spaced operands of which
 *   one is a digit or a parenthesis (`3 * 4`, `(a + b) * 2`), where they stay for the engine to read as "times".
 *   Underscores stay inside words (`snake_case`), single tildes stay (`~5 minutes`).
 * - Everything else passes through unchanged: punctuation, numbers, apostrophes, non-Latin scripts. Runs of spaces
 *   that removals leave behind collapse to one, and leading spaces of a line go.
 *
 * Streaming: {@link VoiceSanitizer.push} returns at once all it can decide and holds back only an undecided tail
 * (a trailing `*`, `_`, `~` or `!`, a `]` that may open a link target, a line start that may be a rule, a partial
 * `http`, half a surrogate pair), released as soon as the next delta decides it; {@link VoiceSanitizer.flush}
 * releases the rest. The output is the same however the text is split into deltas.
 * @module
 */

/** Options of {@link createVoiceSanitizer}. */
export interface VoiceSanitizerOptions {
  /** What becomes of the code inside fenced code blocks. @default "omit" */
  codeBlocks?: "omit" | "speak";
}

/** A streaming sanitizer: feed it each delta in order, then flush it once at the end of the text. */
export interface VoiceSanitizer {
  /** Sanitizes a delta; returns what is decided so far (possibly ""). */
  push(delta: string): string;
  /** Releases what was held back, and resets the sanitizer for a new text. */
  flush(): string;
}

const LF = 10, CR = 13, TAB = 9, SP = 32, BANG = 33, QUOTE = 34, HASH = 35, APOS = 39, LPAREN = 40, RPAREN = 41;
const STAR = 42, PLUS = 43, COMMA = 44, DASH = 45, DOT = 46, SLASH = 47, ZERO = 48, NINE = 57, COLON = 58;
const SEMI = 59, LT = 60, EQ = 61, GT = 62, QUESTION = 63, AT = 64, LBRACKET = 91, RBRACKET = 93, UNDERSCORE = 95;
const BACKTICK = 96, PIPE = 124, TILDE = 126, BULLET = 0x2022, ZWJ = 0x200d;
const END = -1;
/** Longest link target looked ahead for (`[text](target)`); a longer one is not taken for a link. */
const MAX_LINK_TARGET = 2048;

const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/** ASCII characters that `inline()` emits as they are, with no look-ahead: 1 in this table. */
const PLAIN = new Uint8Array(128);
for (let c = 33; c < 127; c++) PLAIN[c] = 1;
for (const c of [STAR, UNDERSCORE, TILDE, BACKTICK, LBRACKET, RBRACKET, BANG, PIPE, LT, 104, 72, 119, 87]) PLAIN[c] = 0;

const isSpace = (c: number) => c === SP || c === TAB;
const isBreak = (c: number) => c === LF || c === CR;
const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isAsciiAlnum = (c: number) => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 122);
const isSurrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
const isWordChar = (c: number) =>
  isAsciiAlnum(c) || (c >= 0x80 && !isSurrogate(c) && LETTER_OR_NUMBER.test(String.fromCharCode(c)));
const isHostChar = (c: number) => isWordChar(c) || c === DASH || c === DOT;
/** Characters of a line that is only a rule or a table separator. */
const isRuleChar = (c: number) =>
  c === DASH || c === STAR || c === UNDERSCORE || c === EQ || c === PIPE || c === COLON || c === PLUS ||
  isSpace(c) || c === CR;
/** Punctuation that ends a sentence rather than a URL when whitespace follows it. */
const isTrailingPunctuation = (c: number) =>
  c === DOT || c === COMMA || c === COLON || c === SEMI || c === BANG || c === QUESTION || c === APOS ||
  c === QUOTE || c === STAR || c === UNDERSCORE || c === TILDE;

function isEmojiPart(cp: number): boolean {
  if (cp === 0xfe0f || cp === 0xfe0e || cp === 0x20e3) return true; // variation selectors, keycap
  if (cp >= 0x1f3fb && cp <= 0x1f3ff) return true; // skin tones
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return true; // regional indicators (flags)
  if (cp >= 0xe0020 && cp <= 0xe007f) return true; // tags (subdivision flags)
  // Extended_Pictographic lies in these ranges only: skip the regex for every other script.
  if (cp === 0xa9 || cp === 0xae || (cp >= 0x2000 && cp <= 0x32ff) || cp >= 0x1f000) {
    return EXTENDED_PICTOGRAPHIC.test(String.fromCodePoint(cp));
  }
  return false;
}

const URL_NONE = 0, URL_HOST = 1, URL_PATH = 2;

/**
 * Creates a streaming voice sanitizer (see the module documentation for what it removes and keeps).
 * @example
 * const voice = createVoiceSanitizer();
 * for await (const delta of model) send(voice.push(delta));
 * send(voice.flush());
 */
export function createVoiceSanitizer(options: VoiceSanitizerOptions = {}): VoiceSanitizer {
  const speakCode = options.codeBlocks === "speak";

  // The text being scanned: what was held back plus the new delta.
  let s = "";
  let n = 0;
  let i = 0;
  let final = false;
  let out = "";

  // State carried across deltas.
  let lineStart = true;
  let lineChecked = false;
  let fence = 0;
  let fenceChar = 0;
  let fenceInfo = false;
  let skipLine = false;
  let url = URL_NONE;
  let hostStart = false;
  let urlParen = 0;
  let urlAngle = false;
  let brackets = 0;
  let prev = LF;
  let prevNonSpace = LF;
  let emoji = false;
  let last = 0;

  function reset() {
    lineStart = true;
    lineChecked = false;
    fence = fenceChar = urlParen = brackets = last = 0;
    fenceInfo = skipLine = hostStart = urlAngle = emoji = false;
    url = URL_NONE;
    prev = prevNonSpace = LF;
  }

  const code = (j: number) => (j < n ? s.charCodeAt(j) : END);
  /** Whether deciding about position `j` has to wait for the next delta. */
  const waits = (j: number) => j >= n && !final;

  function advance(k: number) {
    for (const end = i + k; i < end; i++) {
      prev = s.charCodeAt(i);
      if (!isSpace(prev)) prevNonSpace = prev;
    }
    emoji = false;
  }
  function emit(text: string) {
    out += text;
    last = text.charCodeAt(text.length - 1);
  }
  function emitRaw(k: number) {
    emit(s.slice(i, i + k));
    advance(k);
    return true;
  }
  function drop(k: number) {
    advance(k);
    return true;
  }
  function runEnd(j: number, c: number) {
    while (j < n && s.charCodeAt(j) === c) j++;
    return j;
  }
  function newline() {
    if (last !== 0) emit("\n");
    advance(1);
    lineStart = true;
    lineChecked = false;
    brackets = 0;
    return true;
  }

  /** `http://` or `https://` at `j`: its length, 0 when absent, -1 when the next delta must tell. */
  function scheme(j: number): number {
    const http = "http";
    let k = 0;
    for (; k < 4; k++) {
      if (waits(j + k)) return -1;
      if ((code(j + k) | 32) !== http.charCodeAt(k)) return 0;
    }
    if (waits(j + k)) return -1;
    if ((code(j + k) | 32) === 115) k++; // s
    for (const c of [COLON, SLASH, SLASH]) {
      if (waits(j + k)) return -1;
      if (code(j + k) !== c) return 0;
      k++;
    }
    return k;
  }

  /** `www.` followed by a host character at `j`: 4, 0 when absent, -1 when the next delta must tell. */
  function www(j: number): number {
    for (let k = 0; k < 4; k++) {
      if (waits(j + k)) return -1;
      if ((code(j + k) | (k < 3 ? 32 : 0)) !== (k < 3 ? 119 : DOT)) return 0;
    }
    if (waits(j + 4)) return -1;
    return isHostChar(code(j + 4)) ? 4 : 0;
  }

  /** Whether the punctuation run at `j` ends a URL (whitespace or the end follows); null: wait. */
  function punctuationEndsUrl(j: number): boolean | null {
    while (j < n && isTrailingPunctuation(s.charCodeAt(j))) j++;
    if (waits(j)) return null;
    const c = code(j);
    return c === END || isSpace(c) || isBreak(c) || c === LT || c === GT || c === RPAREN || c === RBRACKET;
  }

  function endUrl(c: number) {
    if (urlAngle && c === GT) advance(1);
    url = URL_NONE;
    urlAngle = false;
    urlParen = 0;
    return true;
  }

  function urlStep(c: number): boolean {
    if (url === URL_HOST) {
      if (hostStart) {
        const w = www(i);
        if (w < 0) return false;
        hostStart = false;
        if (w > 0) return drop(w);
      }
      if (isHostChar(c)) return emitRaw(1);
      if (c === QUESTION || c === COLON) {
        const ends = punctuationEndsUrl(i);
        if (ends === null) return false;
        if (ends) return endUrl(c);
      }
      if (c === SLASH || c === QUESTION || c === HASH || c === COLON) {
        url = URL_PATH;
        return drop(1);
      }
      return endUrl(c);
    }
    if (c === LPAREN) {
      urlParen++;
      return drop(1);
    }
    if (c === RPAREN) {
      if (urlParen === 0) return endUrl(c);
      urlParen--;
      return drop(1);
    }
    if (isTrailingPunctuation(c)) {
      const ends = punctuationEndsUrl(i);
      if (ends === null) return false;
      return ends ? endUrl(c) : drop(1);
    }
    if (isSpace(c) || isBreak(c) || c === LT || c === GT || c === BACKTICK || c === RBRACKET) return endUrl(c);
    return drop(1);
  }

  /** At a word start: a URL that begins here; false: wait; null: no URL. */
  function urlStart(c: number): boolean | null {
    if (isWordChar(prev) || prev === DOT || prev === SLASH || prev === AT || prev === DASH || prev === UNDERSCORE) {
      return null;
    }
    const k = (c | 32) === 104 ? scheme(i) : www(i);
    if (k < 0) return false;
    if (k === 0) return null;
    url = URL_HOST;
    hostStart = (c | 32) === 104;
    return drop(k);
  }

  function stars(): boolean {
    const j = runEnd(i, STAR);
    if (waits(j)) return false;
    const length = j - i;
    const next = code(j);
    if (isDigit(prev) && isDigit(next)) return emitRaw(length);
    if (length === 1 && isSpace(prev) && isSpace(next)) {
      let k = j;
      while (k < n && isSpace(s.charCodeAt(k))) k++;
      if (waits(k)) return false;
      const after = code(k);
      const operand = (c: number) => isAsciiAlnum(c) || c === LPAREN || c === RPAREN;
      const numeric = (c: number) => isDigit(c) || c === LPAREN || c === RPAREN;
      if (operand(prevNonSpace) && operand(after) && (numeric(prevNonSpace) || numeric(after))) return emitRaw(1);
    }
    return drop(length);
  }

  function underscores(): boolean {
    if (!isWordChar(prev)) return drop(1);
    const j = runEnd(i, UNDERSCORE);
    if (waits(j)) return false;
    return isWordChar(code(j)) ? emitRaw(j - i) : drop(j - i);
  }

  function closeBracket(): boolean {
    if (brackets === 0) return drop(1);
    if (waits(i + 1)) return false;
    if (code(i + 1) === LPAREN) {
      let depth = 0;
      for (let j = i + 2;; j++) {
        if (j - i > MAX_LINK_TARGET) break;
        if (waits(j)) return false;
        const c = code(j);
        if (c === END || isSpace(c) || isBreak(c) || c === LT) break;
        if (c === LPAREN) depth++;
        else if (c === RPAREN && depth-- === 0) {
          brackets--;
          return drop(j + 1 - i);
        }
      }
    }
    brackets--;
    return drop(1);
  }

  function pipe(): boolean {
    let j = i + 1;
    while (j < n && isSpace(s.charCodeAt(j))) j++;
    if (waits(j)) return false;
    const c = code(j);
    if (c === END || isBreak(c)) return drop(1);
    emit(",");
    return drop(1);
  }

  function symbol(c: number): boolean {
    let cp = c;
    let length = 1;
    if (c >= 0xd800 && c <= 0xdbff) {
      if (waits(i + 1)) return false;
      const low = code(i + 1);
      if (low < 0xdc00 || low > 0xdfff) return drop(1);
      cp = (c - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
      length = 2;
    } else if (isSurrogate(c)) {
      return drop(1);
    }
    if (isEmojiPart(cp) || (cp === ZWJ && emoji)) {
      advance(length);
      emoji = true;
      return true;
    }
    if (cp === BULLET) return drop(1);
    return emitRaw(length);
  }

  /**
   * Emits, in one slice, the run from `i` of characters that need no decision: plain ASCII, single spaces, and
   * `h`/`w` inside a word (where no URL can start). The hot path: most of a reply is such runs.
   */
  function plainRun(): boolean {
    let j = i + 1;
    for (; j < n; j++) {
      const d = s.charCodeAt(j);
      if (d < 128 && PLAIN[d] === 1) continue;
      const before = s.charCodeAt(j - 1);
      if (d === SP && before !== SP) continue;
      const hw = (d | 32) === 104 || (d | 32) === 119;
      if (hw && (isAsciiAlnum(before) || before === DOT || before === SLASH || before === AT || before === DASH)) continue;
      break;
    }
    return emitRaw(j - i);
  }

  function inline(c: number): boolean {
    switch (c) {
      case LF:
        return newline();
      case SP:
      case TAB:
        if (last !== 0 && !isSpace(last) && last !== LF) emit(String.fromCharCode(c));
        return drop(1);
      case STAR:
        return stars();
      case UNDERSCORE:
        return underscores();
      case TILDE: {
        const j = runEnd(i, TILDE);
        if (waits(j)) return false;
        return j - i === 1 ? emitRaw(1) : drop(j - i);
      }
      case BACKTICK:
        return drop(1);
      case LBRACKET:
        brackets++;
        return drop(1);
      case RBRACKET:
        return closeBracket();
      case BANG:
        if (waits(i + 1)) return false;
        return code(i + 1) === LBRACKET ? drop(1) : emitRaw(1);
      case PIPE:
        return pipe();
      case LT: {
        const k = scheme(i + 1);
        if (k < 0) return false;
        if (k === 0) return emitRaw(1);
        urlAngle = true;
        return drop(1);
      }
      case 104: // h
      case 72: // H
      case 119: // w
      case 87: { // W
        const started = urlStart(c);
        if (started !== null) return started;
        return plainRun();
      }
    }
    if (c < 128 && PLAIN[c] === 1) return plainRun();
    return c >= 0xa9 ? symbol(c) : emitRaw(1);
  }

  /** The start of a line: indentation, code fences, rules, headings, quotes, list markers, leading pipes. */
  function atLineStart(c: number): boolean {
    if (isSpace(c)) return drop(1);
    if (c === LF) return newline();
    if (fence) {
      if (c === fenceChar) {
        const j = runEnd(i, c);
        if (waits(j)) return false;
        if (j - i >= fence) {
          let k = j;
          while (k < n && isSpace(s.charCodeAt(k))) k++;
          if (waits(k)) return false;
          if (k >= n || isBreak(code(k))) {
            fence = 0;
            skipLine = true; // the closing fence's line, with its line break
            return drop(k - i);
          }
        }
      }
      if (!speakCode) {
        skipLine = true;
        return true;
      }
      lineStart = false;
      return inline(c);
    }
    if (c === BACKTICK || c === TILDE) {
      const j = runEnd(i, c);
      if (waits(j)) return false;
      if (j - i >= 3) {
        fence = j - i;
        fenceChar = c;
        fenceInfo = true;
        return drop(j - i);
      }
    }
    if (!lineChecked && isRuleChar(c)) {
      let j = i;
      while (j < n && isRuleChar(s.charCodeAt(j))) j++;
      if (waits(j)) return false;
      if (j >= n || code(j) === LF) {
        skipLine = true;
        return drop(j - i);
      }
      lineChecked = true;
    }
    switch (c) {
      case HASH: {
        const j = runEnd(i, HASH);
        if (waits(j)) return false;
        const next = code(j);
        if (j - i <= 6 && (next === END || isSpace(next) || isBreak(next))) {
          lineStart = false;
          return drop(j - i);
        }
        break;
      }
      case GT:
        lineChecked = true;
        return drop(1);
      case DASH:
      case STAR:
      case PLUS:
      case BULLET: {
        if (waits(i + 1)) return false;
        const next = code(i + 1);
        if (isSpace(next) || (c === BULLET && (next === END || isBreak(next)))) {
          lineStart = false;
          return drop(1);
        }
        break;
      }
      case PIPE:
        lineStart = false;
        return drop(1);
      default:
        if (isDigit(c)) {
          let j = i;
          while (j < n && j - i < 10 && isDigit(s.charCodeAt(j))) j++;
          if (waits(j)) return false;
          const mark = code(j);
          if (j - i < 10 && (mark === DOT || mark === RPAREN)) {
            if (waits(j + 1)) return false;
            if (isSpace(code(j + 1))) {
              lineStart = false;
              return drop(j + 1 - i);
            }
          }
        }
    }
    lineStart = false;
    return inline(c);
  }

  function step(): boolean {
    const c = s.charCodeAt(i);
    if (c === CR) return drop(1);
    if (fenceInfo || skipLine) {
      if (c === LF) {
        fenceInfo = skipLine = false;
        lineStart = true;
        lineChecked = false;
      }
      return drop(1);
    }
    if (url !== URL_NONE) return urlStep(c);
    return lineStart ? atLineStart(c) : inline(c);
  }

  function run(delta: string, isFinal: boolean): string {
    s = s.slice(i) + delta;
    n = s.length;
    i = 0;
    final = isFinal;
    out = "";
    while (i < n && step());
    const result = out;
    out = "";
    return result;
  }

  return {
    push: (delta) => run(delta, false),
    flush() {
      const result = run("", true);
      s = "";
      n = i = 0;
      reset();
      return result;
    },
  };
}

/**
 * Sanitizes a whole text at once (a welcome message, a stored reply).
 * @example
 * sanitizeForVoice("**Hi!** 👋 See https://example.com/docs."); // "Hi! See example.com."
 */
export function sanitizeForVoice(text: string, options?: VoiceSanitizerOptions): string {
  const sanitizer = createVoiceSanitizer(options);
  return sanitizer.push(text) + sanitizer.flush();
}
