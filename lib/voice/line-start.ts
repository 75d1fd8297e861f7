/**
 * The start of a line: indentation, code fences (and the code inside them), rules and table separators, headings,
 * blockquotes, list markers and leading table pipes.
 * @module
 */
import {
  BACKTICK,
  BULLET,
  DASH,
  DOT,
  END,
  GT,
  HASH,
  isBreak,
  isDigit,
  isRuleChar,
  isSpace,
  LF,
  PIPE,
  PLUS,
  RPAREN,
  STAR,
  TILDE,
} from "./chars.ts";
import { inline } from "./inline.ts";
import type { Scanner } from "./scanner.ts";

/** Longest heading marker (`######`). */
const MAX_HEADING_LEVEL = 6;
/** Shortest code fence (three backticks or tildes). */
const MIN_FENCE = 3;
/** Digits an ordered list marker may have before its `.` or `)`, plus one. */
const MAX_LIST_NUMBER_DIGITS = 10;

/** Inside a code block: a closing fence ends it; other lines are dropped, or spoken with `codeBlocks: "speak"`. */
function inFence(t: Scanner, c: number): boolean {
  if (c === t.fenceChar) {
    const j = t.runEnd(t.pos, c);
    if (!t.capped(j)) {
      if (t.waits(j)) return false;
      if (j - t.pos >= t.fence) {
        const k = t.spacesEnd(j);
        if (!t.capped(k)) {
          if (t.waits(k)) return false;
          if (k >= t.length || isBreak(t.code(k))) {
            t.fence = 0;
            t.skipLine = true; // the closing fence's line, with its line break
            return t.drop(k - t.pos);
          }
        }
      }
    }
  }
  if (!t.speakCode) {
    t.skipLine = true;
    return true;
  }
  t.lineStart = false;
  return inline(t, c);
}

/** Decides the character `c` at the position, at the start of a line. */
export function atLineStart(t: Scanner, c: number): boolean {
  if (isSpace(c)) return t.drop(1);
  if (c === LF) return t.newline();
  if (t.fence) return inFence(t, c);
  if (c === BACKTICK || c === TILDE) {
    const j = t.runEnd(t.pos, c);
    if (!t.capped(j) && t.waits(j)) return false;
    if (j - t.pos >= MIN_FENCE) {
      t.fence = j - t.pos;
      t.fenceChar = c;
      t.fenceInfo = true;
      return t.drop(j - t.pos);
    }
  }
  if (!t.lineChecked && isRuleChar(c)) {
    const end = Math.min(t.length, t.limit);
    let j = t.pos;
    while (j < end && isRuleChar(t.text.charCodeAt(j))) j++;
    const capped = t.capped(j);
    if (!capped && t.waits(j)) return false;
    if (capped || j >= t.length || t.code(j) === LF) {
      t.skipLine = true;
      return t.drop(j - t.pos);
    }
    t.lineChecked = true;
  }
  switch (c) {
    case HASH: {
      const j = t.runEnd(t.pos, HASH);
      if (t.capped(j)) break;
      if (t.waits(j)) return false;
      const next = t.code(j);
      if (j - t.pos <= MAX_HEADING_LEVEL && (next === END || isSpace(next) || isBreak(next))) {
        t.lineStart = false;
        return t.drop(j - t.pos);
      }
      break;
    }
    case GT:
      t.lineChecked = true;
      return t.drop(1);
    case DASH:
    case STAR:
    case PLUS:
    case BULLET: {
      if (t.waits(t.pos + 1)) return false;
      const next = t.code(t.pos + 1);
      if (isSpace(next) || (c === BULLET && (next === END || isBreak(next)))) {
        t.lineStart = false;
        return t.drop(1);
      }
      break;
    }
    case PIPE:
      t.lineStart = false;
      return t.drop(1);
    default:
      if (isDigit(c)) return listNumber(t, c);
  }
  t.lineStart = false;
  return inline(t, c);
}

/** A digit at a line start: an ordered list marker (`1.`, `2)`) goes, a number stays. */
function listNumber(t: Scanner, c: number): boolean {
  const end = t.pos + MAX_LIST_NUMBER_DIGITS;
  let j = t.pos;
  while (j < t.length && j < end && isDigit(t.text.charCodeAt(j))) j++;
  if (t.waits(j)) return false;
  const mark = t.code(j);
  if (j < end && (mark === DOT || mark === RPAREN)) {
    if (t.waits(j + 1)) return false;
    if (isSpace(t.code(j + 1))) {
      t.lineStart = false;
      return t.drop(j + 1 - t.pos);
    }
  }
  t.lineStart = false;
  return inline(t, c);
}
