import { PeftjsError } from '@peftjs/core';
import type { ChatMessage } from './chat-template';
import { isJsonObject, type JsonObject } from './config-fields';

/** One training example as read from a data file, before tokenization. */
export type DataRecord =
  | {
      /** Plain text: every token is trained on. */
      readonly kind: 'text';
      /** The text. */
      readonly text: string;
    }
  | {
      /** A prompt and its completion: only the completion's tokens are trained on. */
      readonly kind: 'prompt-completion';
      /** The input the model is given. */
      readonly prompt: string;
      /** The text it should produce. */
      readonly completion: string;
    }
  | {
      /** A conversation, rendered with the checkpoint's chat template; only assistant turns are trained on. */
      readonly kind: 'chat';
      /** The turns, in order; at least one. */
      readonly messages: readonly ChatMessage[];
    };

/**
 * The data file formats: `text` (plain UTF-8, packed into sequences), and three JSONL formats,
 * one JSON object per line: `jsonl-text` (`{"text"}`), `prompt-completion` (`{"prompt", "completion"}`)
 * and `chat` (`{"messages": [{"role", "content"}, ...]}`), the layouts TRL's `SFTTrainer` reads.
 */
export type DataFormat = 'text' | 'jsonl-text' | 'prompt-completion' | 'chat';

/** How one JSONL format recognises and reads a line's object. */
interface JsonlFormat {
  /** Field(s) whose presence identifies the format when it is detected. */
  readonly detectBy: readonly string[];
  /** The record of one line's object; throws a message (without the line number) when the object does not fit. */
  read(object: JsonObject): DataRecord;
}

function stringField(object: JsonObject, field: string): string {
  const value = object[field];
  if (typeof value !== 'string')
    throw new Error(
      `"${field}" must be a string, got ${value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 40)}`,
    );
  return value;
}

/** The JSONL formats by name: a registry, so adding a format is one entry. */
const JSONL_FORMATS: ReadonlyMap<DataFormat, JsonlFormat> = new Map<DataFormat, JsonlFormat>([
  [
    'chat',
    {
      detectBy: ['messages'],
      read(object) {
        const messages = object['messages'];
        if (!Array.isArray(messages) || messages.length === 0)
          throw new Error('"messages" must be a non-empty list of {"role", "content"} objects');
        return {
          kind: 'chat',
          messages: messages.map((m, i) => {
            if (!isJsonObject(m) || typeof m['role'] !== 'string' || typeof m['content'] !== 'string') {
              throw new Error(
                `messages[${i}] must be an object with string "role" and "content", got ${JSON.stringify(m)?.slice(0, 60)}`,
              );
            }
            return { role: m['role'], content: m['content'] };
          }),
        };
      },
    },
  ],
  [
    'prompt-completion',
    {
      detectBy: ['prompt', 'completion'],
      read: (o) => ({
        kind: 'prompt-completion',
        prompt: stringField(o, 'prompt'),
        completion: stringField(o, 'completion'),
      }),
    },
  ],
  ['jsonl-text', { detectBy: ['text'], read: (o) => ({ kind: 'text', text: stringField(o, 'text') }) }],
]);

/** Every format name, for option validation and help texts. */
export const DATA_FORMATS: readonly DataFormat[] = ['text', ...JSONL_FORMATS.keys()];

/** A parsed data file. */
export interface ParsedDataset {
  /** The format it was read as (given or detected). */
  readonly format: DataFormat;
  /** The examples in file order; at least one. */
  readonly records: readonly DataRecord[];
  /** Where the data came from (a file name), for messages. */
  readonly source: string;
}

/** Options of {@link parseDataset}. */
export interface ParseDatasetOptions {
  /** Name of the source in error messages (a file path). */
  readonly source: string;
  /** The format; detected when omitted (see {@link detectDataFormat}). */
  readonly format?: DataFormat;
}

/** At most this many bad lines are listed in one error. */
const MAX_LISTED_BAD_LINES = 5;

/**
 * Parses a data file's contents into records. Browser-safe (the Node reader is `readDataset`).
 * JSONL: blank lines are skipped; every other line must be a JSON object of the format.
 * @throws PeftjsError `E_DATA_FORMAT` for an unknown format or one that cannot be detected,
 *   `E_DATA_LINE` listing the bad lines by number (1-based) and why, `E_DATA_EMPTY` for no records.
 */
export function parseDataset(content: string, options: ParseDatasetOptions): ParsedDataset {
  const { source } = options;
  const format = options.format ?? detectDataFormat(content, source);
  if (!DATA_FORMATS.includes(format)) {
    throw new PeftjsError(
      'E_DATA_FORMAT',
      `${source}: unknown data format "${String(format)}"; use one of ${DATA_FORMATS.join(', ')}`,
    );
  }
  const jsonl = JSONL_FORMATS.get(format);
  if (jsonl === undefined) {
    if (content.trim().length === 0)
      throw new PeftjsError('E_DATA_EMPTY', `${source}: the file is empty; give it some text to learn from`);
    return { format, records: [{ kind: 'text', text: content }], source };
  }
  const records: DataRecord[] = [];
  const bad: string[] = [];
  let badCount = 0;
  content.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.length === 0) return;
    try {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new Error(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      }
      if (!isJsonObject(value))
        throw new Error(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      records.push(jsonl.read(value));
    } catch (error) {
      badCount++;
      if (bad.length < MAX_LISTED_BAD_LINES)
        bad.push(`line ${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  if (badCount > 0) {
    const more = badCount > bad.length ? `; and ${badCount - bad.length} more` : '';
    throw new PeftjsError(
      'E_DATA_LINE',
      `${source}: ${badCount} bad line(s) for format ${format}: ${bad.join('; ')}${more}. Fix or remove them`,
    );
  }
  if (records.length === 0)
    throw new PeftjsError(
      'E_DATA_EMPTY',
      `${source}: no records (every line is blank); give it at least one JSON line`,
    );
  return { format, records, source };
}

/**
 * The format of a data file: JSONL when its first non-blank line is a JSON object (or the name ends
 * in `.jsonl`), then `chat` if that object has `messages`, `prompt-completion` if it has `prompt` and
 * `completion`, `jsonl-text` if it has `text`; otherwise plain `text`.
 * @throws PeftjsError `E_DATA_FORMAT` for a JSONL file whose first object matches no format.
 */
export function detectDataFormat(content: string, source: string): DataFormat {
  const lines = content.split('\n');
  const firstIndex = lines.findIndex((l) => l.trim().length > 0);
  const object = firstIndex < 0 ? null : safeParse((lines[firstIndex] as string).trim());
  if (!isJsonObject(object)) {
    if (!source.endsWith('.jsonl')) return 'text';
    throw new PeftjsError(
      'E_DATA_LINE',
      `${source}: line ${firstIndex + 1} is not a JSON object; each line of a .jsonl file must be one JSON object`,
    );
  }
  for (const [name, format] of JSONL_FORMATS) if (format.detectBy.every((f) => f in object)) return name;
  throw new PeftjsError(
    'E_DATA_FORMAT',
    `${source}: cannot tell the format from line ${firstIndex + 1}'s fields (${Object.keys(object).join(', ') || 'none'}); ` +
      'it needs "messages" (chat), "prompt" and "completion", or "text"; or pass the format explicitly',
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
