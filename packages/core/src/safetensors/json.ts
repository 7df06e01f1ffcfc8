import { SafetensorsError } from './errors';
import { isWellFormedUnicode } from './strings';

/** A parsed JSON value; objects are Maps so that key order is kept and no key can reach a prototype. */
export type JsonValue = null | boolean | number | string | JsonValue[] | Map<string, JsonValue>;

/** Deeper nesting than this is never a valid safetensors header (which nests 3 levels). */
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * A strict RFC 8259 JSON parser for safetensors headers. Unlike `JSON.parse` it rejects duplicate keys
 * (which `JSON.parse` silently resolves to the last one) and bounds nesting depth, so hostile headers
 * fail with a {@link SafetensorsError} rather than a RangeError.
 */
export function parseJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('unexpected text after the top-level value');
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    const where =
      this.pos >= this.text.length
        ? `unexpected end of header (${what})`
        : `${what} at character ${this.pos} (near ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))})`;
    throw new SafetensorsError(
      'BAD_HEADER_JSON',
      `header is not valid JSON: ${where}; the file is corrupt or not a safetensors file`,
    );
  }

  skipWhitespace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string();
    if (c === 0x74) return this.literal('true', true);
    if (c === 0x66) return this.literal('false', false);
    if (c === 0x6e) return this.literal('null', null);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail('expected a value');
  }

  private literal<T extends JsonValue>(word: string, result: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected ${word}`);
    this.pos += word.length;
    return result;
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail('malformed number');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private object(depth: number): Map<string, JsonValue> {
    const result = new Map<string, JsonValue>();
    this.pos++; // {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return result;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a string key');
      const keyStart = this.pos;
      const key = this.string();
      if (result.has(key)) {
        this.pos = keyStart;
        throw new SafetensorsError(
          'DUPLICATE_KEY',
          `header lists key ${JSON.stringify(key)} twice in one object (at character ${keyStart}); ` +
            'a safetensors header must name each tensor and field once, so the file is ambiguous: re-export it',
        );
      }
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':' after a key");
      this.pos++;
      this.skipWhitespace();
      result.set(key, this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x7d) return result;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or '}' in an object");
      }
      this.skipWhitespace();
    }
  }

  private array(depth: number): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++; // [
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x5d) return result;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or ']' in an array");
      }
      this.skipWhitespace();
    }
  }

  private string(): string {
    const t = this.text;
    let p = this.pos + 1; // past the opening quote
    let out = '';
    let chunkStart = p;
    let unicodeEscapes = false;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x22) {
        out += t.slice(chunkStart, p);
        // \u escapes can spell a lone surrogate, which is not Unicode text (serde_json rejects it too).
        if (unicodeEscapes && !isWellFormedUnicode(out)) this.fail('\\u escape spells an unpaired surrogate');
        this.pos = p + 1;
        return out;
      }
      if (Number.isNaN(c)) {
        this.pos = p;
        this.fail('unterminated string');
      }
      if (c < 0x20) {
        this.pos = p;
        this.fail('unescaped control character in a string');
      }
      if (c !== 0x5c) {
        p++;
        continue;
      }
      out += t.slice(chunkStart, p);
      const e = t.charCodeAt(p + 1);
      p += 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const hex = t.slice(p, p + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = p;
            this.fail('bad \\u escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          unicodeEscapes = true;
          p += 4;
          break;
        }
        default:
          this.pos = p - 1;
          this.fail('bad escape sequence');
      }
      chunkStart = p;
    }
  }
}
