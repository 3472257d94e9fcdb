//! The foundation's workloads on the CPU, against the memory floors measured in the same run:
//! one read of the training matrix as `f32` (40.8 MB, what any `f32` code must read) and as
//! the bytes training now reads (10.2 MB). The `f32` loss+gradient (the path a chapter takes
//! on `Subset::x()`) runs beside the byte one. Prints each workload's time, its ratio to the
//! `f32` floor, and whether issue #18's target is met.
//!
//! `cargo bench --bench training`

use criterion::Criterion;
use descent::data::OnesSevens;
use descent::logistic;
use descent::train::{TrainConfig, initial_theta, train_cpu};
use ndarray::Array1;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Mean time per iteration of each benchmark, from the same samples criterion takes.
static MEANS: Mutex<BTreeMap<&'static str, (Duration, u64)>> = Mutex::new(BTreeMap::new());

fn timed(name: &'static str, iters: u64, mut work: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        work();
    }
    let elapsed = start.elapsed();
    let mut means = MEANS.lock().unwrap();
    let entry = means.entry(name).or_default();
    entry.0 += elapsed;
    entry.1 += iters;
    elapsed
}

fn mean(name: &str) -> Duration {
    let means = MEANS.lock().unwrap();
    let (total, iters) = means[name];
    total / u32::try_from(iters).unwrap()
}

fn main() {
    let data = OnesSevens::load().expect("MNIST loads from assets/mnist");
    let x = data.train.x().as_slice().expect("contiguous");
    let pixels = data.train.pixels().expect("the subset holds pixels");
    let bytes = pixels.as_slice().expect("contiguous");
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    c.bench_function("memory floor: read the train matrix", |b| {
        b.iter_custom(|iters| {
            timed("floor", iters, || {
                let sum: f32 = x.par_chunks(256 * 784).map(sum_f32).sum();
                black_box(sum);
            })
        })
    });
    c.bench_function("memory floor: read the train bytes", |b| {
        b.iter_custom(|iters| {
            timed("byte_floor", iters, || {
                let sum: u32 = bytes.par_chunks(256 * 784).map(sum_u8).sum();
                black_box(sum);
            })
        })
    });
    let theta = Array1::from_elem(785, 0.01f32);
    let mut gradient = vec![0.0; 785];
    for (name, what, inputs) in [
        (
            "loss_grad_f32",
            "f32 rows",
            logistic::Inputs::from(data.train.x().view()),
        ),
        ("loss_grad", "bytes", data.train.inputs()),
    ] {
        c.bench_function(&format!("loss+gradient, whole train subset, {what}"), |b| {
            b.iter_custom(|iters| {
                timed(name, iters, || {
                    black_box(logistic::loss_and_gradient(
                        theta.view(),
                        inputs,
                        data.train.t.view(),
                        &mut gradient,
                    ))
                    .expect("shapes fit");
                })
            })
        });
    }
    for (name, batch, epochs) in [
        ("batch500", 500, 9),
        ("batch13007", 13007, 9),
        ("batch1", 1, 1),
    ] {
        let config = TrainConfig::new(batch, epochs, 0.01);
        c.bench_function(
            &format!("train batch {batch}, {epochs} epochs, test loss every step"),
            |b| {
                b.iter_custom(|iters| {
                    timed(name, iters, || {
                        black_box(
                            train_cpu(initial_theta(0), &data.train, &data.test, &config).unwrap(),
                        );
                    })
                })
            },
        );
    }
    c.final_summary();

    let floor = mean("floor");
    println!("\nratios against the f32 memory floor ({floor:.2?}), measured in this run:");
    for (name, what, target) in [
        ("byte_floor", "memory floor, train bytes", Target::None),
        (
            "loss_grad_f32",
            "loss+gradient, whole train subset, f32 rows",
            Target::None,
        ),
        (
            "loss_grad",
            "loss+gradient, whole train subset, bytes",
            Target::Ratio(0.5),
        ),
        (
            "batch500",
            "batch 500, 9 epochs, test loss every step",
            Target::Time(0.040),
        ),
        (
            "batch13007",
            "batch 13007, 9 epochs, test loss every step",
            Target::Time(0.015),
        ),
        (
            "batch1",
            "batch 1, 1 epoch, test loss every step",
            Target::Time(0.4),
        ),
    ] {
        let t = mean(name);
        let ratio = t.as_secs_f64() / floor.as_secs_f64();
        let met = match target {
            Target::Ratio(r) => ratio <= r,
            Target::Time(s) => t.as_secs_f64() <= s,
            Target::None => {
                println!("  {what:<45} {t:>10.2?}  {ratio:>8.2}x floor");
                continue;
            }
        };
        println!(
            "  {what:<45} {t:>10.2?}  {ratio:>8.2}x floor  target {target}: {}",
            if met { "met" } else { "MISSED" }
        );
    }
}

enum Target {
    Ratio(f64),
    Time(f64),
    None,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ratio(r) => write!(f, "<= {r}x floor"),
            Self::Time(s) => write!(f, "<= {s} s"),
            Self::None => Ok(()),
        }
    }
}

/// Sum of bytes with one `vpsadbw` per 32 bytes (AVX2, else `psadbw` per 16), so the read
/// is bound by memory, not by widening: a sum widened byte by byte costs more than the read.
fn sum_u8(values: &[u8]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        #[target_feature(enable = "avx2")]
        fn with_avx2(blocks: &[[u8; 128]]) -> u64 {
            let zero = _mm256_setzero_si256();
            let mut acc = [zero; 4];
            for block in blocks {
                for (k, a) in acc.iter_mut().enumerate() {
                    // SAFETY: 32 of the block's 128 bytes.
                    let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * k).cast()) };
                    *a = _mm256_add_epi64(*a, _mm256_sad_epu8(v, zero));
                }
            }
            let s = _mm256_add_epi64(
                _mm256_add_epi64(acc[0], acc[1]),
                _mm256_add_epi64(acc[2], acc[3]),
            );
            let mut lanes = [0u64; 4];
            // SAFETY: lanes holds 32 bytes.
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), s) };
            lanes.iter().sum()
        }
        #[target_feature(enable = "sse2")]
        fn with_sse2(blocks: &[[u8; 128]]) -> u64 {
            let zero = _mm_setzero_si128();
            let mut acc = [zero; 8];
            for block in blocks {
                for (k, a) in acc.iter_mut().enumerate() {
                    // SAFETY: 16 of the block's 128 bytes.
                    let v = unsafe { _mm_loadu_si128(block.as_ptr().add(16 * k).cast()) };
                    *a = _mm_add_epi64(*a, _mm_sad_epu8(v, zero));
                }
            }
            let s = acc.iter().fold(zero, |s, &a| _mm_add_epi64(s, a));
            (_mm_cvtsi128_si64(s) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(s, s))) as u64
        }
        let (blocks, rest) = values.as_chunks::<128>();
        let sum = if is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            unsafe { with_avx2(blocks) }
        } else {
            // SAFETY: SSE2 is part of every x86_64 processor.
            unsafe { with_sse2(blocks) }
        };
        (sum + rest.iter().map(|&v| u64::from(v)).sum::<u64>()) as u32
    }
    #[cfg(not(target_arch = "x86_64"))]
    values.iter().map(|&v| u32::from(v)).sum()
}

/// Sum with eight running sums, so the read is vectorised and bound by memory, not adds.
fn sum_f32(values: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (chunks, rest) = values.as_chunks::<8>();
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    acc.iter().sum::<f32>() + rest.iter().sum::<f32>()
}
