#!/usr/bin/env python3
"""Predicted data-parallel speed-ups for docs/DISTRIBUTED.md.

Cost model of one training step over p ranks (no overlap of communication with compute):

    t(p) = compute(batch per rank) + allreduce(n) + k * alpha * ceil(log2 p),
    allreduce(n) = alpha * ceil(log2 p) + 2 * beta * n * (p - 1) / p

for n gradient bytes (Rabenseifner's reduce-scatter + all-gather; MPICH's choice for large
messages), and k small all-reduces of a few values each: the batch loss, plus three per batch-norm
layer (T4 and T6 have none, so k = 1). Compute per batch comes from the README's single-process throughputs of `slope bench
t4` and `t6` on the project's 2-core machine (each rank assumed to be such a machine).

Strong scaling: the global batch stays the benchmark's (each rank computes 1/p of it), which
is what keeps `mpiexec -n p slope train` equal to one process. Weak scaling: each rank keeps the
benchmark's batch (the global batch grows p times, see "Batch size and learning rate").

Usage: python3 docs/distributed_cost_model.py [--alpha-us A --beta-ns B]  (loopback figures
from `mpiexec -n 2 slope bench allreduce`, printed for reference).
"""
import argparse
import math

# name: (parameters, batch, samples/s of one process)
MODELS = {
    "T4 MLP 784-512-256-10": (784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10, 256, 112_600),
    "T6 CNN (2 conv + linear)": (1 * 16 * 9 + 16 + 16 * 32 * 9 + 32 + 1568 * 10 + 10, 64, 19_400),
}
# name: (alpha seconds, beta seconds per byte)
NETWORKS = {
    "10 Gbit/s Ethernet (TCP, alpha 25 us)": (25e-6, 8 / 10e9),
    "100 Gbit/s InfiniBand/RoCE (alpha 3 us)": (3e-6, 8 / 100e9),
}
RANKS = [2, 4, 8, 16, 32, 64]
# The batch loss's all-reduce (the benchmark models have no batch norm).
SMALL_ALLREDUCES = 1


def allreduce(n_bytes, p, alpha, beta):
    return alpha * math.ceil(math.log2(p)) + 2 * beta * n_bytes * (p - 1) / p


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--alpha-us", type=float, default=None)
    parser.add_argument("--beta-ns", type=float, default=None)
    args = parser.parse_args()
    networks = dict(NETWORKS)
    if args.alpha_us is not None and args.beta_ns is not None:
        networks[f"loopback measured (alpha {args.alpha_us} us, beta {args.beta_ns} ns/B)"] = (args.alpha_us * 1e-6, args.beta_ns * 1e-9)
    for model, (params, batch, rate) in MODELS.items():
        n = 4 * params
        step = batch / rate
        print(f"\n### {model}: {params:,} parameters ({n / 1e6:.2f} MB of gradients), batch {batch}, "
              f"{step * 1e3:.2f} ms per batch on one process\n")
        print("| network | scaling | " + " | ".join(f"p={p}" for p in RANKS) + " |")
        print("|---|---|" + "---|" * len(RANKS))
        for network, (alpha, beta) in networks.items():
            for scaling in ("strong", "weak"):
                cells = []
                for p in RANKS:
                    comm = allreduce(n, p, alpha, beta) + SMALL_ALLREDUCES * alpha * math.ceil(math.log2(p))
                    if scaling == "strong":
                        speedup = step / (step / p + comm)
                    else:
                        speedup = p * step / (step + comm)
                    cells.append(f"{speedup:.1f}x")
                print(f"| {network} | {scaling} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
