#!/usr/bin/python3
"""Logit-parity fixtures for @peftjs/models: tiny random GPT-2 and Llama checkpoints in Hugging Face
format, with reference logits from a PyTorch forward written after Hugging Face's modeling code
(transformers/models/gpt2/modeling_gpt2.py: GPT2Attention/GPT2MLP/GPT2Block/GPT2LMHeadModel, eager
attention; transformers/models/llama/modeling_llama.py: LlamaRMSNorm, LlamaRotaryEmbedding,
apply_rotary_pos_emb, repeat_kv, LlamaAttention, LlamaMLP; modeling_rope_utils.py for llama3 scaling).
transformers itself is not installed here, so the forward is re-implemented; it is deliberately
literal (float32, finfo.min masking as HF does).

Position ids follow HF generate()'s convention for padded batches:
position_ids = cumsum(attention_mask) - 1, set to 1 where attention_mask == 0.
Only logits at real (mask == 1) positions are meaningful and compared.

Run: /usr/bin/python3 tools/models/make_parity_fixtures.py
Writes packages/models/test/fixtures/{gpt2-tiny,llama-tiny,llama-tiny-tied-rope3}/ with config.json,
model.safetensors and reference.safetensors (input_ids, attention_mask, position_ids, logits, loss).
"""
import json, math, os, struct
import numpy as np
import torch

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'models', 'test', 'fixtures')
F32_MIN = torch.finfo(torch.float32).min


def write_safetensors(path, tensors, metadata=None):
    """safetensors by hand: 8-byte LE header length, JSON header, raw little-endian data."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dtype = {np.dtype('float32'): 'F32', np.dtype('int32'): 'I32'}[arr.dtype]
        raw = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def rnd(*shape, std=0.3):
    return torch.randn(*shape) * std


def batch_inputs(vocab, T=12):
    """Row 0 unpadded, row 1 right-padded (8 real), row 2 left-padded (3 pad)."""
    ids = torch.randint(0, vocab, (3, T))
    mask = torch.ones(3, T, dtype=torch.long)
    mask[1, 8:] = 0
    mask[2, :3] = 0
    ids[mask == 0] = 0
    pos = mask.cumsum(-1) - 1
    pos = pos.masked_fill(mask == 0, 1)
    return ids, mask, pos


def lm_loss(logits, ids, mask):
    """HF's shifted LM loss, except that predictions made at padded positions are not scored
    (HF scores the last left-pad position's prediction of the first real token; peftjs does not)."""
    labels = ids.masked_fill(mask == 0, -100)
    shift_labels = labels[:, 1:].masked_fill(mask[:, :-1] == 0, -100)
    return torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), shift_labels.reshape(-1), ignore_index=-100)


def extended_mask(mask, T):
    """HF: additive [B,1,T,T] mask from the causal triangle and the padding mask, min where masked."""
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    allowed = causal[None, None] & mask[:, None, None, :].bool()
    return torch.zeros(allowed.shape).masked_fill(~allowed, F32_MIN)


# ----------------------------------------------------------------------------------------- GPT-2
def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gpt2_reference(w, cfg, ids, mask, pos):
    B, T = ids.shape
    d, H = cfg['n_embd'], cfg['n_head']
    hd = d // H
    eps = cfg['layer_norm_epsilon']
    ln = lambda x, p: torch.nn.functional.layer_norm(x, (d,), w[p + '.weight'], w[p + '.bias'], eps)
    conv1d = lambda x, p: x @ w[p + '.weight'] + w[p + '.bias']  # HF Conv1D: weight [in, out]
    h = w['wte.weight'][ids] + w['wpe.weight'][pos]
    am = extended_mask(mask, T)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))[None, None]
    for i in range(cfg['n_layer']):
        p = f'h.{i}'
        a = ln(h, p + '.ln_1')
        q, k, v = conv1d(a, p + '.attn.c_attn').split(d, dim=2)
        heads = lambda t: t.view(B, T, H, hd).permute(0, 2, 1, 3)
        q, k, v = heads(q), heads(k), heads(v)
        att = q @ k.transpose(-1, -2) / math.sqrt(hd)
        att = torch.where(causal, att, torch.tensor(F32_MIN))  # GPT2Attention._attn
        att = att + am  # padding mask (additive, as HF)
        att = torch.softmax(att, dim=-1)
        o = (att @ v).permute(0, 2, 1, 3).reshape(B, T, d)
        h = h + conv1d(o, p + '.attn.c_proj')
        m = gelu_new(conv1d(ln(h, p + '.ln_2'), p + '.mlp.c_fc'))
        h = h + conv1d(m, p + '.mlp.c_proj')
    h = ln(h, 'ln_f')
    return h @ w['wte.weight'].T  # tied lm_head


def make_gpt2():
    cfg = dict(architectures=['GPT2LMHeadModel'], model_type='gpt2', vocab_size=64, n_positions=32, n_ctx=32, n_embd=32,
               n_layer=2, n_head=4, n_inner=None, activation_function='gelu_new', resid_pdrop=0.1, embd_pdrop=0.1,
               attn_pdrop=0.1, layer_norm_epsilon=1e-5, initializer_range=0.02, bos_token_id=63, eos_token_id=63)
    d, V, P = cfg['n_embd'], cfg['vocab_size'], cfg['n_positions']
    w = {'wte.weight': rnd(V, d), 'wpe.weight': rnd(P, d, std=0.1), 'ln_f.weight': 1 + rnd(d, std=0.1), 'ln_f.bias': rnd(d, std=0.1)}
    for i in range(cfg['n_layer']):
        p = f'h.{i}'
        w.update({
            p + '.ln_1.weight': 1 + rnd(d, std=0.1), p + '.ln_1.bias': rnd(d, std=0.1),
            p + '.attn.c_attn.weight': rnd(d, 3 * d), p + '.attn.c_attn.bias': rnd(3 * d, std=0.1),
            p + '.attn.c_proj.weight': rnd(d, d), p + '.attn.c_proj.bias': rnd(d, std=0.1),
            p + '.ln_2.weight': 1 + rnd(d, std=0.1), p + '.ln_2.bias': rnd(d, std=0.1),
            p + '.mlp.c_fc.weight': rnd(d, 4 * d), p + '.mlp.c_fc.bias': rnd(4 * d, std=0.1),
            p + '.mlp.c_proj.weight': rnd(4 * d, d), p + '.mlp.c_proj.bias': rnd(d, std=0.1),
        })
    ids, mask, pos = batch_inputs(V)
    with torch.no_grad():
        logits = gpt2_reference(w, cfg, ids, mask, pos)
        loss = lm_loss(logits, ids, mask)
    # Saved like the original openai-community/gpt2 weights: no "transformer." prefix, and the
    # causal-mask buffers "h.N.attn.bias", which a loader must skip.
    disk = {k: v.numpy() for k, v in w.items()}
    for i in range(cfg['n_layer']):
        disk[f'h.{i}.attn.bias'] = torch.tril(torch.ones(P, P)).view(1, 1, P, P).numpy()
    save('gpt2-tiny', cfg, disk, ids, mask, pos, logits, loss)


# ----------------------------------------------------------------------------------------- Llama
def rope_init(cfg, hd):
    base = cfg['rope_theta']
    inv_freq = 1.0 / (base ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    rs = cfg.get('rope_scaling')
    if rs and rs.get('rope_type', rs.get('type')) == 'llama3':  # modeling_rope_utils._compute_llama3_parameters
        factor, lf, hf, old = rs['factor'], rs['low_freq_factor'], rs['high_freq_factor'], rs['original_max_position_embeddings']
        low_freq_wavelen, high_freq_wavelen = old / lf, old / hf
        wavelen = 2 * math.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - lf) / (hf - lf)
        smoothed = (1 - smooth) * inv_freq_llama / factor + smooth * inv_freq_llama
        is_medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        inv_freq = torch.where(is_medium, smoothed, inv_freq_llama)
    return inv_freq


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def llama_reference(w, cfg, ids, mask, pos):
    B, T = ids.shape
    d, H, Hkv = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_key_value_heads']
    hd = cfg.get('head_dim') or d // H
    eps = cfg['rms_norm_eps']

    def rms(x, p):
        var = x.pow(2).mean(-1, keepdim=True)
        return w[p + '.weight'] * (x * torch.rsqrt(var + eps))

    def lin(x, p):
        y = x @ w[p + '.weight'].T
        return y + w[p + '.bias'] if p + '.bias' in w else y

    inv_freq = rope_init(cfg, hd)
    freqs = (inv_freq[None, :, None].float() @ pos[:, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]
    am = extended_mask(mask, T)
    h = w['model.embed_tokens.weight'][ids]
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}'
        r = rms(h, p + '.input_layernorm')
        q = lin(r, p + '.self_attn.q_proj').view(B, T, H, hd).transpose(1, 2)
        k = lin(r, p + '.self_attn.k_proj').view(B, T, Hkv, hd).transpose(1, 2)
        v = lin(r, p + '.self_attn.v_proj').view(B, T, Hkv, hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        rep = H // Hkv  # repeat_kv
        k = k[:, :, None].expand(B, Hkv, rep, T, hd).reshape(B, H, T, hd)
        v = v[:, :, None].expand(B, Hkv, rep, T, hd).reshape(B, H, T, hd)
        att = torch.softmax(q @ k.transpose(2, 3) * hd ** -0.5 + am, dim=-1, dtype=torch.float32)
        o = (att @ v).transpose(1, 2).reshape(B, T, H * hd)
        h = h + lin(o, p + '.self_attn.o_proj')
        r = rms(h, p + '.post_attention_layernorm')
        gate = lin(r, p + '.mlp.gate_proj')
        h = h + lin(torch.nn.functional.silu(gate) * lin(r, p + '.mlp.up_proj'), p + '.mlp.down_proj')
    h = rms(h, 'model.norm')
    head = w['model.embed_tokens.weight'] if cfg['tie_word_embeddings'] else w['lm_head.weight']
    return h @ head.T


def make_llama(name, tied, rope_scaling, bias):
    cfg = dict(architectures=['LlamaForCausalLM'], model_type='llama', vocab_size=64, hidden_size=32, intermediate_size=64,
               num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, hidden_act='silu', max_position_embeddings=64,
               rms_norm_eps=1e-6, rope_theta=10000.0 if not rope_scaling else 500000.0, rope_scaling=rope_scaling,
               attention_bias=bias, mlp_bias=bias, tie_word_embeddings=tied, bos_token_id=1, eos_token_id=2, initializer_range=0.02)
    d, V, H, Hkv, I = cfg['hidden_size'], cfg['vocab_size'], cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['intermediate_size']
    hd = d // H
    w = {'model.embed_tokens.weight': rnd(V, d, std=1.0), 'model.norm.weight': 1 + rnd(d, std=0.1)}
    if not tied:
        w['lm_head.weight'] = rnd(V, d)
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}'
        shapes = {'self_attn.q_proj': (H * hd, d), 'self_attn.k_proj': (Hkv * hd, d), 'self_attn.v_proj': (Hkv * hd, d),
                  'self_attn.o_proj': (d, H * hd), 'mlp.gate_proj': (I, d), 'mlp.up_proj': (I, d), 'mlp.down_proj': (d, I)}
        for m, shape in shapes.items():
            w[f'{p}.{m}.weight'] = rnd(*shape)
            if bias:
                w[f'{p}.{m}.bias'] = rnd(shape[0], std=0.1)
        w[p + '.input_layernorm.weight'] = 1 + rnd(d, std=0.1)
        w[p + '.post_attention_layernorm.weight'] = 1 + rnd(d, std=0.1)
    ids, mask, pos = batch_inputs(V)
    with torch.no_grad():
        logits = llama_reference(w, cfg, ids, mask, pos)
        loss = lm_loss(logits, ids, mask)
    save(name, cfg, {k: v.numpy() for k, v in w.items()}, ids, mask, pos, logits, loss)


def save(name, cfg, weights, ids, mask, pos, logits, loss):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(d, 'model.safetensors'), weights, {'format': 'pt'})
    write_safetensors(os.path.join(d, 'reference.safetensors'), {
        'input_ids': ids.numpy().astype(np.int32), 'attention_mask': mask.numpy().astype(np.int32),
        'position_ids': pos.numpy().astype(np.int32), 'logits': logits.numpy().astype(np.float32),
        'loss': np.array([loss.item()], dtype=np.float32)})
    print(name, 'logits', tuple(logits.shape), 'loss', round(loss.item(), 5))


make_gpt2()
make_llama('llama-tiny', tied=False, rope_scaling=None, bias=False)
make_llama('llama-tiny-tied-rope3', tied=True, bias=True,
           rope_scaling={'rope_type': 'llama3', 'factor': 8.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0, 'original_max_position_embeddings': 16})
