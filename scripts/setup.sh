#!/usr/bin/env bash
# Installs the system packages the tests need on a fresh Debian/Ubuntu machine (run as root):
# Mesa's software Vulkan driver, so the GPU kernels run without a GPU, and Chromium for the
# browser test of the figures. The Rust crates come through cargo.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1 chromium >/dev/null
echo "setup: mesa-vulkan-drivers, libvulkan1 and chromium installed"
