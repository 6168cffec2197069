"""PyTorch side of the transformer benchmark: the same shapes as bench/pytorch/transformer.mts
(4 frozen post-LN encoder layers, d=256, 4 heads, FFN 1024, GELU, sequences of 64, mean pooling),
a residual bottleneck adapter (64) after each layer and a 15-class head, batch 32, Adam. Random
weights and inputs: this measures throughput only. Prints one JSON line.

Usage: OPENBLAS_NUM_THREADS=1 python3 transformer_reference.py [threads] [train_examples]
"""
import json
import resource
import sys
import time

import torch
import torch.nn.functional as F

D, HEADS, LAYERS, FFN, SEQ, K, CLASSES, VOCAB = 256, 4, 4, 1024, 64, 64, 15, 30522


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 320
    torch.manual_seed(1)
    embed = torch.nn.Embedding(VOCAB, D)
    layers = torch.nn.ModuleList(
        [torch.nn.TransformerEncoderLayer(D, HEADS, FFN, dropout=0.0, activation="gelu", batch_first=True) for _ in range(LAYERS)]
    )
    for p in list(embed.parameters()) + list(layers.parameters()):
        p.requires_grad_(False)
    down = [torch.nn.Parameter(torch.randn(D, K) / D**0.5) for _ in range(LAYERS)]
    up = [torch.nn.Parameter(torch.randn(K, D) * 1e-3) for _ in range(LAYERS)]
    bd = [torch.nn.Parameter(torch.zeros(K)) for _ in range(LAYERS)]
    bu = [torch.nn.Parameter(torch.zeros(D)) for _ in range(LAYERS)]
    head = torch.nn.Linear(D, CLASSES)
    opt = torch.optim.Adam(down + up + bd + bu + list(head.parameters()), lr=1e-3)
    ids = torch.randint(0, VOCAB, (n, SEQ))
    labels = torch.randint(0, CLASSES, (n,))

    def forward(x):
        h = embed(x)
        for l, layer in enumerate(layers):
            h = layer(h)
            h = h + F.relu(h @ down[l] + bd[l]) @ up[l] + bu[l]
        return head(h.mean(1))

    def train_epoch():
        for i in range(0, n, 32):
            loss = F.cross_entropy(forward(ids[i : i + 32]), labels[i : i + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()

    train_epoch()  # warm-up
    t0 = time.perf_counter()
    train_epoch()
    train = n / (time.perf_counter() - t0)
    with torch.no_grad():
        t0 = time.perf_counter()
        for i in range(0, n, 256):
            forward(ids[i : i + 256])
        inference = n / (time.perf_counter() - t0)
    print(
        json.dumps(
            {
                "adapterTraining": train,
                "inference": inference,
                "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
