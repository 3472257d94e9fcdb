#!/usr/bin/env python3
"""Times issue #18's four CPU workloads with PyTorch and with `descent` in the same run, and
prints the ratios.

The PyTorch side is the tutorial's code as written: normalised float32 tensors, a column of
ones for the bias, `torch.sigmoid` and the `t log p + (1 - t) log(1 - p)` loss, the gradient
`einsum('ji,j->i', X, p - t) / N`, and the test loss after every step. The `descent` side is
`cargo bench --bench training`, whose summary lines this script reads.

Usage (from the repository root; needs a Python with PyTorch, see README.md):

    python benches/pytorch/bench.py [--threads 2] [--repeats 5] [--skip-cargo]
"""

import argparse
import gzip
import os
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]


def read_idx(path: Path) -> torch.Tensor:
    """An IDX file (gzipped or raw) as a uint8 tensor."""
    candidates = [path, path.with_name(path.name + ".gz")]
    for candidate in candidates:
        if candidate.exists():
            opener = gzip.open if candidate.suffix == ".gz" else open
            with opener(candidate, "rb") as f:
                data = f.read()
            break
    else:
        sys.exit(f"no {path} (or .gz): set MNIST_DIR to the folder holding the MNIST files")
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims :]), dtype=torch.uint8).reshape(shape)


def ones_and_sevens(split: str):
    """The tutorial's data: ones (t = 1) against sevens, normalised as torchvision does."""
    folder = Path(os.environ.get("MNIST_DIR", ROOT / "assets" / "mnist"))
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(folder / f"{prefix}-images-idx3-ubyte")
    labels = read_idx(folder / f"{prefix}-labels-idx1-ubyte")
    keep = (labels == 1) | (labels == 7)
    x = images[keep].reshape(-1, 784).to(torch.float32)
    x = (x / 255.0 - 0.1307) / 0.3081
    t = (labels[keep] == 1).to(torch.float32)
    return x, t


def predictions_and_gradient(theta, x, t):
    """The tutorial's `lr_predictions_and_gradient`."""
    n = x.shape[0]
    new_x = torch.cat((x, torch.ones((n, 1))), dim=1)
    pred = torch.sigmoid(torch.einsum("i,ji->j", theta, new_x))
    loss = (-1 / n) * torch.sum(t * torch.log(pred) + (1 - t) * torch.log(1 - pred))
    dtheta = (1 / n) * torch.einsum("ji,j->i", new_x, pred - t)
    return loss, dtheta, pred


def train(x, t, x_test, t_test, batch_size, epochs, lr=0.01):
    """The tutorial's training loop, test loss after every step."""
    theta = torch.randn(785, generator=torch.Generator().manual_seed(0)) / 100
    steps = x.shape[0] // batch_size
    for _ in range(epochs):
        for j in range(steps):
            batch = slice(j * batch_size, (j + 1) * batch_size)
            _, gradient, _ = predictions_and_gradient(theta, x[batch], t[batch])
            theta = theta - lr * gradient
            predictions_and_gradient(theta, x_test, t_test)
    return theta


def best_of(repeats, work):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


# The workloads, as `benches/training.rs` names them in its summary.
WORKLOADS = [
    ("loss+gradient, whole train subset, bytes", None),
    ("batch 500, 9 epochs, test loss every step", (500, 9)),
    ("batch 13007, 9 epochs, test loss every step", (13007, 9)),
    ("batch 1, 1 epoch, test loss every step", (1, 1)),
]


def ours():
    """Mean times from `cargo bench --bench training`'s summary, in seconds."""
    out = subprocess.run(
        ["cargo", "bench", "--bench", "training"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    units = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}
    times = {}
    for name, _ in WORKLOADS:
        m = re.search(re.escape(name) + r"\s+([\d.]+)(s|ms|µs|ns)\b", out)
        if m is None:
            sys.exit(f"`cargo bench --bench training` printed no line for {name!r}")
        times[name] = float(m.group(1)) * units[m.group(2)]
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-cargo", action="store_true", help="time PyTorch only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x, t = ones_and_sevens("train")
    x_test, t_test = ones_and_sevens("test")
    assert (x.shape[0], x_test.shape[0]) == (13007, 2163), "not MNIST's ones and sevens"
    theta = torch.full((785,), 0.01)
    loss, gradient, _ = predictions_and_gradient(theta, x, t)
    print(f"PyTorch {torch.__version__}, {args.threads} threads: loss at θ = 0.01 {loss:.4f}, "
          f"gradient sum {gradient.sum():.3f} (the tutorial: 1.127, 57.592)")

    theirs = {}
    for name, setting in WORKLOADS:
        if setting is None:
            work = lambda: predictions_and_gradient(theta, x, t)
        else:
            batch, epochs = setting
            work = lambda: train(x, t, x_test, t_test, batch, epochs)
        repeats = 1 if setting == (1, 1) else args.repeats
        theirs[name] = best_of(repeats, work)
        print(f"  PyTorch  {name:<45} {theirs[name] * 1e3:10.2f} ms", flush=True)

    if args.skip_cargo:
        return
    mine = ours()
    print(f"\n{'workload':<45} {'descent':>10} {'PyTorch':>10} {'PyTorch / descent':>18}")
    for name, _ in WORKLOADS:
        print(f"{name:<45} {mine[name] * 1e3:8.2f}ms {theirs[name] * 1e3:8.1f}ms "
              f"{theirs[name] / mine[name]:17.1f}x")


if __name__ == "__main__":
    main()
