//! Which GPU adapter to use: hardware before software, discrete before integrated, native
//! backends (Vulkan, Metal, DirectX 12) before OpenGL.

use wgpu::{AdapterInfo, Backend, DeviceType};

/// Whether an adapter runs on real GPU hardware or emulates one on the CPU.
pub fn is_software(info: &AdapterInfo) -> bool {
    if info.device_type == DeviceType::Cpu {
        return true;
    }
    let name = info.name.to_lowercase();
    ["llvmpipe", "lavapipe", "softpipe", "swiftshader", "warp"]
        .iter()
        .any(|s| name.contains(s))
}

/// Rank of an adapter: lower is better; `None` when `allow_software` is false and the adapter
/// is a software one (or of an unknown kind, which `auto` does not trust to be fast).
pub fn rank(info: &AdapterInfo, allow_software: bool) -> Option<(u8, u8)> {
    let kind = match info.device_type {
        _ if is_software(info) => 4,
        DeviceType::DiscreteGpu => 0,
        DeviceType::IntegratedGpu => 1,
        DeviceType::VirtualGpu => 2,
        DeviceType::Other | DeviceType::Cpu => 3,
    };
    if kind >= 3 && !allow_software {
        return None;
    }
    let backend = match info.backend {
        Backend::Vulkan | Backend::Metal | Backend::Dx12 => 0,
        Backend::Gl => 1,
        _ => 2,
    };
    Some((kind, backend))
}

/// Index of the best adapter among `infos`, if any is acceptable.
pub fn pick(infos: &[AdapterInfo], allow_software: bool) -> Option<usize> {
    infos
        .iter()
        .enumerate()
        .filter_map(|(i, info)| rank(info, allow_software).map(|r| (r, i)))
        .min()
        .map(|(_, i)| i)
}

/// "NVIDIA H100 (Vulkan)": the adapter's name and backend, for the page note.
pub fn describe(info: &AdapterInfo) -> String {
    let backend = match info.backend {
        Backend::Vulkan => "Vulkan",
        Backend::Metal => "Metal",
        Backend::Dx12 => "DirectX 12",
        Backend::Gl => "OpenGL",
        Backend::BrowserWebGpu => "WebGPU",
        _ => "unknown backend",
    };
    let software = if is_software(info) { ", software" } else { "" };
    format!("{} ({backend}{software})", info.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, device_type: DeviceType, backend: Backend) -> AdapterInfo {
        AdapterInfo {
            name: name.into(),
            ..AdapterInfo::new(device_type, backend)
        }
    }

    #[test]
    fn auto_prefers_discrete_then_integrated_and_never_software() {
        let all = [
            info(
                "llvmpipe (LLVM 15.0.7, 256 bits)",
                DeviceType::Cpu,
                Backend::Vulkan,
            ),
            info("Intel UHD 770", DeviceType::IntegratedGpu, Backend::Vulkan),
            info("NVIDIA H100", DeviceType::DiscreteGpu, Backend::Gl),
            info("NVIDIA H100", DeviceType::DiscreteGpu, Backend::Vulkan),
        ];
        assert_eq!(pick(&all, false), Some(3));
        assert_eq!(pick(&all[..2], false), Some(1));
        assert_eq!(pick(&all[..1], false), None);
    }

    #[test]
    fn a_forced_gpu_takes_a_software_adapter() {
        let soft = [
            info(
                "llvmpipe (LLVM 15.0.7, 256 bits)",
                DeviceType::Other,
                Backend::Gl,
            ),
            info(
                "llvmpipe (LLVM 15.0.7, 256 bits)",
                DeviceType::Cpu,
                Backend::Vulkan,
            ),
        ];
        assert_eq!(pick(&soft, true), Some(1));
        assert_eq!(
            describe(&soft[1]),
            "llvmpipe (LLVM 15.0.7, 256 bits) (Vulkan, software)"
        );
    }

    #[test]
    fn a_gpu_is_described_by_name_and_backend() {
        let h100 = info(
            "NVIDIA H100 80GB HBM3",
            DeviceType::DiscreteGpu,
            Backend::Vulkan,
        );
        assert_eq!(describe(&h100), "NVIDIA H100 80GB HBM3 (Vulkan)");
    }
}
