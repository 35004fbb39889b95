"""Same-run comparison of `slope bench` against the PyTorch peer scripts, interleaved.

For each pass and each task, runs Slope's line then PyTorch's, so both see the same machine load;
prints every JSON line as it comes, then a Markdown table of medians with min..max over passes.
Run from the repository root after `swift build -c release`:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/peers/venv/bin/python Benchmarks/peers/compare.py --passes 3

`--detail` compares `slope bench t6 --detail` with torch_t6_detail.py instead (per-layer
microseconds). The peer scripts are found in `$PEERS`, by default ../shared/bench/peers.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PEERS = os.environ.get("PEERS", os.path.join(ROOT, "..", "shared", "bench", "peers"))

# task: (field, unit, lower is better)
FIELDS = {
    "t1": [("us_per_step", "T1 quadratic, µs/step (eager)", True), ("us_per_step_captured", "T1 captured, µs/step", True)],
    "t2": [("us_per_step", "T2 ReLU fit (Adam), µs/step (eager)", True), ("us_per_step_captured", "T2 captured, µs/step", True)],
    "t3": [("samples_per_s", "T3 digits MLP, samples/s", False)],
    "t4": [("samples_per_s", "T4 784-512-256-10 MLP, samples/s", False)],
    "t6": [("samples_per_s", "T6 small CNN, samples/s (eager)", False), ("samples_per_s_captured", "T6 captured, samples/s", False)],
    "t7": [("us_per_iter", "T7 op overhead, µs/iteration", True)],
}


def lines(command):
    out = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({out.returncode}): {out.stderr.strip()}")
    found = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    for line in found:
        print(json.dumps(line), flush=True)
    return found


def spread(values):
    return statistics.median(values), min(values), max(values)


def fmt(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--slope", default=os.path.join(ROOT, ".build", "release", "slope"))
    parser.add_argument("--detail", action="store_true")
    parser.add_argument("tasks", nargs="*", default=["t1", "t2", "t3", "t4", "t5", "t6", "t7"])
    args = parser.parse_args()
    python = sys.executable
    slope, torch = {}, {}
    for _ in range(args.passes):
        if args.detail:
            slope.setdefault("detail", []).append(
                [line for line in lines([args.slope, "bench", "t6", "--detail"]) if line["bench"] == "t6_cnn_detail"][0])
            torch.setdefault("detail", []).append(lines([python, os.path.join(HERE, "torch_t6_detail.py")])[0])
            continue
        for task in args.tasks:
            extra = ["--digits", os.path.join(ROOT, "..", "shared", "data", "digits", "digits.csv")] if task == "t3" else []
            slope.setdefault(task, []).append(lines([args.slope, "bench", task] + extra)[-1])
            torch.setdefault(task, []).append(lines([python, os.path.join(PEERS, "torch_bench.py"), task])[-1])
    print()
    if args.detail:
        print("| layer, µs per call (batch 64) | Slope | PyTorch | PyTorch / Slope |")
        print("|---|---|---|---|")
        for key, value in slope["detail"][0].items():
            if not isinstance(value, float) or key not in torch["detail"][0]:
                continue
            s, t = spread([r[key] for r in slope["detail"]]), spread([r[key] for r in torch["detail"]])
            print(f"| {key} | {fmt(s[0])} ({fmt(s[1])}-{fmt(s[2])}) | {fmt(t[0])} ({fmt(t[1])}-{fmt(t[2])}) | {t[0] / s[0]:.2f}x |")
        return
    print(f"Medians of {args.passes} interleaved passes (min-max in brackets).\n")
    print("| task | Slope | PyTorch | ratio |")
    print("|---|---|---|---|")
    for task in args.tasks:
        if task == "t5":
            for field, name in [("gflops_builtin", "built-in"), ("gflops", "BLAS")]:
                sizes = slope[task][0][field].keys()
                cells = "/".join(fmt(statistics.median(r[field][n] for r in slope[task])) for n in sizes)
                mkl = "/".join(fmt(statistics.median(r["gflops"][n] for r in torch[task])) for n in sizes)
                print(f"| T5 matmul GFLOP/s n={'/'.join(sizes)}, Slope {name} | {cells} | {mkl} | |")
            continue
        reference = FIELDS[task][0][0]
        for field, name, lower in FIELDS[task]:
            s = spread([r[field] for r in slope[task]])
            t = spread([r[reference] for r in torch[task]])
            ratio = t[0] / s[0] if lower else s[0] / t[0]
            print(f"| {name} | {fmt(s[0])} ({fmt(s[1])}-{fmt(s[2])}) | {fmt(t[0])} ({fmt(t[1])}-{fmt(t[2])}) | {ratio:.1f}x |")


if __name__ == "__main__":
    main()
