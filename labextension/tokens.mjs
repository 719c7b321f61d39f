// Prints, as JSON, the tokens the CodeMirror tokenizer (lib/sire.js, built by
// tsc) gives each line of the files named on the command line:
// {file: [[class or null, text], ...]}. check_tokens.py compares them with the
// Pygments lexer's. Run with `node --experimental-detect-module` (lib/ is ESM).
import { readFileSync } from 'node:fs';
import { StringStream } from '@codemirror/language';
import { token } from './lib/sire.js';

const out = {};
for (const file of process.argv.slice(2)) {
  const toks = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const state = { header: false, bar: false };
    const stream = new StringStream(line, 4, 2);
    while (!stream.eol()) {
      stream.start = stream.pos;
      const cls = token(stream, state);
      toks.push([cls, line.slice(stream.start, stream.pos)]);
    }
    toks.push([null, '\n']);
  }
  out[file] = toks;
}
process.stdout.write(JSON.stringify(out));
