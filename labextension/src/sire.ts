/**
 * The Sire/Rex tokenizer for CodeMirror 6 (a StreamLanguage "legacy mode").
 *
 * It makes the same split as the Pygments lexer (pallas_kernel/kernel/lexer.py),
 * which in turn follows the Rex reader's token rules: runes are runs of the 23
 * rune characters, words are runs of [A-Za-z0-9_], `;` starts a comment, and
 * the four string forms are `{..}` (balanced braces), `".."`, `}X..X` and the
 * line string `} ..` running to the end of the line. On top of that: numbers,
 * `%atoms`, `b#`/`x#` bars, the `=?=` assertion and `#### module <- prev`
 * headers. No Rex token spans two lines, so the state is only what the
 * current line has said so far.
 */
import {
  languageDataProp,
  LanguageSupport,
  StreamLanguage,
  StringStream,
  syntaxHighlighting
} from '@codemirror/language';
import { Tag, tagHighlighter, tags as t } from '@lezer/highlight';

/** Where the tokenizer is within the current line. */
export interface ISireState {
  /** Inside a `####` header line: words are module names. */
  header: boolean;
  /** Just after `b#` or `x#`: the next word or string is the bar's content. */
  bar: boolean;
}

/**
 * One tag per token class, each a child of the standard tag a theme already
 * colours (so JupyterLab's themes colour Sire like any other language) and
 * each given its own `cm-sire-*` class (so a page or a test can find them).
 */
export const sireTags = {
  sireComment: Tag.define(t.lineComment),
  sireString: Tag.define(t.string),
  sireLine: Tag.define(t.string),
  sireBar: Tag.define(t.string),
  sireAtom: Tag.define(t.atom),
  sireNumber: Tag.define(t.number),
  sireRune: Tag.define(t.operator),
  sireKeyword: Tag.define(t.keyword),
  sireHeader: Tag.define(t.heading),
  sireModule: Tag.define(t.namespace),
  sireWord: Tag.define(t.variableName),
  sireParen: Tag.define(t.paren),
  sireBracket: Tag.define(t.squareBracket),
  sireError: Tag.define(t.invalid)
};

/** The class each token class gets: `sireRune` -> `cm-sire-rune`. */
export const sireClasses: { [name: string]: string } = Object.fromEntries(
  Object.keys(sireTags).map(name => [name, 'cm-sire-' + name.slice(4).toLowerCase()])
);

const RUNE = /^[$!#%&*+,\-./:<=>?@\\^`'|~]+/;
const WORD = /^[A-Za-z0-9_]+/;
const WORD_CHAR = /[A-Za-z0-9_]/;
const HEX = /^0x[0-9A-Fa-f]+(?![A-Za-z0-9_])/;
const DIGITS = /^[0-9]+(?![A-Za-z0-9_])/;
const ATOM = /^%[A-Za-z0-9_]+/;
const ASSERT = /^=\?=(?![$!#%&*+,\-./:<=>?@\\^`'|~])/;
const HEADER = /^####(?= +[A-Za-z0-9_])/;
const BAR = /^[bx]#(?=[{}"A-Za-z0-9_])/;

/** Skip a `{..}` string whose `{` is next: to the brace that balances it,
 * or to the end of the line. A loop: nesting depth is the user's. */
function curly(stream: StringStream): void {
  let depth = 0;
  for (let ch = stream.next(); ch !== undefined; ch = stream.next()) {
    if (ch === '{') {
      depth++;
    } else if (ch === '}' && --depth === 0) {
      return;
    }
  }
}

/** A string starting here (`{`, `"` or `}`), or null if none does. */
function string(stream: StringStream): string | null {
  const ch = stream.peek();
  if (ch === '{') {
    curly(stream);
    return 'sireString';
  }
  if (ch === '"') {
    stream.next();
    if (stream.skipTo('"')) {
      stream.next();
    } else {
      stream.skipToEnd();
    }
    return 'sireString';
  }
  if (ch === '}') {
    stream.next();
    const delim = stream.peek();
    if (delim === undefined || delim === ' ') {
      stream.skipToEnd();
      return 'sireLine';
    }
    stream.next();
    const close = stream.string.indexOf(delim, stream.pos);
    if (close < 0) {
      stream.skipToEnd();
    } else {
      stream.pos = close + 1;
    }
    return 'sireString';
  }
  return null;
}

/** The next token of the line and its class name (see sireTags). */
export function token(stream: StringStream, state: ISireState): string | null {
  if (stream.sol()) {
    state.header = false;
    state.bar = false;
  }
  if (stream.match(/^ +/)) {
    return null;
  }
  if (state.bar) {
    state.bar = false;
    if (stream.match(WORD)) {
      return 'sireString';
    }
  }
  if (stream.peek() === ';') {
    stream.skipToEnd();
    return 'sireComment';
  }
  if (stream.sol() && stream.match(HEADER)) {
    state.header = true;
    return 'sireHeader';
  }
  const str = string(stream);
  if (str !== null) {
    return str;
  }
  const before = stream.pos > 0 ? stream.string.charAt(stream.pos - 1) : ' ';
  if (!WORD_CHAR.test(before) && stream.match(BAR)) {
    state.bar = true;
    return 'sireBar';
  }
  if (stream.match(HEX) || stream.match(DIGITS)) {
    return 'sireNumber';
  }
  if (stream.match(WORD)) {
    return state.header ? 'sireModule' : 'sireWord';
  }
  if (stream.match(ATOM)) {
    return 'sireAtom';
  }
  if (stream.match(ASSERT)) {
    return 'sireKeyword';
  }
  if (stream.match(RUNE)) {
    return 'sireRune';
  }
  const ch = stream.next();
  if (ch === '(' || ch === ')') {
    return 'sireParen';
  }
  if (ch === '[' || ch === ']') {
    return 'sireBracket';
  }
  return 'sireError'; // tab, non-ASCII outside strings: the reader rejects them
}

/** The Sire language: the tokenizer, `;` line comments, closing brackets. */
export const sireLanguage = StreamLanguage.define<ISireState>({
  name: 'sire',
  startState: () => ({ header: false, bar: false }),
  copyState: (s: ISireState) => ({ header: s.header, bar: s.bar }),
  token,
  tokenTable: sireTags,
  languageData: {
    commentTokens: { line: ';' },
    closeBrackets: { brackets: ['(', '[', '{', '"'] }
  }
});

/** The `cm-sire-*` classes, for Sire documents only (a Sire tree's top node
 * carries the language's data facet). */
export const sireHighlighter = tagHighlighter(
  Object.entries(sireTags).map(([name, tag]) => ({ tag, class: sireClasses[name] })),
  { scope: node => node.prop(languageDataProp) === sireLanguage.data }
);

/** Everything an editor needs for Sire. */
export function sire(): LanguageSupport {
  return new LanguageSupport(sireLanguage, [syntaxHighlighting(sireHighlighter)]);
}
