#!/usr/bin/python3
"""PEFT's EVA initialisation (get_eva_state_dict) on a GPT-2 checkpoint, as a line-driven worker, one thread.

Usage: /usr/bin/python3 tools/bench/peft_eva_init.py CHECKPOINT_DIR BATCHES.safetensors R RHO TAU TARGETS
  CHECKPOINT_DIR     Hugging Face GPT-2 folder (config.json + model.safetensors, F32/F16/BF16)
  BATCHES            int32 input_ids / attention_mask / labels [S, B, T], replayed in order (as PEFT cycles its dataloader)
  TARGETS            comma-separated module-name suffixes (PEFT's target_modules), e.g. c_attn,c_proj,c_fc
Then one command per line on stdin, one JSON line per answer on stdout:
  run        the whole get_eva_state_dict -> {"seconds", "forward_seconds", "steps", "ranks"}
  save PATH  the last run's state as safetensors: "<layer>" F32 [rank, in] (PEFT's eva_state_dict)
  quit

What runs is what PEFT runs (peft/tuners/lora/eva.py, _get_eva_state_dict), with the classes of the
repository's port (tools/eva/peft_eva_reference.py: IncrementalPCA(lowrank=True, seed 42), SVDHook,
HashHook, find_equal_values, get_rank_distribution): one forward of the first batch with a HashHook on
every target, then SVDHooks, cycling the batches until every layer has converged; every forward pass
is the whole model with its LM head and loss (HF's GPT2LMHeadModel(**inputs) with labels), under
torch.no_grad(). The model is GPT-2 written out in torch after transformers' modeling_gpt2.py (eager
attention, gelu_new, tied head; as tools/models/make_parity_fixtures.py), since transformers itself is
not installable here; a hook sees the target layer's input rows where attention_mask == 1 and
labels != -100 (PEFT's prepare_layer_inputs_fn with the label mask, EVA-SPEC).
"""
import importlib.util
import json
import math
import os
import struct
import sys
import time
from itertools import cycle

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


peft = load_module(os.path.join(HERE, "..", "eva", "peft_eva_reference.py"), "peft_eva_reference")
DTYPES = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for key, info in header.items():
        start, end = info["data_offsets"]
        raw = blob[8 + n + start:8 + n + end]
        if info["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
        out[key] = torch.from_numpy(np.array(arr.reshape(info["shape"]), dtype=np.float32 if info["dtype"] in ("F32", "F16", "BF16") else arr.dtype))
    return out


def write_f32(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Gpt2:
    """GPT2LMHeadModel forward (transformers modeling_gpt2.py, eager attention) with PEFT-style forward hooks."""

    def __init__(self, directory):
        with open(os.path.join(directory, "config.json")) as f:
            self.cfg = json.load(f)
        w = read_safetensors(os.path.join(directory, "model.safetensors"))
        self.w = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in w.items()}
        self.names = [f"transformer.h.{i}.{m}" for i in range(self.cfg["n_layer"]) for m in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")]
        self.hooks = {}  # module path -> callable(layer_input_rows)
        self.hook_seconds = 0.0  # time inside the hooks (masking, hashing, incremental PCA)

    def tap(self, name, x, mask):
        hook = self.hooks.get(name)
        if hook is not None:
            t0 = time.perf_counter()
            hook(x[mask])  # PEFT: prepare_layer_inputs_fn -> layer_input[mask]
            self.hook_seconds += time.perf_counter() - t0

    def __call__(self, input_ids, attention_mask, labels):
        cfg, w = self.cfg, self.w
        B, T = input_ids.shape
        d, H = cfg["n_embd"], cfg["n_head"]
        hd = d // H
        eps = cfg["layer_norm_epsilon"]
        mask = attention_mask.bool() & (labels != -100)
        ln = lambda x, p: torch.nn.functional.layer_norm(x, (d,), w[p + ".weight"], w[p + ".bias"], eps)
        conv1d = lambda x, p: torch.addmm(w[p + ".bias"], x.view(-1, x.shape[-1]), w[p + ".weight"]).view(*x.shape[:-1], -1)
        pos = torch.arange(T)
        h = w["wte.weight"][input_ids] + w["wpe.weight"][pos]
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))[None, None]
        pad = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for i in range(cfg["n_layer"]):
            p = f"h.{i}"
            a = ln(h, p + ".ln_1")
            self.tap("transformer." + p + ".attn.c_attn", a, mask)
            q, k, v = conv1d(a, p + ".attn.c_attn").split(d, dim=2)
            heads = lambda t: t.view(B, T, H, hd).permute(0, 2, 1, 3)
            q, k, v = heads(q), heads(k), heads(v)
            att = q @ k.transpose(-1, -2) / math.sqrt(hd)
            att = torch.where(causal, att, torch.tensor(torch.finfo(torch.float32).min)) + pad
            o = (torch.softmax(att, dim=-1) @ v).permute(0, 2, 1, 3).reshape(B, T, d)
            self.tap("transformer." + p + ".attn.c_proj", o, mask)
            h = h + conv1d(o, p + ".attn.c_proj")
            x = ln(h, p + ".ln_2")
            self.tap("transformer." + p + ".mlp.c_fc", x, mask)
            m = conv1d(x, p + ".mlp.c_fc")
            m = 0.5 * m * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (m + 0.044715 * torch.pow(m, 3.0))))  # gelu_new
            self.tap("transformer." + p + ".mlp.c_proj", m, mask)
            h = h + conv1d(m, p + ".mlp.c_proj")
        logits = ln(h, "ln_f") @ w["wte.weight"].T  # tied lm_head
        shift = labels[:, 1:].masked_fill(attention_mask[:, 1:] == 0, -100)
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), shift.reshape(-1), ignore_index=-100)
        return logits, loss


def get_eva_state_dict(model, batches, targets, r, rho, tau):
    """peft/tuners/lora/eva.py _get_eva_state_dict, with the hooks on the model's target layers."""
    layer_names = [n for n in model.names if any(n == t or n.endswith("." + t) for t in targets)]
    widths = {}
    hooks = {}
    max_components = {}
    rank_budget = 0
    forward_seconds = 0.0

    def forward(inputs):
        nonlocal forward_seconds
        t0 = time.perf_counter()
        model(**inputs)
        forward_seconds += time.perf_counter() - t0

    for name in layer_names:
        hook = peft.HashHook(name)
        hooks[name] = hook
        model.hooks[name] = lambda x, hook=hook, name=name: (widths.__setitem__(name, x.shape[1]), hook(x))
        rank_budget += r
    forward(batches[0])  # the hashing forward
    for name in layer_names:
        max_components[name] = min(round(r * rho), widths[name])
    hash_dict = {k: h.hashed_inputs[0] for k, h in hooks.items()}
    equal_inputs = list(peft.find_equal_values(hash_dict).values())
    equal_inputs_map = {vv: v[0] for v in equal_inputs for vv in v[1:]}
    for names in equal_inputs:
        max_value = max(max_components[n] for n in names)
        for n in names:
            max_components[n] = max_value
    for name in list(hooks.keys()):
        hooks.pop(name)
        model.hooks.pop(name)
        if name in equal_inputs_map:
            continue
        hooks[name] = peft.SVDHook(name, max_components[name], tau, lowrank=True)
        model.hooks[name] = hooks[name]
    layer_hook_map = {**dict(zip(hooks.keys(), hooks.keys())), **equal_inputs_map}
    convergence_dict = {k: False for k in hooks.keys()}
    rank_dist = max_components.copy()
    steps = 0
    for inputs in cycle(batches):
        for name in list(hooks.keys()):
            hook = hooks[name]
            converged = torch.all(hook.converged[: rank_dist[name]])
            if (not convergence_dict[name]) and converged and name in model.hooks:
                model.hooks.pop(name)
                convergence_dict[name] = True
                continue
            elif convergence_dict[name] and not converged:
                model.hooks[name] = hook
                convergence_dict[name] = False
        if all(convergence_dict.values()):
            break
        forward(inputs)
        steps += 1
        if not all(hasattr(h.svd, "components_") for h in hooks.values()):
            continue
        rank_dist = peft.get_rank_distribution(hooks, layer_hook_map, equal_inputs_map, rank_budget, max_components)
    model.hooks.clear()
    state = {}
    for name in layer_names:
        svd = hooks[layer_hook_map[name]].svd
        state[name] = svd.components_[: rank_dist[name]].clone().float()
    return state, {k: int(v) for k, v in rank_dist.items()}, steps, forward_seconds


def main():
    torch.set_num_threads(1)
    directory, batch_file, r, rho, tau, targets = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6].split(",")
    model = Gpt2(directory)
    raw = read_safetensors(batch_file)
    batches = [{"input_ids": raw["input_ids"][i].long(), "attention_mask": raw["attention_mask"][i].long(), "labels": raw["labels"][i].long()}
               for i in range(raw["input_ids"].shape[0])]
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    last = None
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "run":
            t0 = time.perf_counter()
            model.hook_seconds = 0.0
            with torch.no_grad():
                state, ranks, steps, forward_seconds = get_eva_state_dict(model, batches, targets, r, rho, tau)
            seconds = time.perf_counter() - t0
            last = state
            # forward_seconds: whole forward passes (the hooks run inside them); hook_seconds: the hooks alone
            answer = {"seconds": seconds, "forward_seconds": forward_seconds, "hook_seconds": model.hook_seconds, "steps": steps, "ranks": ranks}
        elif cmd == "save":
            write_f32(arg, {k: v.numpy() for k, v in last.items()})
            answer = {"ok": True}
        else:
            break
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
