import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { createVoiceSanitizer, sanitizeForVoice, type VoiceSanitizerOptions } from "../lib/voice.ts";
import { MAX_UNDECIDED } from "../lib/voice/scanner.ts";

/** Feeds `parts` as deltas and returns the concatenated output. */
function feed(parts: string[], options?: VoiceSanitizerOptions): string {
  const voice = createVoiceSanitizer(options);
  let out = "";
  for (const part of parts) out += voice.push(part);
  return out + voice.flush();
}

/** Asserts the expected output for the whole text, for every split in two, and char by char. */
function expectVoice(input: string, expected: string, options?: VoiceSanitizerOptions): void {
  assert.equal(feed([input], options), expected, `unsplit: ${JSON.stringify(input)}`);
  for (let at = 0; at <= input.length; at++) {
    const parts = [input.slice(0, at), input.slice(at)];
    assert.equal(feed(parts, options), expected, `split at ${at}: ${JSON.stringify(parts)}`);
  }
  assert.equal(feed([...input.split("")], options), expected, `char by char: ${JSON.stringify(input)}`);
}

const CASES: [string, string, string][] = [
  ["headings", "# Title\n## Sub title\n###### Six\n#hashtag and #1", "Title\nSub title\nSix\n#hashtag and #1"],
  [
    "bold, italic and strikethrough",
    "Some **bold**, *italic*, ***both***, __under__, _it_ and ~~gone~~ text.",
    "Some bold, italic, both, under, it and gone text.",
  ],
  ["inline code keeps its words", "Run `npm install` then ``a ` b``.", "Run npm install then a b."],
  [
    "code fences and their content are omitted",
    "Here:\n```typescript\nconst x = await fetch(url);\n```\nDone.\n~~~\nraw\n~~~\nEnd",
    "Here:\nDone.\nEnd",
  ],
  ["an unclosed fence omits the rest", "Look:\n```\nlet a = 1;", "Look:\n"],
  ["links speak their text", "See [the docs](https://example.com/a_(b)?q=1) now.", "See the docs now."],
  ["images speak their alt text", "A ![cat photo](cat.png) here!", "A cat photo here!"],
  ["brackets that are no link", "Array [1, 2] (two) and [x] (y z) done", "Array 1, 2 (two) and x (y z) done"],
  [
    "list markers at line starts",
    "- one\n  - nested\n* two\n+ three\n• four\n1. first\n2) second\n10. tenth",
    "one\nnested\ntwo\nthree\nfour\nfirst\nsecond\ntenth",
  ],
  ["numbers at line starts that are no list", "3.14 is pi\n2024 was a year\n-5 degrees", "3.14 is pi\n2024 was a year\n-5 degrees"],
  ["blockquotes", "> quoted\n> > nested\n>- item", "quoted\nnested\nitem"],
  [
    "tables: pipes and separator rows",
    "| Name | Age |\n|:-----|----:|\n| Ada | 36 |\nEnd",
    "Name , Age \nAda , 36 \nEnd",
  ],
  ["rules and setext underlines", "Title\n=====\nBody\n\n---\n***\n* * *\n___\nLast", "Title\nBody\n\nLast"],
  [
    "emoji with joiners, skin tones, flags, keycaps and variation selectors",
    "Great 🎉 job! 👨‍👩‍👧 family 👍🏽 ok 🇫🇷 flag 1️⃣ ❤️ end 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "Great job! family ok flag 1 end ",
  ],
  ["symbols that are pictographs", "Acme™ © 2024 ➡ next", "Acme 2024 next"],
  [
    "URLs speak their domain",
    "Visit https://www.example.com/path/to?x=1#frag. Or http://localhost:8787/agent, or www.test.org!",
    "Visit example.com. Or localhost, or test.org!",
  ],
  [
    "URLs in brackets, angle brackets and bold",
    "(see https://en.wikipedia.org/wiki/Foo_(bar)) <https://auto.link/x> **https://bold.com/x**, ok",
    "(see en.wikipedia.org) auto.link bold.com, ok",
  ],
  ["a URL at the very end", "Go to https://example.com", "Go to example.com"],
  ["a URL ending a question", "Is it https://example.com/faq?", "Is it example.com?"],
  ["words that only look like URL starts", "what http is, www is, https: and whttp://x.y", "what http is, www is, https: and whttp://x.y"],
  [
    "asterisks in arithmetic stay, stray ones go",
    "3 * 4 = 12, 3*4, 2**10, (a + b) * 2, x * y, a *stray, * lone, end*",
    "3 * 4 = 12, 3*4, 2**10, (a + b) * 2, x y, a stray, lone, end",
  ],
  [
    "underscores inside words and single tildes stay",
    "snake_case, CONST__X, __init__, ~5 minutes",
    "snake_case, CONST__X, init, ~5 minutes",
  ],
  [
    "punctuation, apostrophes, numbers and other scripts pass through",
    "It's 5 o'clock: 1,000.50 (approx.) — \"quoted\" & done; Привет, мир! 你好世界。 مرحبا क्‍ष",
    "It's 5 o'clock: 1,000.50 (approx.) — \"quoted\" & done; Привет, мир! 你好世界。 مرحبا क्‍ष",
  ],
  ["Windows line breaks", "# Head\r\n- item\r\n---\r\ntext\r\n", "Head\nitem\ntext\n"],
  ["leading spaces and runs of spaces left by removals", "   Hello  🎉   world", "Hello world"],
];

for (const [name, input, expected] of CASES) {
  test(`createVoiceSanitizer() handles ${name}, however the text is split`, () => {
    expectVoice(input, expected);
  });
}

test("createVoiceSanitizer() speaks code blocks as text with codeBlocks: \"speak\"", () => {
  expectVoice("Try:\n```sh\nnpm run `chat`\n```\nDone.", "Try:\nnpm run chat\nDone.", { codeBlocks: "speak" });
});

test("createVoiceSanitizer() releases plain text at once and holds back only an undecided tail", () => {
  const voice = createVoiceSanitizer();
  assert.equal(voice.push("Hello there, "), "Hello there, ");
  assert.equal(voice.push("this is **bo"), "this is bo");
  assert.equal(voice.push("ld** and *"), "ld and ");
  assert.equal(voice.push("more"), "more");
  assert.equal(voice.push(". See h"), ". See ");
  assert.equal(voice.push("ttps://exa"), "exa");
  assert.equal(voice.push("mple.com/x"), "mple.com");
  assert.equal(voice.push(" now!"), " now");
  assert.equal(voice.push(" 3 *"), "! 3 ");
  assert.equal(voice.push(" 4"), "* 4");
  assert.equal(voice.push(" 😀".slice(0, 2)), " ");
  assert.equal(voice.push("😀".slice(1) + " ok"), "ok");
  assert.equal(voice.flush(), "");
});

test("flush() resets the sanitizer for the next text", () => {
  const voice = createVoiceSanitizer();
  assert.equal(voice.push("```\ncode"), "");
  assert.equal(voice.flush(), "");
  assert.equal(voice.push("# Next turn"), "Next turn");
  assert.equal(voice.flush(), "");
});

test("sanitizeForVoice() sanitizes a whole text", () => {
  assert.equal(sanitizeForVoice("**Hi!** 👋 See https://example.com/docs."), "Hi! See example.com.");
});

const TOKENS = [
  "*", "**", "_", "__", "~", "~~", "`", "```", "#", "## ", "> ", "- ", "1. ", "|", "[", "]", "(", ")", "![", "](",
  "\n", "\r\n", " ", "  ", "a", "word", "3", "42", ".", ",", "!", "?", ":", "<", ">", "http", "https://", "www.",
  "example.com", "/path", "?q=1", "🎉", "👍🏽", "\u200d", "\ufe0f", "🇫🇷", "é", "你", "---", "|---|",
];

test("createVoiceSanitizer() gives the same output for any text however it is split (property)", () => {
  const text = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((tokens) => tokens.join(""));
  fc.assert(
    fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
      const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
      const parts: string[] = [];
      let from = 0;
      for (const at of points) {
        parts.push(input.slice(from, at));
        from = at;
      }
      parts.push(input.slice(from));
      const whole = feed([input]);
      assert.equal(feed(parts), whole);
      assert.equal(feed(input.split("")), whole);
    }),
    { numRuns: 2000 },
  );
});

test("createVoiceSanitizer() keeps up with a fast model: a megabyte of markdown in small deltas", () => {
  const chunk = "## Plan\n- **Step** one: see [docs](https://example.com/a) 🎉\n" +
    "Plain words flow through quickly, 3 * 4 = 12, it's fine.\n| a | b |\n";
  const text = chunk.repeat(Math.ceil(1_000_000 / chunk.length));
  const voice = createVoiceSanitizer();
  const started = performance.now();
  let out = 0;
  for (let at = 0; at < text.length; at += 12) out += voice.push(text.slice(at, at + 12)).length;
  out += voice.flush().length;
  const ms = performance.now() - started;
  assert.ok(out > 0);
  assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
});

/** Texts that keep the sanitizer undecided for as long as it lets them: lines of rule characters, long mark runs, link targets, punctuation after a URL. */
const ADVERSARIAL = [
  "- ", "-", "*", "* ", "_", "~", "`", "#", "|", " ", "=", ":", "+", "[", "](", "(", "a", "https://x.io/", ".", "!",
  "\n", "\r",
];

test("createVoiceSanitizer() never holds back more than MAX_UNDECIDED characters, whatever the text (property)", () => {
  const runs = fc.array(
    fc.tuple(fc.constantFrom(...ADVERSARIAL), fc.integer({ min: 1, max: 1500 })).map(([token, times]) =>
      token.repeat(times)
    ),
    { minLength: 1, maxLength: 4 },
  );
  fc.assert(
    fc.property(runs, fc.integer({ min: 1, max: 120 }), (parts, size) => {
      const input = parts.join("");
      const voice = createVoiceSanitizer();
      let out = "";
      for (let at = 0; at < input.length; at += size) {
        out += voice.push(input.slice(at, at + size));
        assert.ok(voice.undecided <= MAX_UNDECIDED, `${voice.undecided} characters held back at ${at + size}`);
      }
      out += voice.flush();
      assert.equal(voice.undecided, 0);
      assert.equal(out, sanitizeForVoice(input), "the bound decides the same way however the text is split");
    }),
    { numRuns: 300 },
  );
});

test("createVoiceSanitizer() decides a line of 200,000 characters of \"- \" after MAX_UNDECIDED, as a rule", () => {
  const voice = createVoiceSanitizer();
  const line = "- ".repeat(100_000);
  let out = "";
  let most = 0;
  for (let at = 0; at < line.length; at += 50) {
    out += voice.push(line.slice(at, at + 50));
    most = Math.max(most, voice.undecided);
  }
  out += voice.push("\nNext line.") + voice.flush();
  assert.ok(most <= MAX_UNDECIDED, `held back ${most}`);
  assert.equal(out, "Next line.");
});

test("createVoiceSanitizer() takes a link target longer than MAX_UNDECIDED for no link, and speaks its domain", () => {
  const target = `https://example.com/${"a".repeat(MAX_UNDECIDED)}`;
  expectVoice(`See [the docs](${target}) now.`, "See the docs(example.com) now.");
  expectVoice(`See [the docs](https://example.com/short) now.`, "See the docs now.");
});
