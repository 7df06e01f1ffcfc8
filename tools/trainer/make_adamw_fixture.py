"""Reference optimizer trajectories from PyTorch for @peftjs/trainer's tests.

Run: /usr/bin/python3 tools/trainer/make_adamw_fixture.py
Writes packages/trainer/test/fixtures/optimizer-reference.json.

Problem: y_hat = x @ W^T + b with W [3, 4], b [3]; loss = mean((y_hat - y)^2).
Each case runs `steps` optimizer steps; step t uses micro-batches batches[t*accum : (t+1)*accum]
(each micro loss divided by accum before backward, as gradient accumulation does), then
optional torch.nn.utils.clip_grad_norm_, optimizer.step(), scheduler.step() (HF LambdaLR schedules).
Recorded per step: mean micro loss, pre-clip total grad norm, the learning rate used, W and b after the step.

Parameter groups: "hf" (the default) builds Hugging Face Trainer's two groups
(transformers.Trainer.create_optimizer with get_decay_parameter_names): W takes weight_decay, the bias
takes 0. "all" puts both in one group with weight_decay, as a bare torch optimizer over [W, b] does.
"""
import json
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float32)


def hf_constant(warmup):
    return lambda s: s / max(1.0, warmup) if s < warmup else 1.0


def hf_linear(warmup, total):
    def f(s):
        if s < warmup:
            return float(s) / float(max(1, warmup))
        return max(0.0, float(total - s) / float(max(1, total - warmup)))
    return f


def hf_cosine(warmup, total, cycles=0.5):
    # transformers.optimization._get_cosine_schedule_with_warmup_lr_lambda
    def f(s):
        if s < warmup:
            return float(s) / float(max(1, warmup))
        progress = float(s - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress)))
    return f


def f32list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def run_case(case, w0, b0, batches):
    w = torch.nn.Parameter(torch.tensor(w0))
    b = torch.nn.Parameter(torch.tensor(b0))
    opt_cfg = case["optimizer"]
    wd = opt_cfg["weightDecay"]
    if case.get("groups", "hf") == "hf":
        groups = [{"params": [w], "weight_decay": wd}, {"params": [b], "weight_decay": 0.0}]
    else:
        groups = [{"params": [w, b], "weight_decay": wd}]
    if opt_cfg["kind"] == "adamw":
        opt = torch.optim.AdamW(groups, lr=opt_cfg["lr"], betas=tuple(opt_cfg["betas"]), eps=opt_cfg["eps"])
    else:
        opt = torch.optim.SGD(groups, lr=opt_cfg["lr"], momentum=opt_cfg["momentum"], dampening=opt_cfg["dampening"],
                              nesterov=opt_cfg["nesterov"])
    sched_cfg = case["schedule"]
    if sched_cfg["kind"] == "constant":
        lam = hf_constant(sched_cfg.get("warmupSteps", 0))
    elif sched_cfg["kind"] == "linear":
        lam = hf_linear(sched_cfg["warmupSteps"], sched_cfg["totalSteps"])
    else:
        lam = hf_cosine(sched_cfg["warmupSteps"], sched_cfg["totalSteps"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
    accum = case["accumulation"]
    out = []
    for t in range(case["steps"]):
        opt.zero_grad()
        losses = []
        for k in range(accum):
            x, y = batches[t * accum + k]
            x = torch.tensor(x)
            y = torch.tensor(y)
            loss = torch.mean((x @ w.T + b - y) ** 2)
            losses.append(loss.item())
            (loss / accum).backward()
        if case["clipNorm"] is not None:
            norm = torch.nn.utils.clip_grad_norm_([w, b], case["clipNorm"]).item()
        else:
            norm = torch.norm(torch.stack([torch.norm(w.grad), torch.norm(b.grad)])).item()
        lr = opt.param_groups[0]["lr"]
        opt.step()
        sched.step()
        out.append({"loss": float(np.mean(losses)), "gradNorm": norm, "lr": lr,
                    "weight": f32list(w.detach().numpy()), "bias": f32list(b.detach().numpy())})
    return out


def main():
    rs = np.random.RandomState(7)
    w0 = rs.randn(3, 4).astype(np.float32)
    b0 = rs.randn(3).astype(np.float32)
    w_true = rs.randn(3, 4).astype(np.float32)
    n_batches = 16
    batches = []
    for _ in range(n_batches):
        x = rs.randn(5, 4).astype(np.float32)
        y = (x @ w_true.T + 0.1 * rs.randn(5, 3)).astype(np.float32)
        batches.append((x, y))
    adamw = {"kind": "adamw", "lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8, "weightDecay": 0.1}
    cases = [
        {"name": "adamw-constant", "optimizer": adamw, "schedule": {"kind": "constant"},
         "clipNorm": None, "accumulation": 1, "steps": 8},
        {"name": "adamw-clip-cosine", "optimizer": {**adamw, "lr": 0.1, "betas": [0.8, 0.95], "eps": 1e-6, "weightDecay": 0.05},
         "schedule": {"kind": "cosine", "warmupSteps": 2, "totalSteps": 8}, "clipNorm": 0.5, "accumulation": 1, "steps": 8},
        {"name": "adamw-accumulate-linear", "optimizer": adamw,
         "schedule": {"kind": "linear", "warmupSteps": 1, "totalSteps": 8}, "clipNorm": 1.0, "accumulation": 2, "steps": 6},
        {"name": "sgd-momentum", "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.9, "dampening": 0.0,
                                                "nesterov": False, "weightDecay": 0.01},
         "schedule": {"kind": "constant", "warmupSteps": 2}, "clipNorm": None, "accumulation": 1, "steps": 6},
        {"name": "sgd-nesterov", "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.9, "dampening": 0.0,
                                                "nesterov": True, "weightDecay": 0.0},
         "schedule": {"kind": "constant"}, "clipNorm": 2.0, "accumulation": 1, "steps": 6},
        {"name": "adamw-decay-all-groups", "groups": "all", "optimizer": adamw, "schedule": {"kind": "constant"},
         "clipNorm": None, "accumulation": 1, "steps": 4},
        {"name": "sgd-decay-all-groups", "groups": "all", "optimizer": {"kind": "sgd", "lr": 0.05, "momentum": 0.9,
                                                                         "dampening": 0.0, "nesterov": False, "weightDecay": 0.01},
         "schedule": {"kind": "constant"}, "clipNorm": None, "accumulation": 1, "steps": 4},
    ]
    result = {
        "generator": "tools/trainer/make_adamw_fixture.py",
        "torch": torch.__version__,
        "initial": {"weight": f32list(w0), "bias": f32list(b0), "weightShape": [3, 4]},
        "batches": [{"x": f32list(x), "y": f32list(y), "rows": 5} for x, y in batches],
        "cases": [],
    }
    for case in cases:
        result["cases"].append({"groups": "hf", **case, "trajectory": run_case(case, w0, b0, batches)})
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "packages", "trainer", "test", "fixtures", "optimizer-reference.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
