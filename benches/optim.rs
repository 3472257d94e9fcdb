//! Optimiser steps on 2-D landscapes and landscape grids for figures.
//!
//! `cargo bench --bench optim`. The targets: one optimiser step on a 2-D landscape
//! (gradient + update) <= 1 µs (PyTorch: 120-740 µs here); a 200 × 200 grid of peaks with
//! gradients on both cores, reported.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use descent::landscape::{Landscape, Peaks, Rosenbrock};
use descent::optim::{Adagrad, Adam, AdamW, Adamax, Optimizer, RmsProp, Sgd, run};

fn optimisers() -> Vec<(&'static str, Box<dyn Optimizer>)> {
    vec![
        ("sgd", Box::new(Sgd::new(0.01).expect("valid"))),
        (
            "sgd_nesterov",
            Box::new(
                Sgd::builder(0.01)
                    .momentum(0.9)
                    .nesterov(true)
                    .build()
                    .expect("valid"),
            ),
        ),
        ("rmsprop", Box::new(RmsProp::new(0.01).expect("valid"))),
        ("adagrad", Box::new(Adagrad::new(0.01).expect("valid"))),
        ("adam", Box::new(Adam::new(0.01).expect("valid"))),
        ("adamw", Box::new(AdamW::new(0.01).expect("valid"))),
        ("adamax", Box::new(Adamax::new(0.01).expect("valid"))),
    ]
}

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("step_on_peaks");
    for (name, mut opt) in optimisers() {
        // Gradient by dual numbers plus the update: PyTorch's forward + backward + step.
        let mut p = [0.25, 1.3];
        group.bench_function(name, |b| {
            b.iter(|| {
                let (_, g) = Peaks.value_and_gradient(p[0], p[1]);
                opt.step(black_box(&mut p), &g).expect("two parameters");
            })
        });
    }
    group.finish();

    let mut adam = Adam::new(0.01).expect("valid");
    let mut p = [0.25, 1.3];
    c.bench_function("adam_update_only", |b| {
        b.iter(|| {
            adam.step(black_box(&mut p), black_box(&[0.1, -0.2]))
                .expect("fits")
        })
    });
    c.bench_function("peaks_value_and_gradient", |b| {
        b.iter(|| Peaks.value_and_gradient(black_box(0.25), black_box(1.3)))
    });
    c.bench_function("run_adam_rosenbrock_200_steps", |b| {
        b.iter(|| {
            run(
                &Rosenbrock::default(),
                [2.0, -2.0],
                Adam::new(0.01).expect("valid"),
                200,
            )
        })
    });

    let mut adam32: Adam<f32> = Adam::new(0.01).expect("valid");
    let mut theta = vec![0.01f32; 785];
    let grad: Vec<f32> = (0..785).map(|i| (i as f32 * 0.37).sin()).collect();
    c.bench_function("adam_f32_785_weights", |b| {
        b.iter(|| adam32.step(black_box(&mut theta), &grad).expect("fits"))
    });
}

fn grids(c: &mut Criterion) {
    let mut group = c.benchmark_group("peaks_grid_200x200");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(4));
    group.bench_function("values", |b| {
        b.iter(|| Peaks.grid(-3.0..=3.0, -3.0..=3.0, 200).expect("valid"))
    });
    group.bench_function("values_and_gradients", |b| {
        b.iter(|| {
            Peaks
                .grid_with_gradients(-3.0..=3.0, -3.0..=3.0, 200)
                .expect("valid")
        })
    });
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    group.bench_function("values_and_gradients_one_thread", |b| {
        b.iter(|| {
            one.install(|| Peaks.grid_with_gradients(-3.0..=3.0, -3.0..=3.0, 200))
                .expect("valid")
        })
    });
    group.finish();
}

criterion_group!(benches, steps, grids);
criterion_main!(benches);
