#!/usr/bin/python3
"""Hand-made PEFT adapter fixtures for @peftjs/lora's interop test.

No Python `peft` is installed on the machine that made these (no pip network), so this script writes
the files PEFT's `save_pretrained` would write, following its layout exactly:

  adapter_model.safetensors  keys base_model.model.<module path>.lora_A.weight / .lora_B.weight
                             (and .lora_magnitude_vector for DoRA), float32
  adapter_config.json        PEFT LoraConfig fields (peft_type "LORA", r, lora_alpha, target_modules,
                             rank_pattern, alpha_pattern, use_rslora, use_dora, init_lora_weights, ...)

and computes, in torch (float64 from the float32-rounded parameters), the output of a tiny Linear stack
with each adapter applied by the formulas of PEFT's `lora.Linear.forward` and `DoraLinearLayer.forward`.

Run: /usr/bin/python3 tools/lora/make_peft_adapter_fixture.py
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'lora', 'test', 'fixtures', 'peft-adapter')
torch.manual_seed(0)


def write_safetensors(path, tensors):
    """safetensors by hand: u64 LE header length, JSON header (space-padded to 8 bytes), raw LE data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name].detach().numpy().astype('<f4'))
        raw = data.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(data.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header['__metadata__'] = {'format': 'pt'}
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def f32(t):
    return t.to(torch.float32)


# The base model: encoder.up [10, 6] (+bias), encoder.down [6, 10] (no bias), head [4, 6] (+bias).
#   h = x + down(relu(up(x))); y = head(h)
SHAPES = {'encoder.up': (10, 6, True), 'encoder.down': (6, 10, False), 'head': (4, 6, True)}
base = {}
for path, (out, inp, bias) in SHAPES.items():
    base[f'{path}.weight'] = f32(torch.randn(out, inp) / inp ** 0.5)
    if bias:
        base[f'{path}.bias'] = f32(torch.randn(out) * 0.1)


def linear(path, x, adapter):
    w = base[f'{path}.weight'].double()
    b = base.get(f'{path}.bias')
    y = x @ w.T + (b.double() if b is not None else 0)
    if path not in adapter['layers']:
        return y
    a_, b_, s = adapter['layers'][path]['A'].double(), adapter['layers'][path]['B'].double(), adapter['layers'][path]['scaling']
    lora = (x @ a_.T @ b_.T) * s  # PEFT lora.Linear.forward: lora_B(lora_A(dropout(x))) * scaling
    if 'm' not in adapter['layers'][path]:
        return y + lora
    # PEFT DoraLinearLayer.forward (no dropout): norm of W + s B A over the input dim, detached
    m = adapter['layers'][path]['m'].double()
    norm = torch.linalg.norm(w + s * (b_ @ a_), dim=1)
    scale = (m / norm).view(1, -1)
    return y + (scale - 1) * (x @ w.T) + scale * lora


def model(x, adapter):
    h = x + linear('encoder.down', torch.relu(linear('encoder.up', x, adapter)), adapter)
    return linear('head', h, adapter)


def make_adapter(name, config, ranks, alphas, dora):
    layers = {}
    for path, r in ranks.items():
        out, inp, _ = SHAPES[path]
        entry = {'A': f32(torch.randn(r, inp) * 0.3), 'B': f32(torch.randn(out, r) * 0.3)}
        alpha = alphas[path]
        entry['scaling'] = alpha / r ** 0.5 if config['use_rslora'] else alpha / r
        if dora:
            w = base[f'{path}.weight']
            init_norm = torch.linalg.norm(w + entry['scaling'] * entry['B'] @ entry['A'], dim=1)
            entry['m'] = f32(init_norm * (1 + 0.2 * torch.randn(out)))  # as if trained
        layers[path] = entry
    adapter = {'layers': layers}
    directory = os.path.join(OUT, name)
    os.makedirs(directory, exist_ok=True)
    tensors = {}
    for path, e in layers.items():
        tensors[f'base_model.model.{path}.lora_A.weight'] = e['A']
        tensors[f'base_model.model.{path}.lora_B.weight'] = e['B']
        if 'm' in e:
            tensors[f'base_model.model.{path}.lora_magnitude_vector'] = e['m']
    write_safetensors(os.path.join(directory, 'adapter_model.safetensors'), tensors)
    with open(os.path.join(directory, 'adapter_config.json'), 'w') as f:
        json.dump(config, f, indent=2, sort_keys=True)
    return adapter


def peft_config(**fields):
    """The fields PEFT's LoraConfig.save_pretrained writes that matter here, with PEFT's defaults."""
    config = {
        'alpha_pattern': {}, 'auto_mapping': None, 'base_model_name_or_path': None, 'bias': 'none',
        'eva_config': None, 'fan_in_fan_out': False, 'inference_mode': True, 'init_lora_weights': True,
        'layers_pattern': None, 'layers_to_transform': None, 'lora_alpha': 8, 'lora_dropout': 0.0,
        'modules_to_save': None, 'peft_type': 'LORA', 'r': 8, 'rank_pattern': {}, 'revision': None,
        'target_modules': None, 'task_type': None, 'use_dora': False, 'use_rslora': False,
    }
    config.update(fields)
    return config


lora = make_adapter(
    'lora',
    peft_config(r=4, lora_alpha=8, target_modules=['down', 'head', 'up'], rank_pattern={'head': 2},
                alpha_pattern={'encoder.down': 3}, lora_dropout=0.05),
    ranks={'encoder.up': 4, 'encoder.down': 4, 'head': 2},
    alphas={'encoder.up': 8, 'encoder.down': 3, 'head': 8},
    dora=False,
)
dora = make_adapter(
    'dora',
    peft_config(r=2, lora_alpha=4, target_modules=['up', 'head'], use_dora=True, use_rslora=True, init_lora_weights='gaussian'),
    ranks={'encoder.up': 2, 'head': 2},
    alphas={'encoder.up': 4, 'head': 4},
    dora=True,
)

write_safetensors(os.path.join(OUT, 'base_model.safetensors'), base)
x = f32(torch.randn(5, 6))
reference = {
    'input': x.tolist(),
    'base': model(x.double(), {'layers': {}}).tolist(),
    'lora': model(x.double(), lora).tolist(),
    'dora': model(x.double(), dora).tolist(),
}
with open(os.path.join(OUT, 'reference.json'), 'w') as f:
    json.dump(reference, f)
print('wrote', os.path.abspath(OUT))
