"""PyTorch side of the transformer benchmark: the same stream as bench/pytorch/transformer.mts (its
manifest.json): 4 frozen post-LN encoder layers (d=256, 4 heads, FFN 1024, GELU, sequences of 64),
a residual bottleneck adapter on every token after each layer and one head per task on the mean of
the tokens; adapters trained one task at a time with earlier adapters off; a class-balanced memory;
per-layer Gumbel-sigmoid routers on the mean of the tokens, trained with the heads on the memory
(task supervision, head anchor); wavg inference, CIL routed and TIL with the task's own adapter and
isolated head, as the engine runs it. Random weights and token ids: this measures throughput only.
Prints one JSON line.

Usage: OPENBLAS_NUM_THREADS=1 python3 transformer_reference.py MANIFEST [threads]
"""
import json
import math
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from l2r_reference import select_memory

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


def main():
    with open(sys.argv[1]) as f:
        m = json.load(f)
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    started = time.perf_counter()
    d, layers, seq = m["hidden"], m["layers"], m["seq"]
    a_spec, r_spec = m["adapter"], m["router"]
    embed = torch.nn.Embedding(VOCAB, d)
    encoder = torch.nn.ModuleList(
        [
            torch.nn.TransformerEncoderLayer(d, m["heads"], m["intermediate"], dropout=0.0, activation="gelu", batch_first=True)
            for _ in range(layers)
        ]
    )
    for p in list(embed.parameters()) + list(encoder.parameters()):
        p.requires_grad_(False)
    tasks = [
        {
            "classes": t["classes"],
            "train": (torch.randint(0, VOCAB, (t["train"], seq)), torch.randint(0, t["classes"], (t["train"],))),
            "test": (torch.randint(0, VOCAB, (t["test"], seq)), torch.randint(0, t["classes"], (t["test"],))),
        }
        for t in m["tasks"]
    ]

    def forward_single(ids, mod):
        h = embed(ids)
        for l, layer in enumerate(encoder):
            h = layer(h)
            h = h + mod.delta(h, l)
        return h.mean(1)

    def forward_composed(ids, modules, routers, noise_temp=None):
        h = embed(ids)
        scores = []
        for l, layer in enumerate(encoder):
            h = layer(h)
            logits = h.mean(1) @ routers[l][0] + routers[l][1]
            if noise_temp is not None:
                u = torch.rand_like(logits).clamp(1e-6, 1 - 1e-6)
                logits = (logits + torch.log(u) - torch.log1p(-u)) / noise_temp
            s = torch.sigmoid(logits)
            scores.append(s)
            wts = s / s.sum(1, keepdim=True).clamp_min(1e-12)
            h = h + sum(wts[:, i : i + 1, None] * mod.delta(h, l) for i, mod in enumerate(modules))
        return h.mean(1), scores

    modules, memory = [], []
    adapter_examples, adapter_seconds = 0, 0.0
    for t, task in enumerate(tasks):
        x, y = task["train"]
        mod = TaskModule(layers, d, a_spec["bottleneck"], task["classes"])
        opt = torch.optim.Adam(mod.parameters(), lr=a_spec["lr"])
        t0 = time.perf_counter()
        for _ in range(a_spec["epochs"]):
            perm = torch.from_numpy(rng.permutation(len(y)))
            for i in range(0, len(y), a_spec["batchSize"]):
                idx = perm[i : i + a_spec["batchSize"]]
                pooled = forward_single(x[idx], mod)
                loss = F.cross_entropy(pooled @ mod.head_w + mod.head_b, y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        adapter_seconds += time.perf_counter() - t0
        adapter_examples += a_spec["epochs"] * len(y)
        for p in mod.parameters():
            p.requires_grad_(False)
        modules.append(mod)
        size = m["memory"]
        budget = size["value"] if size["kind"] == "count" else round(size["value"] / 100 * len(y))
        budget = min(len(y), max(1, budget))
        memory.append(torch.from_numpy(select_memory(y.numpy(), budget, m["memoryStrategy"], rng)))

    offsets = np.cumsum([0] + [task["classes"] for task in tasks])
    mem_x = torch.cat([tasks[t]["train"][0][idx] for t, idx in enumerate(memory)])
    mem_y = torch.cat([tasks[t]["train"][1][idx] + int(offsets[t]) for t, idx in enumerate(memory)])
    mem_t = torch.cat([torch.full((len(idx),), t, dtype=torch.long) for t, idx in enumerate(memory)])
    isolated = [(mod.head_w.detach().clone(), mod.head_b.detach().clone()) for mod in modules]
    supervision = r_spec.get("taskSupervision", 0) if len(modules) > 1 else 0
    routers = [
        (torch.nn.Parameter(torch.randn(d, len(modules)) * 0.01), torch.nn.Parameter(torch.zeros(len(modules))))
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
            pooled, scores = forward_composed(mem_x[idx], modules, routers, r_spec["temperature"])
            logits = torch.cat([pooled @ mod.head_w + mod.head_b for mod in modules], 1)
            loss = F.cross_entropy(logits, mem_y[idx])
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

    inference_examples, inference_seconds = 0, 0.0
    with torch.no_grad():
        for _ in m["compose"]:
            t0 = time.perf_counter()
            for t, task in enumerate(tasks):
                x, y = task["test"]
                for i in range(0, len(y), 256):
                    pooled, _ = forward_composed(x[i : i + 256], modules, routers)
                    torch.cat([pooled @ mod.head_w + mod.head_b for mod in modules], 1).argmax(1)
                    til = forward_single(x[i : i + 256], modules[t]) if r_spec.get("tilRouting") == "task" else pooled
                    w, b = isolated[t] if r_spec["tuneHeads"] and r_spec.get("tilHeads") == "isolated" else (modules[t].head_w, modules[t].head_b)
                    (til @ w + b).argmax(1)
                inference_examples += len(y)
            inference_seconds += time.perf_counter() - t0
    print(
        json.dumps(
            {
                "adapterTraining": adapter_examples / adapter_seconds,
                "routerTraining": router_examples / router_seconds,
                "inference": inference_examples / inference_seconds,
                "seconds": time.perf_counter() - started,
                "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
