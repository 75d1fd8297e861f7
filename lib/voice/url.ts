/**
 * URLs, spoken as their domain: where one starts (`http://`, `https://`, `www.`, `<http…>`), its host kept without
 * `www.`, the rest dropped up to what ends it (whitespace, a closing bracket, a sentence's final punctuation).
 * @module
 */
import {
  BACKTICK,
  COLON,
  continuesWord,
  DOT,
  endsUrlAfterPunctuation,
  GT,
  HASH,
  isBreak,
  isHostChar,
  isSpace,
  isTrailingPunctuation,
  lower,
  LOWER_H,
  LOWER_S,
  LOWER_W,
  LPAREN,
  LT,
  QUESTION,
  RBRACKET,
  RPAREN,
  SLASH,
} from "./chars.ts";
import { type Scanner, URL_HOST, URL_NONE, URL_PATH } from "./scanner.ts";

const HTTP = "http";
const SCHEME_END = [COLON, SLASH, SLASH];

/** `http://` or `https://` at `j`: its length, 0 when absent, -1 when the next delta must tell. */
export function scheme(t: Scanner, j: number): number {
  let k = 0;
  for (; k < HTTP.length; k++) {
    if (t.waits(j + k)) return -1;
    if (lower(t.code(j + k)) !== HTTP.charCodeAt(k)) return 0;
  }
  if (t.waits(j + k)) return -1;
  if (lower(t.code(j + k)) === LOWER_S) k++;
  for (const c of SCHEME_END) {
    if (t.waits(j + k)) return -1;
    if (t.code(j + k) !== c) return 0;
    k++;
  }
  return k;
}

/** `www.` followed by a host character at `j`: 4, 0 when absent, -1 when the next delta must tell. */
function www(t: Scanner, j: number): number {
  for (let k = 0; k < 3; k++) {
    if (t.waits(j + k)) return -1;
    if (lower(t.code(j + k)) !== LOWER_W) return 0;
  }
  if (t.waits(j + 3)) return -1;
  if (t.code(j + 3) !== DOT) return 0;
  if (t.waits(j + 4)) return -1;
  return isHostChar(t.code(j + 4)) ? 4 : 0;
}

/**
 * Whether the run of trailing punctuation at the position ends the URL (whitespace or the end follows it): its end
 * when it does not, -1 when it does, null when the next delta must tell. A run as long as the look-ahead does not.
 */
function punctuationRun(t: Scanner): number | null {
  const end = Math.min(t.length, t.limit);
  let j = t.pos;
  while (j < end && isTrailingPunctuation(t.text.charCodeAt(j))) j++;
  if (t.capped(j)) return j;
  if (t.waits(j)) return null;
  return endsUrlAfterPunctuation(t.code(j)) ? -1 : j;
}

function endUrl(t: Scanner, c: number): true {
  if (t.urlAngle && c === GT) t.advance(1);
  t.url = URL_NONE;
  t.urlAngle = false;
  t.urlParens = 0;
  return true;
}

/** Inside a URL: keeps the host, drops the rest, ends it where it ends. */
export function urlStep(t: Scanner, c: number): boolean {
  if (t.url === URL_HOST) {
    if (t.hostStart) {
      const w = www(t, t.pos);
      if (w < 0) return false;
      t.hostStart = false;
      if (w > 0) return t.drop(w);
    }
    if (isHostChar(c)) return t.keep(1);
    if (c === QUESTION || c === COLON) {
      const run = punctuationRun(t);
      if (run === null) return false;
      if (run < 0) return endUrl(t, c);
    }
    if (c === SLASH || c === QUESTION || c === HASH || c === COLON) {
      t.url = URL_PATH;
      return t.drop(1);
    }
    return endUrl(t, c);
  }
  if (c === LPAREN) {
    t.urlParens++;
    return t.drop(1);
  }
  if (c === RPAREN) {
    if (t.urlParens === 0) return endUrl(t, c);
    t.urlParens--;
    return t.drop(1);
  }
  if (isTrailingPunctuation(c)) {
    const run = punctuationRun(t);
    if (run === null) return false;
    return run < 0 ? endUrl(t, c) : t.drop(run - t.pos);
  }
  if (isSpace(c) || isBreak(c) || c === LT || c === GT || c === BACKTICK || c === RBRACKET) return endUrl(t, c);
  return t.drop(1);
}

/** At an `h` or a `w`: a URL that starts here (true); false: wait; null: no URL. */
export function urlStart(t: Scanner, c: number): boolean | null {
  if (continuesWord(t.prev)) return null;
  const http = lower(c) === LOWER_H;
  const k = http ? scheme(t, t.pos) : www(t, t.pos);
  if (k < 0) return false;
  if (k === 0) return null;
  t.url = URL_HOST;
  t.hostStart = http;
  return t.drop(k);
}

/** At a `<`: an autolink `<http…>` starts here (true); false: wait; null: no autolink. */
export function autolinkStart(t: Scanner): boolean | null {
  const k = scheme(t, t.pos + 1);
  if (k < 0) return false;
  if (k === 0) return null;
  t.urlAngle = true;
  return t.drop(1);
}
