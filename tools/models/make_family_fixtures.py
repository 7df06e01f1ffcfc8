#!/usr/bin/python3
"""More logit-parity fixtures for @peftjs/models' Llama-like families (Llama, Mistral, Qwen2, Qwen3,
Gemma 3 text): configurations the transformers-made fixtures (test/fixtures/hf) do not cover: GQA
ratios (MHA, 2, 4, MQA), tied and untied heads, rope scalings (linear, dynamic, yarn, llama3, a
separate local rope), sliding windows smaller than the sequence, soft-capping, transformers 4 and 5
config layouts, float16/bfloat16 weights and sharded files.

transformers is not installed here, so the forward is a literal PyTorch re-implementation of
transformers 5's modeling code, float32, eager attention:
  models/llama/modeling_llama.py (LlamaRMSNorm, LlamaRotaryEmbedding, apply_rotary_pos_emb, repeat_kv,
  eager_attention_forward, LlamaMLP), models/mistral, models/qwen2, models/qwen3 (q_norm/k_norm on
  [B, T, H, D] before RoPE), models/gemma3/modeling_gemma3.py (Gemma3TextScaledWordEmbedding,
  Gemma3RMSNorm (1 + w), sandwich norms, query_pre_attn_scalar, softcapping, per-layer-type rope),
  modeling_rope_utils.py (_compute_{linear_scaling,dynamic_ntk,yarn,llama3}_parameters,
  dynamic_rope_update), masking_utils.py (causal, padding, sliding_window_overlay: kv > q - window).
HF's forward without position_ids uses positions 0..T-1 for every row (cache_position), as here.

Run: /usr/bin/python3 tools/models/make_family_fixtures.py
Writes packages/models/test/fixtures/families/<case>/{config.json, model.safetensors (or shards +
model.safetensors.index.json), reference.safetensors (input_ids, attention_mask, logits)}.
"""
import json, math, os, struct
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'models', 'test', 'fixtures', 'families')
F32_MIN = torch.finfo(torch.float32).min
V, T = 96, 20


def bf16_bits(a):
    """float32 -> bfloat16 bit patterns, round to nearest even."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def from_bf16_bits(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def write_safetensors(path, tensors, dtype='F32'):
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        if arr.dtype == np.int32:
            dt, raw = 'I32', arr.astype('<i4').tobytes()
        elif dtype == 'F16':
            dt, raw = 'F16', arr.astype('<f2').tobytes()
        elif dtype == 'BF16':
            dt, raw = 'BF16', bf16_bits(arr).astype('<u2').tobytes()
        else:
            dt, raw = 'F32', arr.astype('<f4').tobytes()
        header[name] = {'dtype': dt, 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def stored(w, dtype):
    """The weights as the file holds them (rounded to f16/bf16), back in float32 for the reference."""
    out = {}
    for k, v in w.items():
        a = v.numpy().astype(np.float32)
        if dtype == 'F16':
            a = a.astype(np.float16).astype(np.float32)
        elif dtype == 'BF16':
            a = from_bf16_bits(bf16_bits(a))
        out[k] = torch.from_numpy(a.copy())
    return out


# ------------------------------------------------------------------------------------------- rope
def inv_freq_for(rope, dim, max_pos, seq_len):
    """modeling_rope_utils.ROPE_INIT_FUNCTIONS (+ dynamic_rope_update for 'dynamic'); returns (inv_freq, attention_scaling)."""
    kind, base = rope['rope_type'], rope['rope_theta']
    ar = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
    if kind == 'default':
        return 1.0 / (base ** ar), 1.0
    if kind == 'linear':
        return 1.0 / (base ** ar) / rope['factor'], 1.0
    if kind == 'dynamic':
        factor = rope['factor']
        sl = max(seq_len, max_pos)
        base = base * ((factor * sl / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        return 1.0 / (base ** ar), 1.0
    if kind == 'llama3':
        inv = 1.0 / (base ** ar)
        factor, lf, hf, old = rope['factor'], rope['low_freq_factor'], rope['high_freq_factor'], rope['original_max_position_embeddings']
        low_w, high_w = old / lf, old / hf
        wavelen = 2 * math.pi / inv
        inv_l = torch.where(wavelen > low_w, inv / factor, inv)
        smooth = (old / wavelen - lf) / (hf - lf)
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        medium = ~(wavelen < high_w) * ~(wavelen > low_w)
        return torch.where(medium, smoothed, inv_l), 1.0
    if kind == 'yarn':
        factor = rope['factor']
        if rope.get('original_max_position_embeddings') is not None:
            original = rope['original_max_position_embeddings']
            factor = max_pos / original
        else:
            original = max_pos
        def get_mscale(scale, m=1):
            return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0
        att = rope.get('attention_factor')
        if att is None:
            ms, msa = rope.get('mscale'), rope.get('mscale_all_dim')
            att = get_mscale(factor, ms) / get_mscale(factor, msa) if ms and msa else get_mscale(factor)
        beta_fast, beta_slow = rope.get('beta_fast') or 32, rope.get('beta_slow') or 1
        def corr_dim(rot):
            return (dim * math.log(original / (rot * 2 * math.pi))) / (2 * math.log(base))
        low, high = corr_dim(beta_fast), corr_dim(beta_slow)
        if rope.get('truncate', True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        pos_freqs = base ** (torch.arange(0, dim, 2).float() / dim)
        extra, inter = 1.0 / pos_freqs, 1.0 / (factor * pos_freqs)
        ef = 1 - ramp
        return inter * (1 - ef) + extra * ef, att
    raise ValueError(kind)


def rotate_half(x):
    return torch.cat((-x[..., x.shape[-1] // 2:], x[..., : x.shape[-1] // 2]), dim=-1)


# ---------------------------------------------------------------------------------------- forward
def forward(w, c, ids, mask):
    """c: normalised settings (see make_case); returns logits [B, T, V]."""
    B, Tn = ids.shape
    d, H, Hkv, hd = c['hidden'], c['heads'], c['kv'], c['head_dim']
    eps, off = c['eps'], c['norm_offset']

    def rms(x, p):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * (off + w[p + '.weight'])

    def lin(x, p):
        y = x @ w[p + '.weight'].T
        return y + w[p + '.bias'] if p + '.bias' in w else y

    pos = torch.arange(Tn)[None].expand(B, Tn)
    seq_len = int(pos.max()) + 1
    tables = {}
    for kind, rope in c['rope'].items():
        inv, att = inv_freq_for(rope, hd, c['max_pos'], seq_len)
        freqs = (inv[None, :, None].float() @ pos[:, None, :].float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        tables[kind] = ((emb.cos() * att)[:, None], (emb.sin() * att)[:, None])
    causal = torch.tril(torch.ones(Tn, Tn, dtype=torch.bool))
    qi, ki = torch.arange(Tn)[:, None], torch.arange(Tn)[None, :]
    masks = {}
    for kind in ('full_attention', 'sliding_attention'):
        allowed = causal.clone()
        if kind == 'sliding_attention' and c['window'] is not None:
            allowed &= ki > qi - c['window']
        allowed = allowed[None, None] & mask[:, None, None, :].bool()
        masks[kind] = torch.zeros(allowed.shape).masked_fill(~allowed, F32_MIN)
    h = w['model.embed_tokens.weight'][ids] * torch.tensor(c['embed_scale'], dtype=torch.float32)
    for i in range(c['layers']):
        p = f'model.layers.{i}'
        kind = c['layer_types'][i]
        cos, sin = tables[kind]
        r = rms(h, p + '.input_layernorm')
        q = lin(r, p + '.self_attn.q_proj').view(B, Tn, H, hd)
        k = lin(r, p + '.self_attn.k_proj').view(B, Tn, Hkv, hd)
        v = lin(r, p + '.self_attn.v_proj').view(B, Tn, Hkv, hd).transpose(1, 2)
        if c['qk_norm']:
            q, k = rms(q, p + '.self_attn.q_norm'), rms(k, p + '.self_attn.k_norm')
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        rep = H // Hkv
        k = k[:, :, None].expand(B, Hkv, rep, Tn, hd).reshape(B, H, Tn, hd)
        v = v[:, :, None].expand(B, Hkv, rep, Tn, hd).reshape(B, H, Tn, hd)
        s = q @ k.transpose(2, 3) * c['scaling']
        if c['attn_softcap'] is not None:
            s = torch.tanh(s / c['attn_softcap']) * c['attn_softcap']
        att = torch.softmax(s + masks[kind], dim=-1, dtype=torch.float32)
        o = lin((att @ v).transpose(1, 2).reshape(B, Tn, H * hd), p + '.self_attn.o_proj')
        if c['sandwich']:
            h = h + rms(o, p + '.post_attention_layernorm')
            r = rms(h, p + '.pre_feedforward_layernorm')
        else:
            h = h + o
            r = rms(h, p + '.post_attention_layernorm')
        act = c['act'](lin(r, p + '.mlp.gate_proj'))
        m = lin(act * lin(r, p + '.mlp.up_proj'), p + '.mlp.down_proj')
        h = h + (rms(m, p + '.post_feedforward_layernorm') if c['sandwich'] else m)
    h = rms(h, 'model.norm')
    head = w['model.embed_tokens.weight'] if c['tied'] else w['lm_head.weight']
    logits = h @ head.T
    if c['final_softcap'] is not None:
        logits = torch.tanh(logits / c['final_softcap']) * c['final_softcap']
    return logits


def gelu_tanh(x):
    return torch.nn.functional.gelu(x, approximate='tanh')


# ------------------------------------------------------------------------------------------ cases
def weights(c, gen):
    d, H, Hkv, hd, I = c['hidden'], c['heads'], c['kv'], c['head_dim'], c['inter']
    rnd = lambda *s, std=0.3: torch.randn(*s, generator=gen) * std
    norm = (lambda n: rnd(n, std=0.1)) if c['norm_offset'] == 1 else (lambda n: 1 + rnd(n, std=0.1))
    w = {'model.embed_tokens.weight': rnd(V, d, std=0.5 if c['embed_scale'] == 1 else 0.1), 'model.norm.weight': norm(d)}
    if not c['tied']:
        w['lm_head.weight'] = rnd(V, d)
    for i in range(c['layers']):
        p = f'model.layers.{i}'
        w.update({
            p + '.input_layernorm.weight': norm(d), p + '.post_attention_layernorm.weight': norm(d),
            p + '.self_attn.q_proj.weight': rnd(H * hd, d, std=0.2), p + '.self_attn.k_proj.weight': rnd(Hkv * hd, d, std=0.2),
            p + '.self_attn.v_proj.weight': rnd(Hkv * hd, d, std=0.2), p + '.self_attn.o_proj.weight': rnd(d, H * hd, std=0.2),
            p + '.mlp.gate_proj.weight': rnd(I, d, std=0.2), p + '.mlp.up_proj.weight': rnd(I, d, std=0.2), p + '.mlp.down_proj.weight': rnd(d, I, std=0.2),
        })
        if c['qkv_bias']:
            for n, size in (('q', H * hd), ('k', Hkv * hd), ('v', Hkv * hd)):
                w[f'{p}.self_attn.{n}_proj.bias'] = rnd(size, std=0.1)
        if c['o_bias']:
            w[p + '.self_attn.o_proj.bias'] = rnd(d, std=0.1)
        if c['qk_norm']:
            w[p + '.self_attn.q_norm.weight'] = norm(hd)
            w[p + '.self_attn.k_norm.weight'] = norm(hd)
        if c['sandwich']:
            w[p + '.pre_feedforward_layernorm.weight'] = norm(d)
            w[p + '.post_feedforward_layernorm.weight'] = norm(d)
    return w


def base(**kw):
    c = dict(hidden=64, heads=4, kv=2, head_dim=16, inter=96, layers=2, eps=1e-6, norm_offset=0, embed_scale=1.0,
             qkv_bias=False, o_bias=False, qk_norm=False, sandwich=False, act=torch.nn.functional.silu, tied=False,
             window=None, attn_softcap=None, final_softcap=None, max_pos=64)
    c.update(kw)
    c.setdefault('layer_types', ['full_attention'] * c['layers'])
    c.setdefault('scaling', c['head_dim'] ** -0.5)
    return c


def rope1(rope_type='default', theta=10000.0, **kw):
    r = dict(rope_type=rope_type, rope_theta=theta, **kw)
    return {'full_attention': r, 'sliding_attention': r}


def common_json(c, arch, model_type, layout):
    j = dict(architectures=[arch], model_type=model_type, vocab_size=V, hidden_size=c['hidden'], intermediate_size=c['inter'],
             num_hidden_layers=c['layers'], num_attention_heads=c['heads'], num_key_value_heads=c['kv'], head_dim=c['head_dim'],
             max_position_embeddings=c['max_pos'], rms_norm_eps=c['eps'], tie_word_embeddings=c['tied'], attention_dropout=0.0,
             initializer_range=0.02, bos_token_id=1, eos_token_id=2)
    r = c['rope']['full_attention']
    if layout == 'v4':
        j['rope_theta'] = r['rope_theta']
        scaling = {k: v for k, v in r.items() if k != 'rope_theta'}
        j['rope_scaling'] = None if r['rope_type'] == 'default' else {('type' if r['rope_type'] == 'linear' else 'rope_type'): r['rope_type'], **{k: v for k, v in scaling.items() if k != 'rope_type'}}
        j['torch_dtype'] = 'float32'
        j['transformers_version'] = '4.46.0'
    else:
        j['rope_parameters'] = r
        j['dtype'] = 'float32'
        j['transformers_version'] = '5.18.0'
    return j


CASES = []


def case(name, c, config, dtype='F32', shards=1):
    CASES.append((name, c, config, dtype, shards))


# Llama: GQA ratio 4, untied, linear rope, transformers 4 layout (rope_theta + rope_scaling "type").
c = base(heads=8, kv=2, head_dim=8, rope=rope1('linear', 10000.0, factor=2.0))
case('llama-gqa4-linear-v4', c, {**common_json(c, 'LlamaForCausalLM', 'llama', 'v4'), 'hidden_act': 'silu', 'attention_bias': False, 'mlp_bias': False, 'pretraining_tp': 1})
# Llama: multi-query (1 kv head), tied, dynamic NTK rope with max_position_embeddings 8 < 20 tokens, biases, v5.
c = base(heads=4, kv=1, tied=True, max_pos=8, qkv_bias=True, o_bias=True, rope=rope1('dynamic', 10000.0, factor=2.0))
case('llama-mqa-tied-dynamic', c, {**common_json(c, 'LlamaForCausalLM', 'llama', 'v5'), 'hidden_act': 'silu', 'attention_bias': True, 'mlp_bias': False})
# Llama: yarn rope (original_max_position_embeddings 8, max 32), bfloat16 weights, 2 shards.
c = base(max_pos=32, rope=rope1('yarn', 10000.0, factor=4.0, original_max_position_embeddings=8, beta_fast=32.0, beta_slow=1.0))
case('llama-yarn-bf16-sharded', c, {**common_json(c, 'LlamaForCausalLM', 'llama', 'v5'), 'hidden_act': 'silu', 'dtype': 'bfloat16'}, dtype='BF16', shards=2)
# Mistral: sliding window 5 < 20 tokens on every layer, GQA 2, float16 weights, v4 layout.
c = base(window=5, layer_types=['sliding_attention'] * 2, rope=rope1('default', 1000000.0))
case('mistral-window5-f16-v4', c, {**common_json(c, 'MistralForCausalLM', 'mistral', 'v4'), 'hidden_act': 'silu', 'sliding_window': 5, 'torch_dtype': 'float16'}, dtype='F16')
# Qwen2: q/k/v bias, untied, use_sliding_window with max_window_layers 1 (layer 1 slides, window 4), llama3 rope, v4 layout (no layer_types).
c = base(qkv_bias=True, window=4, layer_types=['full_attention', 'sliding_attention'],
         rope=rope1('llama3', 500000.0, factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0, original_max_position_embeddings=8))
j = common_json(c, 'Qwen2ForCausalLM', 'qwen2', 'v4')
del j['head_dim']
case('qwen2-sliding-llama3-v4', c, {**j, 'hidden_act': 'silu', 'use_sliding_window': True, 'sliding_window': 4, 'max_window_layers': 1})
# Qwen3: multi-head (kv = heads), head_dim 24 independent of hidden 64, attention_bias, tied, linear rope, v5.
c = base(heads=4, kv=4, head_dim=24, qk_norm=True, qkv_bias=True, o_bias=True, tied=True, rope=rope1('linear', 1000000.0, factor=4.0))
case('qwen3-mha-hd24-tied', c, {**common_json(c, 'Qwen3ForCausalLM', 'qwen3', 'v5'), 'hidden_act': 'silu', 'attention_bias': True,
                                 'use_sliding_window': False, 'sliding_window': None, 'max_window_layers': 28, 'layer_types': ['full_attention'] * 2})
# Gemma 3: 3 layers sliding/full/sliding with window 4, separate local rope, linear-scaled global rope,
# attention and final soft-capping, query_pre_attn_scalar 12, untied, v5 nested rope_parameters.
gem = dict(norm_offset=1, embed_scale=float(np.float32(math.sqrt(64))), qk_norm=True, sandwich=True, act=gelu_tanh)
c = base(layers=3, window=4, layer_types=['sliding_attention', 'full_attention', 'sliding_attention'], scaling=12 ** -0.5,
         attn_softcap=1.5, final_softcap=2.5, rope={'full_attention': dict(rope_type='linear', rope_theta=1000000.0, factor=2.0),
                                                   'sliding_attention': dict(rope_type='default', rope_theta=10000.0)}, **gem)
j = common_json(c, 'Gemma3ForCausalLM', 'gemma3_text', 'v5')
j['rope_parameters'] = c['rope']
case('gemma3-softcap-window4', c, {**j, 'hidden_activation': 'gelu_pytorch_tanh', 'layer_types': c['layer_types'], 'sliding_window': 4,
                                    'query_pre_attn_scalar': 12, 'attn_logit_softcapping': 1.5, 'final_logit_softcapping': 2.5,
                                    'use_bidirectional_attention': False, 'pad_token_id': 0})
# Gemma 3 in the transformers 4 layout: sliding_window_pattern 2 (layers 0, 2 slide; 1, 3 full), rope_theta +
# rope_local_base_freq, rope_scaling on global layers only, tied, window 6.
c = base(layers=4, window=6, layer_types=['sliding_attention', 'full_attention'] * 2, scaling=16 ** -0.5,
         rope={'full_attention': dict(rope_type='linear', rope_theta=1000000.0, factor=8.0), 'sliding_attention': dict(rope_type='default', rope_theta=10000.0)},
         tied=True, **gem)
j = common_json(c, 'Gemma3ForCausalLM', 'gemma3_text', 'v4')
case('gemma3-v4-pattern2-tied', c, {**j, 'hidden_activation': 'gelu_pytorch_tanh', 'rope_local_base_freq': 10000.0, 'sliding_window_pattern': 2,
                                     'sliding_window': 6, 'query_pre_attn_scalar': 16, 'attn_logit_softcapping': None, 'final_logit_softcapping': None})


def batch(gen):
    ids = torch.randint(0, V, (3, T), generator=gen)
    mask = torch.ones(3, T, dtype=torch.long)
    mask[1, 14:] = 0
    mask[2, :3] = 0
    ids[mask == 0] = 0
    return ids, mask


def main():
    for name, c, config, dtype, shards in CASES:
        gen = torch.Generator().manual_seed(sum(map(ord, name)))
        w = stored(weights(c, gen), dtype)
        ids, mask = batch(gen)
        with torch.no_grad():
            logits = forward(w, c, ids, mask)
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        with open(os.path.join(d, 'config.json'), 'w') as f:
            json.dump(config, f, indent=2)
        arrays = {k: v.numpy() for k, v in sorted(w.items())}
        if shards == 1:
            write_safetensors(os.path.join(d, 'model.safetensors'), arrays, dtype)
        else:
            names = list(arrays)
            parts = [names[i::shards] for i in range(shards)]
            weight_map = {}
            for i, part in enumerate(parts):
                fname = f'model-{i + 1:05d}-of-{shards:05d}.safetensors'
                write_safetensors(os.path.join(d, fname), {n: arrays[n] for n in part}, dtype)
                weight_map.update({n: fname for n in part})
            with open(os.path.join(d, 'model.safetensors.index.json'), 'w') as f:
                json.dump({'metadata': {'total_size': 0}, 'weight_map': weight_map}, f, indent=1)
        write_safetensors(os.path.join(d, 'reference.safetensors'), {
            'input_ids': ids.numpy().astype(np.int32), 'attention_mask': mask.numpy().astype(np.int32), 'logits': logits.numpy()})
        print(name, tuple(logits.shape), float(logits.abs().max()))


if __name__ == '__main__':
    main()
