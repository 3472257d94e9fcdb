//! GPU against CPU on the foundation's workloads, measured in one run, printing ratios.
//!
//! `cargo bench --bench device` (add `-- --batch1-rows 2000` to shorten the batch-size-1
//! epoch on a slow adapter, `--reps 1` to time each training workload once after a warm-up;
//! the default is the median of 3). The GPU is `Device::gpu()`: the best adapter, software ones
//! included, so on a machine without a real GPU this measures llvmpipe (slower than the CPU,
//! as expected). Needs the MNIST files in `assets/mnist` (or `MNIST_DIR`).

use descent::data::{OnesSevens, Subset};
use descent::device::Device;
use descent::logistic;
use descent::train::{Run, Shuffle, TrainConfig, initial_theta, train_cpu};
use std::time::{Duration, Instant};

/// Median wall time of `reps` calls of `f` (after one warm-up call).
fn median(reps: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn show(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.1} us", s * 1e6)
    }
}

fn row(name: &str, cpu: Duration, gpu: Duration, note: &str) {
    let speedup = cpu.as_secs_f64() / gpu.as_secs_f64();
    println!(
        "| {name} | {} | {} | {speedup:.2}x | {note} |",
        show(cpu),
        show(gpu)
    );
}

fn max_rel(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-6))
        .fold(0.0, f32::max)
}

fn train_pair(
    gpu: &Device,
    train: &Subset,
    test: &Subset,
    config: &TrainConfig,
    reps: usize,
) -> (Duration, Duration, f32) {
    let theta = initial_theta(42);
    let mut cpu_run: Option<Run> = None;
    let mut gpu_run: Option<Run> = None;
    let cpu = median(reps, || {
        cpu_run = Some(train_cpu(theta.clone(), train, test, config).expect("CPU training"))
    });
    let g = median(reps, || {
        gpu_run = Some(
            gpu.train(theta.clone(), train, test, config)
                .expect("GPU training"),
        )
    });
    let (c, g_run) = (cpu_run.expect("ran"), gpu_run.expect("ran"));
    let diff =
        max_rel(&g_run.test_loss, &c.test_loss).max(max_rel(&g_run.train_loss, &c.train_loss));
    (cpu, g, diff)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse::<usize>())
            .transpose()
    };
    let batch1_rows = flag("--batch1-rows")?;
    let reps = flag("--reps")?.unwrap_or(3).max(1);
    let data = OnesSevens::load()?;
    let gpu = Device::gpu()?;
    let cpu = Device::cpu();
    println!("GPU: {}", gpu.describe());
    println!("CPU: {}", cpu.describe());
    println!();
    println!("| workload | CPU | GPU | GPU speed-up | max rel. diff GPU vs CPU |");
    println!("|---|---|---|---|---|");

    // 1. One loss+gradient on the whole train subset, data resident on the device.
    let theta = initial_theta(42);
    let (x, t) = (data.train.x().view(), data.train.t.view());
    let mut g_cpu = vec![0.0f32; 785];
    let mut g_gpu = vec![0.0f32; 785];
    let mut l_cpu = 0.0;
    let mut l_gpu = 0.0;
    let c = median(20, || {
        l_cpu = logistic::loss_and_gradient(theta.view(), x, t, &mut g_cpu).expect("shapes fit")
    });
    let resident = gpu.upload(x, t)?;
    let g = median(50, || {
        l_gpu = resident
            .loss_and_gradient(theta.view(), &mut g_gpu)
            .expect("GPU loss+gradient")
    });
    let diff = max_rel(&[l_gpu], &[l_cpu]);
    let gdiff = g_gpu
        .iter()
        .zip(&g_cpu)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    let whole = g;
    row(
        "loss+gradient, whole train subset (13007 x 785), resident",
        c,
        g,
        &format!("loss {diff:.1e}, gradient abs {gdiff:.1e}"),
    );

    // 2. Batch 500, 9 epochs, test loss after every step.
    let config = TrainConfig::new(500, 9, 0.01);
    let (c, g, d) = train_pair(&gpu, &data.train, &data.test, &config, reps);
    row(
        "batch 500 x 9 epochs, test loss every step (234 steps)",
        c,
        g,
        &format!("{d:.1e}"),
    );

    // 3. Batch 13007 (GD), 9 epochs.
    let config = TrainConfig::new(13007, 9, 0.01);
    let (c, g, d) = train_pair(&gpu, &data.train, &data.test, &config, reps);
    row(
        "batch 13007 x 9 epochs, test loss every step",
        c,
        g,
        &format!("{d:.1e}"),
    );

    // 4. Batch 1, one epoch, test loss after every step.
    let rows = batch1_rows
        .unwrap_or(data.train.len())
        .min(data.train.len());
    let train = data.train.head(rows);
    let config = TrainConfig::new(1, 1, 0.01).shuffle(Shuffle::Once(0));
    let (c, g, d) = train_pair(&gpu, &train, &data.test, &config, 1);
    let scale = data.train.len() as f64 / rows as f64;
    let batch1 = g.mul_f64(scale);
    let note = if rows == data.train.len() {
        format!("{d:.1e}")
    } else {
        format!(
            "{d:.1e}; first {rows} rows only, full epoch ~ {} CPU / {} GPU",
            show(c.mul_f64(scale)),
            show(batch1)
        )
    };
    row(
        &format!("batch 1 x 1 epoch, test loss every step ({rows} steps)"),
        c,
        g,
        &note,
    );

    println!();
    println!(
        "H100 targets: whole-subset loss+gradient <= 0.1 ms (here {}), batch 1 epoch <= 0.5 s (here {})",
        show(whole),
        show(batch1)
    );
    Ok(())
}
