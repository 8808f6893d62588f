#!/usr/bin/env node
// The baseline of bench/scale.mjs for a JSON file too large for one string: @streamparser/json
// parses it from disk in 4 MiB chunks and every item of its top-level lists (and every top-level
// value that is not a list) is kept in memory, as JSON.parse would keep the whole document.
import { openSync, readSync, closeSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { Tokenizer, TokenParser } from '@streamparser/json';

const file = process.argv[2];
const kept = { items: [], values: [] };
const tokenizer = new Tokenizer();
const parser = new TokenParser({ paths: ['$.*.*', '$.*'], keepStack: false });
parser.onValue = ({ value, stack }) => {
  if (stack.length === 2) kept.items.push(value);
  else if (typeof value !== 'object' || value === null) kept.values.push(value);
};
tokenizer.onToken = (t) => parser.write(t);
const fd = openSync(file, 'r');
const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) tokenizer.write(buf.subarray(0, n));
closeSync(fd);
tokenizer.end();
console.log(`${kept.items.length} list items`);
