//! The compute device training runs on. For now always the CPU; the device issue adds wgpu.

/// Describes the device training runs on by default, for the note a page shows.
pub fn describe_default() -> String {
    format!("CPU ({} threads)", rayon::current_num_threads())
}
