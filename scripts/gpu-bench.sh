#!/usr/bin/env bash
# One-shot GPU check of the device module on a machine with a real GPU: the GPU tests (with the
# full 9-epoch PyTorch parity) and the GPU-vs-CPU benchmark, printed for BENCHMARKS.md.
#
#   scripts/gpu-bench.sh          build and run with cargo (a machine with a Rust toolchain)
#   scripts/gpu-bench.sh build    build here, copy the two binaries to target/gpu-bench/
#   scripts/gpu-bench.sh run      run target/gpu-bench/* (a GPU machine without cargo; carry
#                                 target/gpu-bench along with the working tree)
#
# Needs assets/mnist/*.gz and tests/data/gd-sgd/ (both in the repository). On the GPU machine
# the Vulkan loader (libvulkan1) and the vendor's Vulkan driver must be installed; the script
# prints what it finds and works around a container that has NVIDIA's libraries but no ICD file.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=target/gpu-bench
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

# The path of the executable cargo built for one test or bench target.
executable() {
    grep -o "Executable $1 ([^)]*)" | sed 's/.*(\(.*\))/\1/' | tail -1
}

build() {
    mkdir -p "$out"
    local tests bench
    tests=$(cargo test --release --test gpu --no-run 2>&1 | tee /dev/stderr | executable tests/gpu.rs)
    bench=$(cargo bench --bench device --no-run 2>&1 | tee /dev/stderr | executable benches/device.rs)
    cp "$tests" "$out/gpu-tests"
    cp "$bench" "$out/device-bench"
    ls -l "$out"
}

diagnose() {
    echo "== machine"
    date -u
    nproc
    if command -v nvidia-smi >/dev/null; then
        nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
        local icd
        icd=$(ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* 2>/dev/null || true)
        if [ -z "$icd" ] && [ -z "${VK_ICD_FILENAMES:-}" ]; then
            # Containers often ship NVIDIA's Vulkan driver without the ICD manifest.
            printf '%s\n' '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}' \
                >/tmp/nvidia_icd.json
            export VK_ICD_FILENAMES=/tmp/nvidia_icd.json
            echo "no NVIDIA Vulkan ICD manifest found; trying /tmp/nvidia_icd.json (libGLX_nvidia.so.0)"
        fi
    fi
    ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null || echo "no Vulkan ICD folders"
    "$(command -v ldconfig || echo /sbin/ldconfig)" -p 2>/dev/null | grep -E "libvulkan.so.1|libGLX_nvidia|libEGL.so.1" ||
        echo "no Vulkan loader found: install libvulkan1 (and the vendor's Vulkan driver)"
}

run() {
    diagnose
    export CARGO_MANIFEST_DIR=$root MNIST_DIR=$root/assets/mnist DESCENT_FULL_PARITY=1
    echo "== GPU tests (DESCENT_DEVICE=gpu; full PyTorch parity)"
    DESCENT_DEVICE=gpu "$out/gpu-tests" --test-threads=1 2>&1 | tail -40 || echo "GPU TESTS FAILED"
    echo "== benchmark"
    "$out/device-bench" "$@"
}

case "${1:-all}" in
    build) build ;;
    run) shift; run "$@" ;;
    all) build && run ;;
    *) echo "usage: scripts/gpu-bench.sh [build|run|all]" >&2; exit 2 ;;
esac
