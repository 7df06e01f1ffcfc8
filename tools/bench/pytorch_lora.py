"""The PyTorch side of the paired comparison: the same GPT-2 (4 layers, width 128, vocab 256, 4 heads,
dropout 0), batch 8 x 128, LoRA r=8 alpha=16 on c_attn/c_proj/c_fc (HF GPT-2 module names), AdamW
lr 1e-3, or forward-only passes under no_grad. Written out in plain torch (Debian python3-torch has no
transformers/peft): eager attention with an explicit causal mask as HF GPT2Attention's eager path,
LoRA as PEFT's Linear (x W^T + b + s (x A^T) B^T, A kaiming-uniform, B zeros).

Run: /usr/bin/python3 tools/bench/pytorch_lora.py --threads 1 --mode train|forward [--steps 10] [--warmup 2]
Prints one JSON line.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--mode", default="train")
p.add_argument("--steps", type=int, default=None)
p.add_argument("--warmup", type=int, default=2)
args = p.parse_args()
steps = args.steps or (10 if args.mode == "train" else 20)
torch.set_num_threads(args.threads)
torch.manual_seed(0)
B, T, V, D, H, L, R = 8, 128, 256, 128, 4, 4, 8


class LoraLinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float):
        super().__init__()
        self.base = base
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.scaling = alpha / r

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.t() @ self.lora_B.t()) * self.scaling


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(D)
        self.c_attn = nn.Linear(D, 3 * D)
        self.attn_proj = nn.Linear(D, D)
        self.ln_2 = nn.LayerNorm(D)
        self.c_fc = nn.Linear(D, 4 * D)
        self.mlp_proj = nn.Linear(4 * D, D)

    def forward(self, x, mask):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, H, d // H).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // H)
        att = torch.softmax(att.masked_fill(mask, torch.finfo(att.dtype).min), dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, d)
        x = x + self.attn_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, D)
        self.wpe = nn.Embedding(256, D)
        self.h = nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = nn.LayerNorm(D)

    def forward(self, ids):
        t = ids.shape[1]
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        x = self.wte(ids) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x, mask)
        return self.ln_f(x) @ self.wte.weight.t()  # tied head


model = Gpt2()
gen = torch.Generator().manual_seed(1)
stamps = []
if args.mode == "train":
    for p_ in model.parameters():
        p_.requires_grad_(False)
    for block in model.h:
        for name in ("c_attn", "attn_proj", "c_fc", "mlp_proj"):
            setattr(block, name, LoraLinear(getattr(block, name), R, 16))
    params = [p_ for p_ in model.parameters() if p_.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-3)
    model.train()
    for _ in range(args.warmup + steps):
        ids = torch.randint(0, V, (B, T), generator=gen)
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        stamps.append(time.perf_counter())
else:
    model.eval()
    with torch.no_grad():
        for _ in range(args.warmup + steps):
            ids = torch.randint(0, V, (B, T), generator=gen)
            model(ids)
            stamps.append(time.perf_counter())
seconds = stamps[-1] - stamps[args.warmup - 1]
print(json.dumps({
    "impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(), "mode": args.mode,
    "batch": [B, T], "steps": steps, "msPerStep": seconds / steps * 1000, "tokensPerSecond": steps * B * T / seconds,
}))
