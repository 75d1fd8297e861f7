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
 * releases the rest. The output is the same however the text is split into deltas. What is held back is bounded:
 * a look-ahead stops after {@link MAX_UNDECIDED} characters and decides with what it saw (a line of nothing but rule
 * characters that long is a rule, a link target that long is no link, a run of marks that long goes), so every
 * delta costs time in proportion to its length and a reply costs linear time whatever it holds.
 *
 * Layout: `voice/chars.ts` (character names, tables, predicates), `voice/scanner.ts` (the state and its moves),
 * `voice/line-start.ts`, `voice/inline.ts` and `voice/url.ts` (the rules); this file dispatches and streams.
 * @module
 */

import { CR, LF } from "./voice/chars.ts";
import { inline } from "./voice/inline.ts";
import { atLineStart } from "./voice/line-start.ts";
import { Scanner, URL_NONE } from "./voice/scanner.ts";
import { urlStep } from "./voice/url.ts";

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
  /** Characters held back, undecided, until the next delta: never more than {@link MAX_UNDECIDED}. */
  readonly undecided: number;
}

/** Decides the character at the position: false when it has to wait for the next delta. */
function step(t: Scanner): boolean {
  const c = t.text.charCodeAt(t.pos);
  if (c === CR) return t.drop(1);
  if (t.fenceInfo || t.skipLine) {
    if (c === LF) {
      t.fenceInfo = t.skipLine = false;
      t.lineStart = true;
      t.lineChecked = false;
    }
    return t.drop(1);
  }
  if (t.url !== URL_NONE) return urlStep(t, c);
  return t.lineStart ? atLineStart(t, c) : inline(t, c);
}

/** Scans what was held back and `delta`; returns what got decided. */
function scan(t: Scanner, delta: string, final: boolean): string {
  t.text = t.text.slice(t.pos) + delta;
  t.length = t.text.length;
  t.pos = 0;
  t.final = final;
  t.out = "";
  while (t.pos < t.length && step(t));
  const result = t.out;
  t.out = "";
  return result;
}

/**
 * Creates a streaming voice sanitizer (see the module documentation for what it removes and keeps).
 * @example
 * const voice = createVoiceSanitizer();
 * for await (const delta of model) send(voice.push(delta));
 * send(voice.flush());
 */
export function createVoiceSanitizer(options: VoiceSanitizerOptions = {}): VoiceSanitizer {
  const scanner = new Scanner(options.codeBlocks === "speak");
  return {
    push: (delta) => scan(scanner, delta, false),
    flush() {
      const result = scan(scanner, "", true);
      scanner.reset();
      return result;
    },
    get undecided() {
      return scanner.undecided;
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
