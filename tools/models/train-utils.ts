import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { AnyModule } from '@peftjs/core';
import { lmBatches, type CausalLanguageModel, type Tokenizer } from '@peftjs/models';

/** Mean next-token loss over the tokens scored in the first `batches` batches of seeded random windows of `text` (each batch weighted by its scored count). */
export function evalLoss(
  model: CausalLanguageModel,
  text: string,
  tokenizer: Tokenizer,
  o: { batchSize: number; seqLen: number; batches: number },
): number {
  const stream = lmBatches(text, { tokenizer, batchSize: o.batchSize, seqLen: o.seqLen, seed: 'eval' });
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let scored = 0;
  const n = Math.min(o.batches, stream.batchesPerEpoch);
  for (let i = 0; i < n; i++) {
    const b = stream.batchAt(i);
    const count = model.scoredTargets(b).count;
    const l = model.loss(b);
    total += (l.dataSync()[0] as number) * count;
    scored += count;
    tf.dispose([l, b.inputIds, b.attentionMask, b.labels].filter((t) => t !== undefined));
  }
  model.train(wasTraining);
  return total / scored;
}

/** Empirical entropy (nats) of the symbol distribution of `ids`. */
export function unigramEntropy(ids: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) counts.set(ids[i] as number, (counts.get(ids[i] as number) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / ids.length;
    h -= p * Math.log(p);
  }
  return h;
}

/** Minimal F32 safetensors dump of every parameter under its module path (a crash-safe training snapshot). */
export function dumpParams(model: AnyModule, file: string): void {
  const entries = [...model.namedParameters()];
  const header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> = {};
  let offset = 0;
  const datas: Float32Array[] = [];
  for (const [name, p] of entries) {
    const data = p.value.dataSync() as Float32Array;
    header[name] = { dtype: 'F32', shape: p.shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    datas.push(data);
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  out.write(json, 8, 'utf8');
  let at = 8 + json.length;
  for (const d of datas) {
    Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(out, at);
    at += d.byteLength;
  }
  fs.writeFileSync(`${file}.tmp`, out);
  fs.renameSync(`${file}.tmp`, file);
}

export function loadParamsDump(model: AnyModule, file: string): void {
  const buf = fs.readFileSync(file);
  const len = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as Record<
    string,
    { shape: number[]; data_offsets: [number, number] }
  >;
  for (const [name, p] of model.namedParameters()) {
    const h = header[name];
    if (h === undefined) throw new Error(`dump ${file} has no ${name}`);
    const bytes = buf.subarray(8 + len + h.data_offsets[0], 8 + len + h.data_offsets[1]);
    const t = tf.tensor(
      new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      h.shape,
    );
    p.assign(t);
    t.dispose();
  }
}
