#!/usr/bin/env python3
"""Where a benchmark's time goes, per tensor op and per model module, from a perf sampling profile.

Usage (from the repository root; needs linux-perf):
    python3 bench/tools/profile-ops.py [--forward NAME] -- unet --only f32,64x64 --threads 2

Runs the benchmark under `perf record -g` with .NET's perf map on, then attributes every sample of the benchmark's
main thread that lies inside a model forward (a frame containing NAME, default "UNet2DConditionModel::Forward") to
the innermost public tensor operation on its stack (Ops::Conv2d, Ops::Linear, Tensor::Contiguous, ...) and to the
innermost model module (ResnetBlock2D::Forward, Attention::Forward, ...). Only the main thread is used: it takes part
in every parallel loop of the engine, so its samples split like the total work, and its stack still shows which op
and module a kernel runs for (worker-thread stacks start at the worker loop). Shares are of the sampled forward time.
PROFILE_OPS_DATA=path re-reads an existing perf.data instead of running the benchmark.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

OP = re.compile(r"\[Atelier\.Tensors\] Atelier\.Tensors\.(Ops|Tensor)::(\w+)")
MODULE = re.compile(r"\[Atelier\.Models\] Atelier\.Models\.\w+\.(\w+)::(\w+)")


def main(argv):
    forward = "UNet2DConditionModel::Forward"
    if "--forward" in argv:
        i = argv.index("--forward")
        forward = argv[i + 1]
        del argv[i:i + 2]
    if "--" not in argv:
        print(__doc__)
        return 2
    bench_args = argv[argv.index("--") + 1:]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run(["dotnet", "build", os.path.join(root, "bench/Atelier.Bench"), "-c", "Release", "-v", "q", "-nologo"], check=True)
    dll = os.path.join(root, "bench/Atelier.Bench/bin/Release/net10.0/Atelier.Bench.dll")
    env = dict(os.environ, DOTNET_PerfMapEnabled="1", DOTNET_EnableWriteXorExecute="0")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.environ.get("PROFILE_OPS_DATA") or os.path.join(tmp, "perf.data")
        if not os.environ.get("PROFILE_OPS_DATA"):
            subprocess.run(["perf", "record", "-F", "499", "-g", "-o", data, "dotnet", dll, *bench_args], env=env, check=True)
        script = subprocess.run(["perf", "script", "-F", "pid,tid,ip,sym", "-i", data], capture_output=True, text=True, errors="replace", check=True).stdout
    ops, modules, total = collections.Counter(), collections.Counter(), 0
    for sample in script.split("\n\n"):
        lines = sample.strip().splitlines()
        if not lines:
            continue
        head = re.match(r"\s*(\d+)/(\d+)", lines[0])
        if not head or head.group(1) != head.group(2):  # main thread only (tid == pid)
            continue
        frames = lines[1:]
        if not any(forward in f for f in frames):
            continue
        total += 1
        op = next((f"{m.group(1)}.{m.group(2)}" for f in frames if (m := OP.search(f))), "(model code, no op)")
        module = next((f"{m.group(1)}.{m.group(2)}" for f in frames if (m := MODULE.search(f))), "(none)")
        ops[op] += 1
        modules[module] += 1
    if total == 0:
        print(f"no samples inside '{forward}' on the main thread")
        return 1
    print(f"\n{total} main-thread samples inside {forward}\n")
    for title, counter in (("op (innermost Ops/Tensor call)", ops), ("module (innermost model Forward)", modules)):
        print(f"{title:<48} {'share':>7}")
        for name, count in counter.most_common():
            print(f"{name:<48} {100 * count / total:6.1f}%")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
