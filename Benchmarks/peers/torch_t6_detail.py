"""PyTorch side of `slope bench t6 --detail`: microseconds per call of each T6 layer, batch 64.

Same shapes, field names and timing as Sources/slope/Bench/CNNDetailBenchmark.swift: the median
over 5 runs of 50 calls after one untimed call; each backward pass on its own (`retain_graph`),
the leaves' gradients cleared after each call. Run from the repository root:

    /tmp/peers/venv/bin/python Benchmarks/peers/torch_t6_detail.py

It imports the peers' `common.py` (thread settings, timing) from `$PEERS`, by default
../shared/bench/peers next to the repository.
"""
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.environ.get("PEERS", os.path.join(ROOT, "..", "shared", "bench", "peers")))
import common  # noqa: E402  (sets the thread-count variables before torch loads)
from common import emit, median_time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(common.THREADS)
META = {"lib": "torch", "version": torch.__version__, "threads": torch.get_num_threads()}


def per_call(body, calls=50):
    med, _ = median_time(lambda: [body() for _ in range(calls)], repeats=5, warmup=1)
    return round(med / calls * 1e6, 1)


def clear(*leaves):
    for leaf in leaves:
        leaf.grad = None


def convolution(name, n, c, o, h, w):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, c, h, w, generator=g)
    weight = torch.randn(o, c, 3, 3, generator=g)
    bias = torch.randn(o, generator=g)
    upstream = torch.randn(n, o, h, w, generator=g)
    fields = {}
    with torch.no_grad():
        fields[f"{name}_forward"] = per_call(lambda: F.conv2d(x, weight, bias, padding=1))
    tw, tb = weight.clone().requires_grad_(), bias.clone().requires_grad_()
    y = F.conv2d(x, tw, tb, padding=1)
    fields[f"{name}_backward_weight"] = per_call(lambda: (y.backward(upstream, retain_graph=True), clear(tw, tb)))
    if c > 1:
        tx = x.clone().requires_grad_()
        z = F.conv2d(tx, weight, bias, padding=1)
        fields[f"{name}_backward_input"] = per_call(lambda: (z.backward(upstream, retain_graph=True), clear(tx)))
    return fields


def elementwise(name, n, c, h, w):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, c, h, w, generator=g).requires_grad_()
    gamma, beta = torch.ones(c, requires_grad=True), torch.zeros(c, requires_grad=True)

    def backward(y):
        upstream = torch.randn(y.shape, generator=g)
        return per_call(lambda: (y.backward(upstream, retain_graph=True), clear(x, gamma, beta)))

    plain = x.detach()
    with torch.no_grad():
        fields = {
            f"{name}_relu_forward": per_call(lambda: F.relu(plain)),
            f"{name}_pool_forward": per_call(lambda: F.max_pool2d(plain, 2)),
            f"{name}_batchnorm_forward": per_call(
                lambda: F.batch_norm(plain, None, None, gamma, beta, training=True, eps=1e-5)),
        }
    fields[f"{name}_relu_backward"] = backward(F.relu(x))
    fields[f"{name}_pool_backward"] = backward(F.max_pool2d(x, 2))
    fields[f"{name}_batchnorm_backward"] = backward(F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5))
    return fields


def linear(name, n, i, o):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(n, i, generator=g)
    weight, bias = torch.randn(o, i, generator=g), torch.randn(o, generator=g)
    upstream = torch.randn(n, o, generator=g)
    with torch.no_grad():
        fields = {f"{name}_forward": per_call(lambda: F.linear(x, weight, bias))}
    tx, tw, tb = x.clone().requires_grad_(), weight.clone().requires_grad_(), bias.clone().requires_grad_()
    y = F.linear(tx, tw, tb)
    fields[f"{name}_backward"] = per_call(lambda: (y.backward(upstream, retain_graph=True), clear(tx, tw, tb)))
    return fields


if __name__ == "__main__":
    emit(bench="t6_cnn_detail", **META, batch=64, unit="us_per_call",
         **convolution("conv1", 64, 1, 16, 28, 28), **elementwise("layer1", 64, 16, 28, 28),
         **convolution("conv2", 64, 16, 32, 14, 14), **elementwise("layer2", 64, 32, 14, 14),
         **linear("linear", 64, 1568, 10))
