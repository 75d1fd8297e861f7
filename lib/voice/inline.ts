/**
 * Inside a line: emphasis marks, inline code, links and images, table pipes, emoji, and the runs of plain text
 * between them (the hot path).
 * @module
 */
import {
  BACKTICK,
  BANG,
  BULLET,
  codePoint,
  continuesWord,
  COPYRIGHT,
  END,
  isBreak,
  isDigit,
  isEmojiPart,
  isHighSurrogate,
  isLowSurrogate,
  isNumericOperand,
  isOperand,
  isPlain,
  isSpace,
  isSurrogate,
  isWordChar,
  LBRACKET,
  LF,
  lower,
  LOWER_H,
  LOWER_W,
  LPAREN,
  LT,
  PIPE,
  RBRACKET,
  RPAREN,
  SP,
  STAR,
  TAB,
  TILDE,
  UNDERSCORE,
  UPPER_H,
  UPPER_W,
  ZWJ,
} from "./chars.ts";
import type { Scanner } from "./scanner.ts";
import { autolinkStart, urlStart } from "./url.ts";

/** A run of `*`: kept in arithmetic (`3*4`, `2**10`, `3 * 4`, `(a + b) * 2`), dropped elsewhere. */
function stars(t: Scanner): boolean {
  const j = t.runEnd(t.pos, STAR);
  const length = j - t.pos;
  if (t.capped(j)) return t.drop(length);
  if (t.waits(j)) return false;
  const next = t.code(j);
  if (isDigit(t.prev) && isDigit(next)) return t.keep(length);
  if (length === 1 && isSpace(t.prev) && isSpace(next)) {
    const k = t.spacesEnd(j);
    if (t.capped(k)) return t.drop(1);
    if (t.waits(k)) return false;
    const after = t.code(k);
    const before = t.prevNonSpace;
    if (isOperand(before) && isOperand(after) && (isNumericOperand(before) || isNumericOperand(after))) {
      return t.keep(1);
    }
  }
  return t.drop(length);
}

/** Underscores: kept inside a word (`snake_case`), dropped as emphasis. */
function underscores(t: Scanner): boolean {
  if (!isWordChar(t.prev)) return t.drop(1);
  const j = t.runEnd(t.pos, UNDERSCORE);
  if (t.capped(j)) return t.drop(j - t.pos);
  if (t.waits(j)) return false;
  return isWordChar(t.code(j)) ? t.keep(j - t.pos) : t.drop(j - t.pos);
}

/** Tildes: one is kept (`~5 minutes`), a run is strikethrough and goes. */
function tildes(t: Scanner): boolean {
  const j = t.runEnd(t.pos, TILDE);
  if (t.capped(j)) return t.drop(j - t.pos);
  if (t.waits(j)) return false;
  return j - t.pos === 1 ? t.keep(1) : t.drop(j - t.pos);
}

/** The end of a link target `(…)` whose `(` is at `open`: after its `)`, -1 when there is none, null: wait. */
function linkTargetEnd(t: Scanner, open: number): number | null {
  // Resume where the last delta's scan of this same target stopped, so a long target is read once.
  let j = t.targetScanned > 0 ? t.pos + t.targetScanned : open + 1;
  let depth = t.targetDepth;
  t.targetScanned = t.targetDepth = 0;
  const { text } = t;
  const end = Math.min(t.length, t.limit);
  for (; j < end; j++) {
    const c = text.charCodeAt(j);
    if (isSpace(c) || isBreak(c) || c === LT) return -1;
    if (c === LPAREN) depth++;
    else if (c === RPAREN && depth-- === 0) return j + 1;
  }
  if (t.capped(j) || !t.waits(j)) return -1;
  t.targetScanned = j - t.pos;
  t.targetDepth = depth;
  return null;
}

/** A `]`: with a `(target)` right after it, the link's target goes too. */
function closeBracket(t: Scanner): boolean {
  if (t.brackets === 0) return t.drop(1);
  if (t.waits(t.pos + 1)) return false;
  if (t.code(t.pos + 1) === LPAREN) {
    const end = linkTargetEnd(t, t.pos + 1);
    if (end === null) return false;
    if (end > 0) {
      t.brackets--;
      return t.drop(end - t.pos);
    }
  }
  t.brackets--;
  return t.drop(1);
}

/** A table's inner `|` becomes a comma; a trailing one goes. */
function pipe(t: Scanner): boolean {
  const j = t.spacesEnd(t.pos + 1);
  if (!t.capped(j)) {
    if (t.waits(j)) return false;
    const c = t.code(j);
    if (c === END || isBreak(c)) return t.drop(1);
  }
  t.emit(",");
  return t.drop(1);
}

/** A character from U+00A9 on: emoji (and the joiners between them) go, bullets go, the rest stays. */
function symbol(t: Scanner, c: number): boolean {
  let cp = c;
  let length = 1;
  if (isHighSurrogate(c)) {
    if (t.waits(t.pos + 1)) return false;
    const low = t.code(t.pos + 1);
    if (!isLowSurrogate(low)) return t.drop(1);
    cp = codePoint(c, low);
    length = 2;
  } else if (isSurrogate(c)) {
    return t.drop(1);
  }
  if (isEmojiPart(cp) || (cp === ZWJ && t.emoji)) {
    t.advance(length);
    t.emoji = true;
    return true;
  }
  if (cp === BULLET) return t.drop(1);
  return t.keep(length);
}

/**
 * Emits, in one slice, the run from the position of characters that need no decision: plain ASCII, single spaces,
 * and `h`/`w` inside a word (where no URL can start). The hot path: most of a reply is such runs.
 */
function plainRun(t: Scanner): boolean {
  const { text, length } = t;
  let j = t.pos + 1;
  for (; j < length; j++) {
    const d = text.charCodeAt(j);
    if (isPlain(d)) continue;
    const before = text.charCodeAt(j - 1);
    if (d === SP && before !== SP) continue;
    const hw = lower(d) === LOWER_H || lower(d) === LOWER_W;
    if (hw && continuesWord(before)) continue;
    break;
  }
  return t.keep(j - t.pos);
}

/** Decides the character `c` at the position, inside a line. */
export function inline(t: Scanner, c: number): boolean {
  switch (c) {
    case LF:
      return t.newline();
    case SP:
    case TAB:
      if (t.lastOut !== 0 && !isSpace(t.lastOut) && t.lastOut !== LF) t.emit(String.fromCharCode(c));
      return t.drop(1);
    case STAR:
      return stars(t);
    case UNDERSCORE:
      return underscores(t);
    case TILDE:
      return tildes(t);
    case BACKTICK:
      return t.drop(1);
    case LBRACKET:
      t.brackets++;
      return t.drop(1);
    case RBRACKET:
      return closeBracket(t);
    case BANG:
      if (t.waits(t.pos + 1)) return false;
      return t.code(t.pos + 1) === LBRACKET ? t.drop(1) : t.keep(1);
    case PIPE:
      return pipe(t);
    case LT:
      return autolinkStart(t) ?? t.keep(1);
    case LOWER_H:
    case UPPER_H:
    case LOWER_W:
    case UPPER_W:
      return urlStart(t, c) ?? plainRun(t);
  }
  if (isPlain(c)) return plainRun(t);
  return c >= COPYRIGHT ? symbol(t, c) : t.keep(1);
}
