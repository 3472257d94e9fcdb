#!/usr/bin/env bash
# Installs the system packages the tests need on a fresh Debian/Ubuntu machine (run as root):
# Mesa's software Vulkan driver, so the GPU kernels run without a GPU, Chromium for the
# browser tests, and a WebAssembly toolchain for the optimisation chapter's live playground.
# The Rust crates come through cargo.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1 chromium >/dev/null
echo "setup: mesa-vulkan-drivers, libvulkan1 and chromium installed"
# The playground's module (playground/) builds with the standard wasm32-unknown-unknown target
# when rustup can add it; else with Debian's rustc-web (std built from rust-web-src's sources)
# linked by lld-19's wasm-ld (bookworm-security). See ARCHITECTURE.md, "The playground".
if command -v rustup >/dev/null && rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    echo "setup: rustup's wasm32-unknown-unknown target installed"
elif apt-get install -y -qq --no-install-recommends rustc-web rust-web-src lld-19 >/dev/null; then
    echo "setup: rustc-web, rust-web-src and lld-19 installed (the playground's WebAssembly toolchain)"
else
    echo "setup: warning: no WebAssembly toolchain (neither rustup's target nor Debian's rustc-web); the book builds without the live playground" >&2
fi
