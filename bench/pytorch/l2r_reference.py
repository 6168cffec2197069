"""PyTorch reference of the L2R pipeline as the engine runs it, for `npm run bench`.

One pipeline, two frozen backbones:
- the default (vector) backbone, from the engine's cached stem features and frozen layer weights
  (exported by export-features.mts): frozen layers h <- LN(h + GELU(h W_l));
- a 4-layer post-LN transformer encoder (d=256, 4 heads, FFN 1024, GELU, sequences of 64) with random
  weights and token ids, from the manifest transformer.mts writes: throughput only.
After each frozen layer a residual bottleneck adapter relu(h D + bd) U + bu (on every token for the
transformer, whose routers and heads see the mean of the tokens), one head per task; adapters trained
one task at a time with earlier adapters off; a memory per task (random or class-balanced); per-layer
Gumbel-sigmoid routers (and the heads) trained on the memory over the union of classes with the wavg
composition, task supervision and the head anchor, plus feature replay on the vector backbone; wavg
(and merge, vector backbone) inference in CIL and in TIL (the task's own adapter and isolated head,
or the routed representation). Same hyper-parameters and batch sizes as the engine. Prints one JSON
line: phase throughputs, wall time, peak memory, accuracies.

Usage: OPENBLAS_NUM_THREADS=1 python3 l2r_reference.py EXPORT_DIR [threads]
       OPENBLAS_NUM_THREADS=1 python3 l2r_reference.py --transformer MANIFEST [threads]
"""
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

VOCAB = 30522


class TaskModule(torch.nn.Module):
    def __init__(self, layers, dim, bottleneck, classes):
        super().__init__()
        self.down = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(dim, bottleneck) / math.sqrt(dim)) for _ in range(layers)])
        self.down_b = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(bottleneck)) for _ in range(layers)])
        self.up = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(bottleneck, dim) * 1e-3) for _ in range(layers)])
        self.up_b = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(dim)) for _ in range(layers)])
        self.head_w = torch.nn.Parameter(torch.randn(dim, classes) / math.sqrt(dim))
        self.head_b = torch.nn.Parameter(torch.zeros(classes))

    def delta(self, h, l):
        return F.relu(h @ self.down[l] + self.down_b[l]) @ self.up[l] + self.up_b[l]

    def head(self, h):
        return h @ self.head_w + self.head_b


def route(h, routers, l, noise_temp):
    """Layer l's router scores (sigmoid, Gumbel noise while training) and their normalised weights."""
    logits = h @ routers[l][0] + routers[l][1]
    if noise_temp is not None:
        u = torch.rand_like(logits).clamp(1e-6, 1 - 1e-6)
        logits = (logits + torch.log(u) - torch.log1p(-u)) / noise_temp
    s = torch.sigmoid(logits)
    return s, s / s.sum(1, keepdim=True).clamp_min(1e-12)


class VectorBackbone:
    """The default backbone's frozen layers on the exported stem features."""

    def __init__(self, frozen):
        self.frozen = frozen

    @staticmethod
    def layer(h, w):
        return F.layer_norm(h + F.gelu(h @ w, approximate="tanh"), (h.shape[-1],))

    def single(self, x, mod):
        h = x
        for l, w in enumerate(self.frozen):
            h = self.layer(h, w)
            h = h + mod.delta(h, l)
        return h

    def composed(self, x, modules, routers, composition, noise_temp=None):
        h = x
        scores = []
        for l, w in enumerate(self.frozen):
            h = self.layer(h, w)
            s, wts = route(h, routers, l, noise_temp)
            scores.append(s)
            if composition == "wavg":
                h = h + sum(wts[:, i : i + 1] * m.delta(h, l) for i, m in enumerate(modules))
            else:
                down = torch.einsum("ba,adk->bdk", wts, torch.stack([m.down[l] for m in modules]))
                down_b = wts @ torch.stack([m.down_b[l] for m in modules])
                up = torch.einsum("ba,akd->bkd", wts, torch.stack([m.up[l] for m in modules]))
                up_b = wts @ torch.stack([m.up_b[l] for m in modules])
                z = F.relu(torch.einsum("bd,bdk->bk", h, down) + down_b)
                h = h + torch.einsum("bk,bkd->bd", z, up) + up_b
        return h, scores


class TransformerBackbone:
    """Frozen post-LN encoder layers over random token embeddings; adapters on every token."""

    def __init__(self, m):
        d = m["hidden"]
        self.embed = torch.nn.Embedding(VOCAB, d)
        self.encoder = torch.nn.ModuleList(
            [
                torch.nn.TransformerEncoderLayer(d, m["heads"], m["intermediate"], dropout=0.0, activation="gelu", batch_first=True)
                for _ in range(m["layers"])
            ]
        )
        for p in list(self.embed.parameters()) + list(self.encoder.parameters()):
            p.requires_grad_(False)

    def single(self, ids, mod):
        h = self.embed(ids)
        for l, layer in enumerate(self.encoder):
            h = layer(h)
            h = h + mod.delta(h, l)
        return h.mean(1)

    def composed(self, ids, modules, routers, composition, noise_temp=None):
        if composition != "wavg":
            raise ValueError("the transformer stream composes by wavg")
        h = self.embed(ids)
        scores = []
        for l, layer in enumerate(self.encoder):
            h = layer(h)
            s, wts = route(h.mean(1), routers, l, noise_temp)
            scores.append(s)
            h = h + sum(wts[:, i : i + 1, None] * m.delta(h, l) for i, m in enumerate(modules))
        return h.mean(1), scores


def feature_replay(tasks, offsets, per_task, covariance):
    """Pseudo-examples per task from its class means and the within-class covariance pooled over all
    tasks (the engine's feature_replay): classes in proportion to their training counts."""
    stats, scatter, dof = [], 0, 0
    for task in tasks:
        x, y = task["train"]
        counts = torch.bincount(y, minlength=task["classes"]).double()
        sums = torch.zeros(len(counts), x.shape[1], dtype=torch.float64).index_add_(0, y, x.double())
        means = sums / counts.clamp(min=1)[:, None]
        r = x.double() - means[y]
        scatter = scatter + (r.T @ r if covariance == "full" else (r * r).sum(0))
        dof += len(y) - int((counts > 0).sum())
        stats.append((means, counts))
    cov = scatter / max(1, dof)
    diag = cov.diagonal() if covariance == "full" else cov
    ridge = 1e-3 * float(diag.mean()) + 1e-12
    if covariance == "full":
        factor = torch.linalg.cholesky(cov + ridge * torch.eye(cov.shape[0], dtype=torch.float64))
    xs, ys, ts = [], [], []
    for t, (means, counts) in enumerate(stats):
        exact = counts / counts.sum() * per_task
        quota = exact.floor().long()
        rest = sorted(range(len(counts)), key=lambda c: (-(exact[c] - quota[c]).item(), c))
        for k in range(per_task - int(quota.sum())):
            quota[rest[k % len(rest)]] += 1
        for c, n in enumerate(quota.tolist()):
            if n == 0:
                continue
            z = torch.randn(n, means.shape[1], dtype=torch.float64)
            noise = z @ factor.T if covariance == "full" else z * (diag + ridge).sqrt()
            xs.append((means[c] + noise).float())
            ys.append(torch.full((n,), int(offsets[t]) + c, dtype=torch.long))
            ts.append(torch.full((n,), t, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys), torch.cat(ts)


def select_memory(labels, budget, strategy, rng):
    """`random`: a uniform sample; `balanced`: round-robin over classes, a random order within each."""
    if strategy != "balanced":
        return rng.choice(len(labels), budget, replace=False)
    pools = [list(rng.permutation(np.flatnonzero(labels == c))) for c in np.unique(labels)]
    chosen = []
    while len(chosen) < budget:
        for pool in pools:
            if pool and len(chosen) < budget:
                chosen.append(pool.pop())
    return np.array(chosen)


def run(backbone, tasks, dim, layers, a_spec, r_spec, memory, compositions, rng, replay=False):
    """The pipeline over `tasks` in order; returns the phases' throughputs and the accuracies."""
    modules, chosen = [], []
    adapter_examples, adapter_seconds = 0, 0.0
    for task in tasks:
        x, y = task["train"]
        mod = TaskModule(layers, dim, a_spec["bottleneck"], task["classes"])
        opt = torch.optim.Adam(mod.parameters(), lr=a_spec["lr"])
        t0 = time.perf_counter()
        for _ in range(a_spec["epochs"]):
            perm = torch.from_numpy(rng.permutation(len(y)))
            for i in range(0, len(y), a_spec["batchSize"]):
                idx = perm[i : i + a_spec["batchSize"]]
                loss = F.cross_entropy(mod.head(backbone.single(x[idx], mod)), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        adapter_seconds += time.perf_counter() - t0
        adapter_examples += a_spec["epochs"] * len(y)
        for p in mod.parameters():
            p.requires_grad_(False)
        modules.append(mod)
        size = memory["size"]
        budget = size["value"] if size["kind"] == "count" else round(size["value"] / 100 * len(y))
        budget = min(len(y), max(1, budget))
        chosen.append(torch.from_numpy(select_memory(y.numpy(), budget, memory["strategy"], rng)))

    offsets = np.cumsum([0] + [task["classes"] for task in tasks])
    mem_x = torch.cat([task["train"][0][idx] for task, idx in zip(tasks, chosen)])
    mem_y = torch.cat([task["train"][1][idx] + int(offsets[t]) for t, (task, idx) in enumerate(zip(tasks, chosen))])
    mem_t = torch.cat([torch.full((len(idx),), t, dtype=torch.long) for t, idx in enumerate(chosen)])
    per_task = r_spec.get("featureReplay", 0) if replay else 0
    if per_task > 0:
        rx, ry, rt = feature_replay(tasks, offsets, per_task, r_spec.get("replayCovariance", "full"))
        mem_x, mem_y, mem_t = torch.cat([mem_x, rx]), torch.cat([mem_y, ry]), torch.cat([mem_t, rt])
    # The heads as trained in isolation, for TIL with `til_heads = isolated`.
    isolated = [(mod.head_w.detach().clone(), mod.head_b.detach().clone()) for mod in modules]
    supervision = r_spec.get("taskSupervision", 0) if len(modules) > 1 else 0
    routers = [
        (torch.nn.Parameter(torch.randn(dim, len(modules)) * 0.01), torch.nn.Parameter(torch.zeros(len(modules))))
        for _ in range(layers)
    ]
    params = [p for r in routers for p in r]
    if r_spec["tuneHeads"]:
        for mod in modules:
            mod.head_w.requires_grad_(True)
            mod.head_b.requires_grad_(True)
            params += [mod.head_w, mod.head_b]
    opt = torch.optim.Adam(params, lr=r_spec["lr"])
    anchor = r_spec.get("headAnchor", 0) if r_spec["tuneHeads"] else 0
    steps_per_epoch = math.ceil(len(mem_y) / r_spec["batchSize"])
    epochs = max(r_spec["epochs"], math.ceil(r_spec["minSteps"] / steps_per_epoch))
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.from_numpy(rng.permutation(len(mem_y)))
        for i in range(0, len(mem_y), r_spec["batchSize"]):
            idx = perm[i : i + r_spec["batchSize"]]
            h, scores = backbone.composed(mem_x[idx], modules, routers, "wavg", r_spec["temperature"])
            loss = F.cross_entropy(torch.cat([mod.head(h) for mod in modules], 1), mem_y[idx])
            if anchor > 0:
                drift = sum(((mod.head_w - w) ** 2).sum() + ((mod.head_b - b) ** 2).sum() for mod, (w, b) in zip(modules, isolated))
                loss = loss + anchor * drift
            if supervision > 0:
                target = F.one_hot(mem_t[idx], len(modules)).float()
                bce = sum(F.binary_cross_entropy(s.clamp(1e-7, 1 - 1e-7), target) for s in scores) / len(scores)
                loss = loss + supervision * bce
            opt.zero_grad()
            loss.backward()
            opt.step()
    router_seconds = time.perf_counter() - t0
    router_examples = epochs * len(mem_y)

    results, inference_examples, inference_seconds = {}, 0, 0.0
    with torch.no_grad():
        for composition in compositions:
            # Accuracy per task, then their mean (as the engine reports it).
            per_task_cil, per_task_til = [], []
            t0 = time.perf_counter()
            for t, task in enumerate(tasks):
                x, y = task["test"]
                correct_cil = correct_til = 0
                for i in range(0, len(y), 256):
                    h, _ = backbone.composed(x[i : i + 256], modules, routers, composition)
                    logits = torch.cat([mod.head(h) for mod in modules], 1)
                    correct_cil += int((logits.argmax(1) == y[i : i + 256] + int(offsets[t])).sum())
                    # TIL knows the task: its own adapter (til_routing = task) or the routed h,
                    # with its isolated head (til_heads = isolated) or the tuned one.
                    til_h = backbone.single(x[i : i + 256], modules[t]) if r_spec.get("tilRouting") == "task" else h
                    if r_spec["tuneHeads"] and r_spec.get("tilHeads") == "isolated":
                        own = til_h @ isolated[t][0] + isolated[t][1]
                    else:
                        own = modules[t].head(til_h)
                    correct_til += int((own.argmax(1) == y[i : i + 256]).sum())
                per_task_cil.append(correct_cil / len(y))
                per_task_til.append(correct_til / len(y))
                inference_examples += len(y)
            inference_seconds += time.perf_counter() - t0
            results[f"l2r-{composition}"] = {
                "cil": 100 * float(np.mean(per_task_cil)),
                "til": 100 * float(np.mean(per_task_til)),
            }
    return {
        "adapterTraining": adapter_examples / adapter_seconds,
        "routerTraining": router_examples / router_seconds,
        "inference": inference_examples / inference_seconds,
        "results": results,
    }


def vector_stream(folder):
    """The exported stream: its backbone, tasks in order and settings."""
    with open(os.path.join(folder, "manifest.json")) as f:
        m = json.load(f)
    d = m["dim"]

    def arr(name, dtype, shape):
        return torch.from_numpy(np.fromfile(os.path.join(folder, name), dtype=dtype).reshape(shape).copy())

    frozen = [arr(name, np.float32, (d, d)) for name in m["frozen"]]
    by_name = {}
    for t in m["tasks"]:
        by_name[t["name"]] = {
            "classes": len(t["classes"]),
            "train": (arr(t["train"]["x"], np.float32, (t["train"]["n"], d)), arr(t["train"]["y"], np.int32, (t["train"]["n"],)).long()),
            "test": (arr(t["test"]["x"], np.float32, (t["test"]["n"], d)), arr(t["test"]["y"], np.int32, (t["test"]["n"],)).long()),
        }
    tasks = [by_name[name] for name in m["order"]]
    return VectorBackbone(frozen), tasks, d, m["layers"], m, ("wavg", "merge")


def transformer_stream(path):
    """The transformer manifest's stream, with random token ids and labels of the same sizes."""
    with open(path) as f:
        m = json.load(f)
    seq = m["seq"]
    tasks = [
        {
            "classes": t["classes"],
            "train": (torch.randint(0, VOCAB, (t["train"], seq)), torch.randint(0, t["classes"], (t["train"],))),
            "test": (torch.randint(0, VOCAB, (t["test"], seq)), torch.randint(0, t["classes"], (t["test"],))),
        }
        for t in m["tasks"]
    ]
    return TransformerBackbone(m), tasks, m["hidden"], m["layers"], m, tuple(m["compose"])


def main():
    transformer = sys.argv[1] == "--transformer"
    args = sys.argv[2:] if transformer else sys.argv[1:]
    torch.set_num_threads(int(args[1]) if len(args) > 1 else 2)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    started = time.perf_counter()
    backbone, tasks, dim, layers, m, compositions = transformer_stream(args[0]) if transformer else vector_stream(args[0])
    measured = run(
        backbone,
        tasks,
        dim,
        layers,
        m["adapter"],
        m["router"],
        {"size": m["memory"], "strategy": m["memoryStrategy"]},
        compositions,
        rng,
        replay=not transformer,
    )
    print(
        json.dumps(
            {
                **measured,
                "seconds": time.perf_counter() - started,
                "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
