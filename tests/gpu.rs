//! The GPU path against the CPU path and PyTorch's numbers.
//!
//! Every test needs a GPU adapter; the software Vulkan driver (`mesa-vulkan-drivers`) is
//! enough and is what CI uses. Without any adapter each test prints `SKIPPED: ...` to stderr
//! and returns, so a run without a driver says so instead of passing silently.
//!
//! Tolerances (float32 on the GPU, sums in another order than on the CPU):
//! - one evaluation against a float64 reference: loss 1e-5 relative, gradient 1e-5 absolute
//!   (entries are O(0.1)), probabilities 1e-6 absolute;
//! - training against the CPU path: losses 1e-4 relative, θ 1e-5 absolute;
//! - training against PyTorch (`tests/data/gd-sgd/`): losses 1e-4 relative.

use descent::data::{OnesSevens, Subset};
use descent::device::gpu::GpuOptions;
use descent::device::{Device, DeviceError};
use descent::train::{self, Run, Shuffle, TrainConfig, TrainError};
use ndarray::{Array1, Array2};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The GPU every test shares (software adapters allowed), or `None` after printing why not.
fn gpu() -> Option<&'static Device> {
    static GPU: OnceLock<Option<Device>> = OnceLock::new();
    let gpu = GPU.get_or_init(|| match Device::gpu() {
        Ok(device) => {
            eprintln!("GPU tests run on {}", device.describe());
            Some(device)
        }
        Err(DeviceError::NoAdapter) => None,
        Err(e) => panic!("a GPU adapter exists but cannot be used: {e}"),
    });
    if gpu.is_none() {
        eprintln!(
            "SKIPPED: no GPU adapter (install mesa-vulkan-drivers and libvulkan1 to run the GPU \
             tests on the software driver)"
        );
    }
    gpu.as_ref()
}

/// A GPU whose storage bindings hold at most `bytes`, to force matrices to be split, and that
/// submits an epoch in slices of 7 dispatches.
fn small_binding_gpu(bytes: u64) -> Option<Device> {
    gpu()?;
    let options = GpuOptions {
        allow_software: true,
        max_binding_bytes: Some(bytes),
        dispatches_per_submit: 7,
        ..GpuOptions::default()
    };
    Some(Device::gpu_with(&options).expect("the adapter opened once already"))
}

/// Deterministic data shaped like normalised MNIST: values in [-0.42, 2.82], targets 0/1.
fn synthetic(rows: usize, cols: usize, seed: u64) -> Subset {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    let x = Array2::from_shape_fn((rows, cols), |_| {
        let u = next();
        if u < 0.8 {
            -0.424_213
        } else {
            -0.424_213 + 3.245_703 * next()
        }
    });
    // Targets follow a fixed linear rule plus noise, so training has something to learn.
    let t = Array1::from_shape_fn(rows, |i| {
        let s: f32 = x.row(i).iter().step_by(7).sum();
        f32::from(u8::from(s + next() * 4.0 > 0.0))
    });
    Subset::from_values(x, t, (0..rows).collect())
}

fn theta(cols: usize) -> Array1<f32> {
    Array1::from_shape_fn(cols + 1, |j| ((j * 37 % 101) as f32 - 50.0) / 2000.0)
}

/// Loss and gradient in float64 straight from the definitions.
fn reference(theta: &Array1<f32>, data: &Subset) -> (f64, Vec<f64>, Vec<f64>) {
    let cols = data.ncols();
    let n = data.len() as f64;
    let (mut loss, mut grad, mut probs) = (0.0, vec![0.0; cols + 1], Vec::new());
    for (row, &t) in data.x().rows().into_iter().zip(&data.t) {
        let z: f64 = row
            .iter()
            .zip(theta)
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum::<f64>()
            + f64::from(theta[cols]);
        let t = f64::from(t);
        loss += z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z;
        let p = 1.0 / (1.0 + (-z).exp());
        probs.push(p);
        for (g, x) in grad.iter_mut().zip(row) {
            *g += (p - t) * f64::from(*x);
        }
        grad[cols] += p - t;
    }
    (loss / n, grad.into_iter().map(|g| g / n).collect(), probs)
}

fn assert_close(what: &str, a: &[f32], b: &[f32], rel: f32, abs: f32) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let tol = abs + rel * y.abs();
        assert!(
            (x - y).abs() <= tol,
            "{what}[{i}]: {x} vs {y} (tolerance {tol})"
        );
    }
}

fn assert_runs_agree(gpu: &Run, cpu: &Run) {
    assert_eq!(gpu.steps_per_epoch, cpu.steps_per_epoch);
    assert_close("train loss", &gpu.train_loss, &cpu.train_loss, 1e-4, 1e-7);
    assert_close("test loss", &gpu.test_loss, &cpu.test_loss, 1e-4, 1e-7);
    assert_close(
        "θ",
        gpu.theta.as_slice().unwrap(),
        cpu.theta.as_slice().unwrap(),
        0.0,
        1e-5,
    );
}

#[test]
fn one_evaluation_matches_a_float64_reference() {
    let Some(gpu) = gpu() else { return };
    let data = synthetic(1000, 784, 1);
    let theta = theta(784);
    let eval = gpu
        .evaluate(theta.view(), data.x().view(), data.t.view())
        .unwrap();
    let (loss, grad, probs) = reference(&theta, &data);
    assert!(
        (f64::from(eval.loss) - loss).abs() <= 1e-5 * loss,
        "{} vs {loss}",
        eval.loss
    );
    for (j, (g, r)) in eval.gradient.iter().zip(&grad).enumerate() {
        assert!(
            (f64::from(*g) - r).abs() <= 1e-5,
            "gradient[{j}]: {g} vs {r}"
        );
    }
    for (i, (p, r)) in eval.probabilities.iter().zip(&probs).enumerate() {
        assert!(
            (f64::from(*p) - r).abs() <= 1e-6,
            "probability[{i}]: {p} vs {r}"
        );
    }
}

#[test]
fn a_well_classified_sample_keeps_the_digits_of_its_small_loss() {
    // Batch size 1 records single-sample losses as small as 1e-6; softplus(z) - t z computed
    // naively in f32 cancels them to a few percent (regression: 5.6e-2 relative on MNIST).
    let Some(gpu) = gpu() else { return };
    let x = Array2::from_elem((4, 784), 0.01f32);
    let t = Array1::from(vec![1.0f32, 0.0, 1.0, 0.0]);
    let mut theta = Array1::zeros(785);
    for (i, z) in [12.0f32, -13.0, 9.0, 0.5].into_iter().enumerate() {
        theta[784] = z; // weights are zero: the logit is the bias
        let row = x.slice(ndarray::s![i..i + 1, ..]);
        let target = t.slice(ndarray::s![i..i + 1]);
        let eval = gpu.evaluate(theta.view(), row, target).unwrap();
        let (z, t) = (f64::from(z), f64::from(t[i]));
        let expected = z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z;
        let rel = (f64::from(eval.loss) - expected).abs() / expected;
        assert!(rel < 1e-5, "z = {z}, t = {t}: {} vs {expected}", eval.loss);
    }
}

#[test]
fn a_resident_batch_gives_the_same_gradient_at_every_call() {
    let Some(gpu) = gpu() else { return };
    let data = synthetic(130, 784, 2);
    let batch = gpu.upload(data.x().view(), data.t.view()).unwrap();
    let mut first = vec![0.0; 785];
    let mut again = vec![0.0; 785];
    let a = batch
        .loss_and_gradient(theta(784).view(), &mut first)
        .unwrap();
    let _ = batch
        .loss_and_gradient(Array1::zeros(785).view(), &mut again)
        .unwrap();
    let b = batch
        .loss_and_gradient(theta(784).view(), &mut again)
        .unwrap();
    assert_eq!((a, &first), (b, &again), "same θ, same bits");
}

#[test]
fn a_matrix_split_across_many_bindings_gives_the_same_numbers() {
    // 37 rows a binding: 300 rows need 9 chunks, and batches of 50 straddle their boundaries;
    // each epoch goes to the GPU in several submissions.
    let Some(split) = small_binding_gpu(37 * 784 * 4) else {
        return;
    };
    let Some(gpu) = gpu() else { return };
    let data = synthetic(300, 784, 3);
    let test = synthetic(90, 784, 4);
    let theta = theta(784);
    let one = gpu
        .evaluate(theta.view(), data.x().view(), data.t.view())
        .unwrap();
    let many = split
        .evaluate(theta.view(), data.x().view(), data.t.view())
        .unwrap();
    assert!((one.loss - many.loss).abs() <= 1e-6 * one.loss);
    assert_close(
        "gradient",
        many.gradient.as_slice().unwrap(),
        one.gradient.as_slice().unwrap(),
        1e-5,
        1e-7,
    );
    assert_eq!(
        one.probabilities, many.probabilities,
        "probabilities do not depend on chunks"
    );

    let config = TrainConfig::new(50, 3, 0.05);
    let cpu = train::train_cpu(theta.clone(), &data, &test, &config).unwrap();
    let run = split.train(theta, &data, &test, &config).unwrap();
    assert_runs_agree(&run, &cpu);
}

#[test]
fn training_with_a_new_order_every_epoch_matches_the_cpu_path() {
    let Some(gpu) = gpu() else { return };
    let data = synthetic(700, 784, 5);
    let test = synthetic(200, 784, 6);
    let config = TrainConfig::new(64, 4, 0.1).shuffle(Shuffle::EveryEpoch(7));
    let cpu = train::train_cpu(theta(784), &data, &test, &config).unwrap();
    let run = gpu.train(theta(784), &data, &test, &config).unwrap();
    assert_eq!(run.train_loss.len(), 4 * (700 / 64));
    assert_runs_agree(&run, &cpu);
}

#[test]
fn batch_size_one_matches_the_cpu_path() {
    let Some(gpu) = gpu() else { return };
    let data = synthetic(120, 784, 8);
    let test = synthetic(70, 784, 9);
    let config = TrainConfig::new(1, 1, 0.01);
    let cpu = train::train_cpu(theta(784), &data, &test, &config).unwrap();
    let run = gpu.train(theta(784), &data, &test, &config).unwrap();
    assert_runs_agree(&run, &cpu);
}

#[test]
fn training_without_the_test_loss_records_none() {
    let Some(gpu) = gpu() else { return };
    let data = synthetic(200, 784, 10);
    let mut config = TrainConfig::new(100, 2, 0.1).shuffle(Shuffle::Never);
    config.test_loss_every_step = false;
    let cpu = train::train_cpu(theta(784), &data, &data, &config).unwrap();
    let run = gpu.train(theta(784), &data, &data, &config).unwrap();
    assert!(run.test_loss.is_empty());
    assert_runs_agree(&run, &cpu);
}

#[test]
fn bad_settings_are_errors_on_the_gpu_too() {
    let Some(gpu) = gpu() else { return };
    let data = synthetic(10, 784, 11);
    let config = TrainConfig::new(11, 1, 0.1);
    let err = gpu.train(theta(784), &data, &data, &config).unwrap_err();
    assert!(matches!(err, TrainError::BatchSize { .. }), "{err}");
    let err = gpu
        .train(theta(783), &data, &data, &TrainConfig::new(5, 1, 0.1))
        .unwrap_err();
    assert!(matches!(err, TrainError::ThetaLength { .. }), "{err}");
    let err = gpu
        .evaluate(theta(783).view(), data.x().view(), data.t.view())
        .unwrap_err();
    assert!(matches!(err, DeviceError::Shape(_)), "{err}");
}

#[test]
fn a_binding_smaller_than_one_row_is_a_limit_error_not_a_panic() {
    let Some(tiny) = small_binding_gpu(1024) else {
        return;
    };
    let data = synthetic(4, 784, 12);
    let err = tiny
        .evaluate(theta(784).view(), data.x().view(), data.t.view())
        .unwrap_err();
    assert!(matches!(err, DeviceError::Limit { .. }), "{err}");
    assert!(err.to_string().contains("DESCENT_DEVICE=cpu"), "{err}");
}

#[test]
fn a_lost_device_is_an_error_not_a_panic_or_a_hang() {
    let Some(lost) = small_binding_gpu(u64::MAX) else {
        return;
    };
    let data = synthetic(100, 784, 13);
    let batch = lost.upload(data.x().view(), data.t.view()).unwrap();
    lost.as_gpu().unwrap().destroy();
    let mut g = vec![0.0; 785];
    let err = batch
        .loss_and_gradient(theta(784).view(), &mut g)
        .unwrap_err();
    assert!(
        matches!(err, DeviceError::Lost { .. } | DeviceError::Rejected { .. }),
        "{err}"
    );
    let err = lost
        .train(theta(784), &data, &data, &TrainConfig::new(10, 1, 0.1))
        .unwrap_err();
    assert!(matches!(err, TrainError::Device(_)), "{err}");
    eprintln!("after destroy: {err}");
}

#[test]
fn the_adapter_is_described_by_name_and_backend() {
    let Some(gpu) = gpu() else { return };
    let text = gpu.describe();
    assert!(text.ends_with(')') && text.contains(" ("), "{text}");
    assert!(gpu.is_gpu());
}

// --- PyTorch parity on the real data ---

/// `tests/data/gd-sgd` under the package root: `CARGO_MANIFEST_DIR` at run time when set (a
/// test binary copied to another machine, see `scripts/gpu-bench.sh`), else at build time.
fn reference_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("tests/data/gd-sgd")
}

fn read_f32(name: &str) -> Vec<f32> {
    let bytes = std::fs::read(reference_dir().join(name)).unwrap();
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn read_perm(name: &str) -> Vec<usize> {
    let bytes = std::fs::read(reference_dir().join(name)).unwrap();
    bytes
        .chunks_exact(8)
        .map(|b| usize::try_from(i64::from_le_bytes(b.try_into().unwrap())).unwrap())
        .collect()
}

fn read_losses(name: &str) -> (Vec<f32>, Vec<f32>) {
    let text = std::fs::read_to_string(reference_dir().join(name)).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split_whitespace().map(|v| v.parse::<f32>().unwrap());
            (it.next().unwrap(), it.next().unwrap())
        })
        .unzip()
}

fn data() -> &'static OnesSevens {
    static DATA: OnceLock<OnesSevens> = OnceLock::new();
    DATA.get_or_init(|| OnesSevens::load().expect("the MNIST files in assets/mnist"))
}

#[test]
fn the_whole_subset_gradient_matches_pytorch() {
    let data = data();
    let theta = Array1::from_elem(785, 0.01f32);
    // float64 PyTorch: 1.126821156, 57.59229886, -0.210380567
    let check = |what: &str, eval: descent::logistic::Evaluation| {
        assert!(
            (f64::from(eval.loss) - 1.126_821_156).abs() < 1e-5,
            "{what}: {}",
            eval.loss
        );
        let sum: f64 = eval.gradient.iter().map(|&g| f64::from(g)).sum();
        assert!((sum - 57.592_298_86).abs() < 5e-4, "{what}: {sum}");
        assert!((f64::from(eval.gradient[784]) + 0.210_380_567).abs() < 1e-6);
    };
    // The subset's pixel bytes, uploaded as bytes, on the CPU (which runs without a GPU too).
    let (x, t) = (data.train.inputs(), data.train.t.view());
    assert!(matches!(x, descent::logistic::Inputs::Pixels(_)));
    check(
        "CPU, bytes",
        Device::cpu().evaluate(theta.view(), x, t).unwrap(),
    );
    let Some(gpu) = gpu() else { return };
    check(
        "GPU, f32 rows",
        gpu.evaluate(theta.view(), data.train.x().view(), t)
            .unwrap(),
    );
    let bytes = gpu.upload(x, t).unwrap();
    check("GPU, bytes", bytes.evaluate(theta.view()).unwrap());
}

/// Epochs of the parity run: all 9 with `DESCENT_FULL_PARITY=1` (for a real GPU), else the
/// first 2 (batch 13007) and the first one (batch 500), which the software driver runs in
/// seconds.
fn parity_epochs(full: usize) -> usize {
    if std::env::var_os("DESCENT_FULL_PARITY").is_some() {
        9
    } else {
        full
    }
}

#[test]
fn gd_and_sgd_match_pytorch_on_the_gpu() {
    let Some(gpu) = gpu() else { return };
    let data = data();
    let train_set = data
        .train
        .permuted(&read_perm("train_perm_i64le.bin"))
        .unwrap();
    let test_set = data
        .test
        .permuted(&read_perm("test_perm_i64le.bin"))
        .unwrap();
    let theta = Array1::from(read_f32("theta_init_f32le.bin"));
    for (batch, epochs, file, final_theta) in [
        (
            500,
            parity_epochs(1),
            "losses_bs500.txt",
            "theta_final_bs500_f32le.bin",
        ),
        (
            13007,
            parity_epochs(2),
            "losses_bs13007.txt",
            "theta_final_bs13007_f32le.bin",
        ),
    ] {
        let config = TrainConfig::new(batch, epochs, 0.01).shuffle(Shuffle::Never);
        let run = gpu
            .train(theta.clone(), &train_set, &test_set, &config)
            .unwrap();
        let (train_ref, test_ref) = read_losses(file);
        let steps = run.train_loss.len();
        assert_eq!(steps, epochs * (13007 / batch));
        assert_close(
            "train loss",
            &run.train_loss,
            &train_ref[..steps],
            1e-4,
            0.0,
        );
        assert_close("test loss", &run.test_loss, &test_ref[..steps], 1e-4, 0.0);
        if epochs == 9 {
            let theta_ref = read_f32(final_theta);
            assert_close(
                "final θ",
                run.theta.as_slice().unwrap(),
                &theta_ref,
                0.0,
                1e-5,
            );
        }
    }
}

#[test]
fn settings_beyond_the_kernels_train_on_the_cpu_with_the_same_numbers_and_say_so() {
    let Some(gpu) = gpu() else { return };
    let data = synthetic(300, 784, 12);
    let test = synthetic(60, 784, 13);
    let configs = [
        TrainConfig::new(50, 2, 0.1)
            .optimizer(descent::optim::Adam::builder(1e-3).weight_decay(0.1)),
        TrainConfig::new(50, 2, 0.1).optimizer(descent::optim::Sgd::builder(0.1).momentum(0.9)),
        TrainConfig::new(50, 2, 0.1).schedule(descent::optim::Schedule::exponential(0.5)),
        TrainConfig::new(50, 2, 0.1).record_theta_every(3),
    ];
    for config in configs {
        let cpu = train::train_cpu(theta(784), &data, &test, &config).unwrap();
        let run = gpu.train(theta(784), &data, &test, &config).unwrap();
        assert_eq!(run.theta, cpu.theta, "{config:?}");
        assert_eq!(run.train_loss, cpu.train_loss);
        assert_eq!(run.test_loss, cpu.test_loss);
        assert_eq!(run.theta_history, cpu.theta_history);
        assert!(run.device.starts_with("CPU"), "{}", run.device);
    }
    let note = descent::device::describe_default();
    assert!(
        note.contains(
            "; Adam(lr=0.001, weight_decay=0.1) trained on the CPU (the GPU kernels do plain SGD)"
        ) && note.contains("; ExponentialLR(gamma=0.5) trained on the CPU"),
        "{note}"
    );
}

#[test]
fn mnist_pixel_bytes_train_on_the_gpu_as_on_the_cpu() {
    // MNIST subsets go to the GPU as their pixel bytes, four to a word, and the kernels fold
    // the normalisation into their sums as the CPU path does: losses, test loss per step and
    // θ agree. The split GPU (40 rows a binding) puts batches across chunk boundaries.
    let Some(gpu) = gpu() else { return };
    let Some(split) = small_binding_gpu(40 * 784) else {
        return;
    };
    let data = data();
    let train_set = data
        .train
        .permuted(&(0..1300).rev().collect::<Vec<_>>())
        .unwrap();
    let test_set = data.test.head(300);
    assert!(train_set.pixels().is_some() && test_set.pixels().is_some());
    let theta = Array1::from(read_f32("theta_init_f32le.bin"));
    let runs = [
        (
            gpu,
            TrainConfig::new(100, 2, 0.05).shuffle(Shuffle::EveryEpoch(3)),
        ),
        (&split, TrainConfig::new(130, 2, 0.05)),
        (gpu, TrainConfig::new(1300, 3, 0.1).shuffle(Shuffle::Never)),
    ];
    for (device, config) in runs {
        let cpu = train::train_cpu(theta.clone(), &train_set, &test_set, &config).unwrap();
        let run = device
            .train(theta.clone(), &train_set, &test_set, &config)
            .unwrap();
        assert!(run.device.starts_with(&device.describe()), "{}", run.device);
        assert_runs_agree(&run, &cpu);
    }
    // Batch size 1: every step is the fused small-batch kernel.
    let small = data.train.head(60);
    let config = TrainConfig::new(1, 1, 0.01);
    let cpu = train::train_cpu(theta.clone(), &small, &test_set, &config).unwrap();
    let run = gpu.train(theta, &small, &test_set, &config).unwrap();
    assert_runs_agree(&run, &cpu);
}
