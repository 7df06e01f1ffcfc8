#!/usr/bin/python3
"""Reference EVA state for packages/eva/src/peft-parity.test.ts: a port of Hugging Face PEFT's
`get_eva_state_dict` loop (src/peft/tuners/lora/eva.py: `_get_eva_state_dict`, `SVDHook`,
`HashHook`, `find_equal_values`, `_get_rank_distribution`) and of its incremental PCA
(src/peft/utils/incremental_pca.py: `IncrementalPCA` with `lowrank=True, lowrank_seed=42`, so
`torch.svd_lowrank(X, q=2k, niter=4)` under `torch.manual_seed(42)`, the default that
`SVDHook` uses), run with torch on layer inputs instead of a torch model.

Python `peft`/`transformers` are not installable here, so this is a re-implementation kept as
close to PEFT's source (main branch, 2025) as the setting allows. The model forward is replaced
by the layer inputs that tools/eva/dump-layer-inputs.ts captured from tinyGpt2(0) (rows kept by
attention mask and label mask, in (batch, position) order as PEFT's `mask.nonzero()`):

    packages/eva/test/fixtures/peft-parity-inputs.safetensors   keys "<layer>/<batch>", F32 [n, d]

"Forwarding batch b" = calling every attached hook with its layer's rows of batch b, in module order.
As in PEFT: one extra forward of the first batch feeds only the HashHooks (identical-input groups,
found by hashing the first batch's inputs), then `cycle(dataloader)` restarts at batch 0 and
replays the batches until every layer's components up to its allotted rank have converged
(per-component signed cosine to the previous fit >= tau); a converged layer's hook is removed and is
re-registered if its rank later grows onto unconverged components; ranks are redistributed after
every forward (top `budget = r * n_layers` explained-variance ratios across layers, each layer
offering its first `round(r * rho)` ratios; Python round = half to even).

Where PEFT has a bug that EVA-SPEC.md documents, this follows the SPEC's fixed behaviour:
  * label mask: PEFT before v0.20 tested `hasattr(dict, "labels")` and never applied it; the rows
    dumped here are kept by attention mask AND labels != -100 (the v0.20+ / SPEC behaviour).
  * k > rows or k > width: PEFT's IncrementalPCA raises; here k = min(round(r*rho), width) and a
    batch with fewer rows than k is skipped for that layer (PEFT's SVDHook already skips the
    latter). Neither happens with this fixture (k = 8, widths 32/128, ~57 rows per batch).
  * whiten aliasing: whiten is False here and the output holds raw components (no division), so
    PEFT's in-place `u /= ...` on shared group storage cannot occur.
  * rsLoRA alpha: not part of the EVA state (only of loading it), so not involved.
Also: PEFT loops forever when nothing converges; this stops at MAX_STEPS with an error.
The random draws are torch 1.13's `svd_lowrank` (Gaussian test matrix of the stacked matrix's
dtype); other torch versions may draw differently, which only moves results within the
randomized solver's accuracy.

Writes packages/eva/test/fixtures/peft-parity-expected.json. Run (after the dump):
    cd /work/main && /usr/bin/python3 tools/eva/peft_eva_reference.py
"""

import json
import os
import struct
import sys
from collections import Counter, defaultdict
from functools import partial
from itertools import cycle

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "packages", "eva", "test", "fixtures")
INPUTS = os.path.join(FIXTURES, "peft-parity-inputs.safetensors")
OUTPUT = os.path.join(FIXTURES, "peft-parity-expected.json")

# EvaConfig / LoraConfig of the parity test (tools/eva/parity-data.ts PARITY_CONFIG).
R = 4
RHO = 2.0
TAU = 0.99
LOWRANK_NITER = 4  # IncrementalPCA default
LOWRANK_SEED = 42  # SVDHook passes lowrank_seed=42
MAX_STEPS = 2000


def read_safetensors(path):
    """Minimal safetensors reader (8-byte LE header length, JSON header, raw LE data)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    dtypes = {"F32": np.float32, "F64": np.float64}
    tensors = {}
    for key, info in header.items():
        start, end = info["data_offsets"]
        arr = np.frombuffer(blob[base + start : base + end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        tensors[key] = arr.copy()
    return tensors, meta


# ---------------------------------------------------------------------------------------------
# peft/utils/incremental_pca.py (the parts partial_fit uses), ported as is
# ---------------------------------------------------------------------------------------------
class IncrementalPCA:
    def __init__(self, n_components=None, copy=True, lowrank=False, lowrank_q=None, lowrank_niter=4, lowrank_seed=None):
        self.n_components_ = n_components
        self.copy = copy
        self.n_features_ = None
        if lowrank:
            if lowrank_q is None:
                lowrank_q = n_components * 2
            if lowrank_q < n_components:
                raise ValueError("lowrank_q must be greater than or equal to n_components.")

            def svd_fn(X, seed):
                if seed is not None:
                    rng_state = torch.get_rng_state()
                    torch.manual_seed(seed)
                try:
                    U, S, V = torch.svd_lowrank(X, q=lowrank_q, niter=lowrank_niter)
                finally:
                    if seed is not None:
                        torch.set_rng_state(rng_state)
                return U, S, V.mH

            self._svd_fn = partial(svd_fn, seed=lowrank_seed)
        else:
            self._svd_fn = partial(torch.linalg.svd, full_matrices=False)

    def _validate_data(self, X):
        if not isinstance(X, torch.Tensor):
            X = torch.tensor(X, dtype=torch.float32)
        elif self.copy:
            X = X.clone()
        n_samples, n_features = X.shape
        # PEFT raises for n_components > n_features / n_samples; the SPEC clamps k to the width
        # (done by the caller) and skips short batches (done by SVDHook, as PEFT).
        if X.dtype not in (torch.float32, torch.float64):
            X = X.to(torch.float32)
        return X

    @staticmethod
    def _incremental_mean_and_var(X, last_mean, last_variance, last_sample_count):
        if X.shape[0] == 0:
            return last_mean, last_variance, last_sample_count
        new_sample_count = torch.tensor([X.shape[0]], device=X.device)
        updated_sample_count = last_sample_count + new_sample_count
        if last_mean is None:
            last_sum = torch.zeros(X.shape[1], dtype=torch.float64, device=X.device)
        else:
            last_sum = last_mean * last_sample_count
        new_sum = X.sum(dim=0, dtype=torch.float64)
        updated_mean = (last_sum + new_sum) / updated_sample_count
        T = new_sum / new_sample_count
        temp = X - T
        correction = temp.sum(dim=0, dtype=torch.float64).square()
        temp.square_()
        new_unnormalized_variance = temp.sum(dim=0, dtype=torch.float64)
        new_unnormalized_variance -= correction / new_sample_count
        if last_variance is None:
            updated_variance = new_unnormalized_variance / updated_sample_count
        else:
            last_unnormalized_variance = last_variance * last_sample_count
            last_over_new_count = last_sample_count.double() / new_sample_count
            updated_unnormalized_variance = (
                last_unnormalized_variance
                + new_unnormalized_variance
                + last_over_new_count / updated_sample_count * (last_sum / last_over_new_count - new_sum).square()
            )
            updated_variance = updated_unnormalized_variance / updated_sample_count
        return updated_mean, updated_variance, updated_sample_count

    @staticmethod
    def _svd_flip(u, v, u_based_decision=True):
        if u_based_decision:
            max_abs_cols = torch.argmax(torch.abs(u), dim=0)
            signs = torch.sign(u[max_abs_cols, range(u.shape[1])])
        else:
            max_abs_rows = torch.argmax(torch.abs(v), dim=1)
            signs = torch.sign(v[range(v.shape[0]), max_abs_rows])
        u *= signs[: u.shape[1]].view(1, -1)
        v *= signs.view(-1, 1)
        return u, v

    def partial_fit(self, X, check_input=True):
        first_pass = not hasattr(self, "components_")
        if check_input:
            X = self._validate_data(X)
        n_samples, n_features = X.shape
        if first_pass:
            self.mean_ = None
            self.var_ = None
            self.n_samples_seen_ = torch.tensor([0], device=X.device)
            self.n_features_ = n_features
            if not self.n_components_:
                self.n_components_ = min(n_samples, n_features)
        if n_features != self.n_features_:
            raise ValueError("Number of features of the new batch does not match the number of features of the first batch.")
        col_mean, col_var, n_total_samples = self._incremental_mean_and_var(X, self.mean_, self.var_, self.n_samples_seen_)
        if first_pass:
            X -= col_mean
        else:
            col_batch_mean = torch.mean(X, dim=0)
            X -= col_batch_mean
            mean_correction_factor = torch.sqrt((self.n_samples_seen_.double() / n_total_samples) * n_samples)
            mean_correction = mean_correction_factor * (self.mean_ - col_batch_mean)
            X = torch.vstack((self.singular_values_.view((-1, 1)) * self.components_, X, mean_correction))
        U, S, Vt = self._svd_fn(X)
        U, Vt = self._svd_flip(U, Vt, u_based_decision=False)
        explained_variance = S**2 / (n_total_samples - 1)
        explained_variance_ratio = S**2 / torch.sum(col_var * n_total_samples)
        self.n_samples_seen_ = n_total_samples
        self.components_ = Vt[: self.n_components_]
        self.singular_values_ = S[: self.n_components_]
        self.mean_ = col_mean
        self.var_ = col_var
        self.explained_variance_ = explained_variance[: self.n_components_]
        self.explained_variance_ratio_ = explained_variance_ratio[: self.n_components_]
        return self


# ---------------------------------------------------------------------------------------------
# peft/tuners/lora/eva.py: hooks and the loop of _get_eva_state_dict
# ---------------------------------------------------------------------------------------------
class SVDHook:
    def __init__(self, name, n_components, sim_thresh, lowrank=True):
        self.name = name
        self.n_components = n_components
        self.sim_thresh = sim_thresh
        self.svd = IncrementalPCA(n_components=n_components, copy=True, lowrank=lowrank, lowrank_niter=LOWRANK_NITER, lowrank_seed=LOWRANK_SEED)
        self.converged = torch.zeros((n_components,), dtype=torch.bool)
        self.fits = 0

    @torch.no_grad()
    def __call__(self, states):
        previous_components = None
        if hasattr(self.svd, "components_"):
            previous_components = self.svd.components_.clone().detach()
        if states.size(0) < self.n_components:
            return  # PEFT: "skipping SVD for <name> because there are less than k examples"
        self.svd.partial_fit(states.to(torch.float32))
        self.fits += 1
        if previous_components is None:
            return
        components = self.svd.components_
        if len(components.shape) == 1:
            components = components.reshape(1, -1)
            previous_components = previous_components.reshape(1, -1)
        sim = torch.nn.functional.cosine_similarity(components, previous_components)
        self.converged = sim >= self.sim_thresh


class HashHook:
    def __init__(self, name):
        self.name = name
        self.hashed_inputs = []

    @staticmethod
    def hash_fn(tensor):
        return hash(tuple(tensor.view(-1).tolist()))

    def __call__(self, states):
        self.hashed_inputs.append(self.hash_fn(states.cpu()))


def find_equal_values(dictionary):
    value_dict = defaultdict(list)
    for k, v in dictionary.items():
        value_dict[v].append(k)
    return {k: v for k, v in value_dict.items() if len(v) > 1}


def get_rank_distribution(hooks, layer_hook_map, equal_inputs_map, rank_budget, max_components):
    exp_vars = {k: h.svd.explained_variance_ratio_[: max_components[k]] for k, h in hooks.items()}
    keys, values = zip(*[(k, c) for k, name in layer_hook_map.items() for c in exp_vars[name]])
    idx = torch.stack(values).argsort(descending=True)
    counts = Counter([keys[i] for i in idx[:rank_budget]])
    counts = {k: counts.get(k, 0) for k in layer_hook_map.keys()}
    for k, k_hook in equal_inputs_map.items():
        rank, rank_hook = counts[k], counts[k_hook]
        if rank_hook >= rank:
            continue
        counts[k_hook], counts[k] = rank, rank_hook
    return counts


def rounded(t, digits):
    """Nested lists of floats with `digits` significant digits (keeps the JSON small)."""
    return json.loads(json.dumps(np.vectorize(lambda v: float(f"{v:.{digits}g}"))(t.double().numpy()).tolist()))


def eva_state(layer_names, widths, batches, lowrank):
    """`batches`: list of {layer: torch [n, d]}; returns the EVA state and how the run went."""
    attached = {}  # layer -> hook object registered as a forward hook ("handle")

    def forward(batch):
        for name in layer_names:  # module order
            if name in attached:
                attached[name](batch[name])

    hooks = {}
    max_components = {}
    rank_budget = 0
    for name in layer_names:
        hook = HashHook(name)
        attached[name] = hook
        hooks[name] = hook
        max_components[name] = min(round(R * RHO), widths[name])  # SPEC: clamp k to the width
        rank_budget += R

    forward(batches[0])  # the hashing forward
    hash_dict = {k: h.hashed_inputs[0] for k, h in hooks.items()}
    equal_inputs = list(find_equal_values(hash_dict).values())
    equal_inputs_map = {vv: v[0] for v in equal_inputs for vv in v[1:]}
    for names in equal_inputs:
        max_value = max(max_components[n] for n in names)
        for n in names:
            max_components[n] = max_value

    for name in list(hooks.keys()):
        hooks.pop(name)
        attached.pop(name)
        if name in equal_inputs_map:
            continue
        hooks[name] = SVDHook(name, max_components[name], TAU, lowrank=lowrank)
        attached[name] = hooks[name]
    layer_hook_map = {**dict(zip(hooks.keys(), hooks.keys())), **equal_inputs_map}

    convergence_dict = {k: False for k in hooks.keys()}
    rank_dist = max_components.copy()
    steps = 0
    history = []
    for inputs in cycle(batches):
        for name in list(hooks.keys()):
            hook = hooks[name]
            converged = torch.all(hook.converged[: rank_dist[name]])
            if (not convergence_dict[name]) and converged and name in attached:
                attached.pop(name)
                convergence_dict[name] = True
                continue
            elif convergence_dict[name] and not converged:
                attached[name] = hook
                convergence_dict[name] = False
        if all(convergence_dict.values()):
            break
        if steps >= MAX_STEPS:
            raise RuntimeError(f"no convergence within {MAX_STEPS} steps (PEFT would loop forever); lower TAU")
        forward(inputs)
        steps += 1
        if not all(hasattr(h.svd, "components_") for h in hooks.values()):
            continue
        rank_dist = get_rank_distribution(hooks, layer_hook_map, equal_inputs_map, rank_budget, max_components)
        history.append({"step": steps, "ranks": [int(rank_dist[n]) for n in layer_names], "attached": [n in attached for n in layer_names]})

    layers = {}
    for name in layer_names:
        rank = int(rank_dist[name])
        hook = hooks[layer_hook_map[name]]
        if not torch.all(hook.converged[:rank]):
            raise RuntimeError(f"layer {name} has not converged but was assigned rank {rank}")
        svd = hook.svd
        layers[name] = {
            "rank": rank,
            "group": layer_hook_map[name] if name in equal_inputs_map or name in equal_inputs_map.values() else None,
            "fits": hook.fits,
            "samples_seen": int(svd.n_samples_seen_.item()),
            "components": rounded(svd.components_, 8),  # all k rows; the state is rows [:rank]
            "singular_values": rounded(svd.singular_values_, 12),
            "explained_variance_ratio": rounded(svd.explained_variance_ratio_, 12),
        }
    return {"steps": steps, "hash_forwards": 1, "layers": layers, "history": history}


def main():
    tensors, meta = read_safetensors(INPUTS)
    layer_names = json.loads(meta["layers"])
    n_batches = int(meta["batches"])
    batches = [{name: torch.from_numpy(tensors[f"{name}/{b}"]) for name in layer_names} for b in range(n_batches)]
    widths = {name: batches[0][name].shape[1] for name in layer_names}
    runs = {}
    for label, lowrank in (("lowrank", True), ("exact", False)):
        runs[label] = eva_state(layer_names, widths, batches, lowrank)
        ranks = [runs[label]["layers"][n]["rank"] for n in layer_names]
        print(f"{label}: steps {runs[label]['steps']}, ranks {ranks}, fits {[runs[label]['layers'][n]['fits'] for n in layer_names]}", file=sys.stderr)
    out = {
        "generator": "tools/eva/peft_eva_reference.py (port of PEFT get_eva_state_dict + IncrementalPCA)",
        "torch": torch.__version__,
        "config": {"r": R, "rho": RHO, "tau": TAU, "lowrank_q": "2k", "lowrank_niter": LOWRANK_NITER, "lowrank_seed": LOWRANK_SEED, "use_label_mask": True, "whiten": False},
        "inputs": {"file": os.path.basename(INPUTS), "batches": n_batches, "metadata": meta},
        "layers": layer_names,
        "runs": runs,
    }
    with open(OUTPUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {OUTPUT} ({os.path.getsize(OUTPUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
