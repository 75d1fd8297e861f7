/**
 * The voice sanitizer's state: the text being scanned, the position reached, what the line, the fence, the link and
 * the URL being read are, and the few moves every rule makes (emit, drop, wait for the next delta).
 * @module
 */
import { END, isSpace, LF } from "./chars.ts";

/**
 * Most characters the sanitizer holds back undecided. A look-ahead that reaches this far from the position being
 * decided stops there and decides with what it saw (a line of rule characters this long is a rule, a run of marks
 * this long is dropped, a link target this long is no link), the same way however the text is split: so a delta
 * costs time in proportion to its length plus at most this many characters, and a reply costs linear time.
 */
export const MAX_UNDECIDED = 512;

/** Where a URL being read is: not in one, in its host (spoken), or after it (dropped). */
export const URL_NONE = 0, URL_HOST = 1, URL_PATH = 2;

/** The state of one sanitizer, and its moves. Each `step` function of the modules beside it takes one. */
export class Scanner {
  /** Whether code inside fenced blocks is spoken. */
  readonly speakCode: boolean;

  /** What was held back plus the new delta. */
  text = "";
  /** `text.length`. */
  length = 0;
  /** The position being decided. */
  pos = 0;
  /** Whether no delta follows (`flush()`): the end of `text` is the end of the reply. */
  final = false;
  /** What was decided during this delta. */
  out = "";

  /** The last code unit emitted, 0 before any. */
  lastOut = 0;
  /** The code unit before `pos`, and the last one that was not a space. */
  prev = LF;
  prevNonSpace = LF;
  /** Whether the last character dropped was part of an emoji (a joiner after it is dropped too). */
  emoji = false;

  /** At a line start (indentation, markers and fences are decided here). */
  lineStart = true;
  /** Whether this line was already found to be no rule. */
  lineChecked = false;
  /** Dropping the rest of the line (a rule, a fence's line, or a line of omitted code). */
  skipLine = false;
  /** `[` opened on this line and not closed yet. */
  brackets = 0;
  /** How far past its `]` a link target waiting for the next delta was read (0: none), and its open parentheses. */
  targetScanned = 0;
  targetDepth = 0;

  /** Length of the open code fence's marker, 0 outside code blocks. */
  fence = 0;
  /** The open fence's character, `` ` `` or `~`. */
  fenceChar = 0;
  /** Dropping the rest of an opening fence's line (its language tag). */
  fenceInfo = false;

  /** `URL_NONE`, `URL_HOST` or `URL_PATH`. */
  url = URL_NONE;
  /** At the start of a URL's host (a `www.` there goes). */
  hostStart = false;
  /** Parentheses open inside the URL's path. */
  urlParens = 0;
  /** The URL is an autolink `<…>`. */
  urlAngle = false;

  constructor(speakCode: boolean) {
    this.speakCode = speakCode;
  }

  /** Forgets all state, for a new text. */
  reset(): void {
    this.text = this.out = "";
    this.length = this.pos = 0;
    this.final = false;
    this.lastOut =
      this.brackets =
      this.targetScanned =
      this.targetDepth =
      this.fence =
      this.fenceChar =
      this.urlParens =
        0;
    this.prev = this.prevNonSpace = LF;
    this.lineStart = true;
    this.lineChecked =
      this.skipLine =
      this.fenceInfo =
      this.hostStart =
      this.urlAngle =
      this.emoji =
        false;
    this.url = URL_NONE;
  }

  /** Characters held back for the next delta. */
  get undecided(): number {
    return this.length - this.pos;
  }

  /** The code unit at `j`, or `END` past the text. */
  code(j: number): number {
    return j < this.length ? this.text.charCodeAt(j) : END;
  }

  /** Whether deciding about position `j` has to wait for the next delta. */
  waits(j: number): boolean {
    return j >= this.length && !this.final;
  }

  /** Where look-aheads from `pos` stop: see {@link MAX_UNDECIDED}. */
  get limit(): number {
    return this.pos + MAX_UNDECIDED;
  }

  /** Whether a look-ahead reached {@link MAX_UNDECIDED} at `j`: decide without looking at `j`. */
  capped(j: number): boolean {
    return j >= this.pos + MAX_UNDECIDED;
  }

  /** The end of the run of `c` from `j`, at most {@link Scanner.limit}. */
  runEnd(j: number, c: number): number {
    const end = Math.min(this.length, this.limit);
    while (j < end && this.text.charCodeAt(j) === c) j++;
    return j;
  }

  /** The end of the spaces from `j`, at most {@link Scanner.limit}. */
  spacesEnd(j: number): number {
    const end = Math.min(this.length, this.limit);
    while (j < end && isSpace(this.text.charCodeAt(j))) j++;
    return j;
  }

  /** Moves past `k` code units. */
  advance(k: number): void {
    for (const end = this.pos + k; this.pos < end; this.pos++) {
      this.prev = this.text.charCodeAt(this.pos);
      if (!isSpace(this.prev)) this.prevNonSpace = this.prev;
    }
    this.emoji = false;
  }

  /** Emits `text` (not from the input: a replacement). */
  emit(text: string): void {
    this.out += text;
    this.lastOut = text.charCodeAt(text.length - 1);
  }

  /** Emits the next `k` code units as they are, and moves past them. */
  keep(k: number): true {
    this.emit(this.text.slice(this.pos, this.pos + k));
    this.advance(k);
    return true;
  }

  /** Moves past the next `k` code units without emitting them. */
  drop(k: number): true {
    this.advance(k);
    return true;
  }

  /** Emits a line break (none before any output) and starts a line. */
  newline(): true {
    if (this.lastOut !== 0) this.emit("\n");
    this.advance(1);
    this.lineStart = true;
    this.lineChecked = false;
    this.brackets = 0;
    return true;
  }
}
