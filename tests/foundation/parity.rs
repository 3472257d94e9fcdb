//! The library against the numbers PyTorch computes for the same work.

use descent::data::OnesSevens;
use descent::logistic;
use descent::train::{Shuffle, TrainConfig, train_cpu};
use ndarray::Array1;
use std::path::Path;
use std::sync::OnceLock;

fn data() -> &'static OnesSevens {
    static DATA: OnceLock<OnesSevens> = OnceLock::new();
    DATA.get_or_init(|| OnesSevens::load().expect("the MNIST files in assets/mnist load"))
}

fn reference(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gd-sgd")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn f32s(name: &str) -> Array1<f32> {
    reference(name)
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn indices(name: &str) -> Vec<usize> {
    reference(name)
        .chunks_exact(8)
        .map(|b| usize::try_from(i64::from_le_bytes(b.try_into().unwrap())).unwrap())
        .collect()
}

/// Per-step `(train, test)` losses of a reference run.
fn losses(name: &str) -> Vec<(f32, f32)> {
    String::from_utf8(reference(name))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let mut it = l.split_whitespace().map(|v| v.parse::<f32>().unwrap());
            (it.next().unwrap(), it.next().unwrap())
        })
        .collect()
}

fn assert_close(what: &str, found: f32, expected: f32, rel: f32) {
    let err = (found - expected).abs() / expected.abs().max(1e-12);
    assert!(
        err <= rel,
        "{what}: {found} vs PyTorch {expected} (relative error {err:e} > {rel:e})"
    );
}

#[test]
fn the_subset_has_the_tutorials_sizes_and_classes() {
    let data = data();
    assert_eq!((data.train.len(), data.test.len()), (13007, 2163));
    let ones = |t: &Array1<f32>| t.iter().filter(|&&v| v == 1.0).count();
    assert_eq!(ones(&data.train.t), 6742);
    assert_eq!(ones(&data.test.t), 1135);
    let mnist = descent::data::Mnist::load().unwrap();
    assert_eq!(mnist.train.labels[42], 7);
}

#[test]
fn loss_and_gradient_at_ones_over_100_match_pytorch() {
    let data = data();
    let theta = Array1::from_elem(785, 0.01f32);
    // The bytes (what training reads) and the normalised f32 rows (what a chapter reads).
    for x in [data.train.inputs(), data.train.x().view().into()] {
        let eval = logistic::evaluate(theta.view(), x, data.train.t.view()).unwrap();
        assert_close("loss", eval.loss, 1.126_820_2, 1e-5);
        assert_close("sum of gradient", eval.gradient.sum(), 57.592_16, 1e-5);
        assert_close("bias gradient", eval.gradient[784], -0.210_380_06, 1e-5);
    }
}

fn check_run(batch: usize, losses_file: &str, theta_file: &str, soft: f64, correct: usize) {
    let data = data();
    let train = data
        .train
        .permuted(&indices("train_perm_i64le.bin"))
        .unwrap();
    let test = data.test.permuted(&indices("test_perm_i64le.bin")).unwrap();
    let config = TrainConfig::new(batch, 9, 0.01).shuffle(Shuffle::Never);
    let run = train_cpu(f32s("theta_init_f32le.bin"), &train, &test, &config).unwrap();

    let expected = losses(losses_file);
    assert_eq!(run.train_loss.len(), expected.len());
    assert_eq!(run.test_loss.len(), expected.len());
    for (step, (&(train_ref, test_ref), (&tr, &te))) in expected
        .iter()
        .zip(run.train_loss.iter().zip(&run.test_loss))
        .enumerate()
    {
        assert_close(&format!("train loss at step {step}"), tr, train_ref, 1e-4);
        assert_close(&format!("test loss at step {step}"), te, test_ref, 1e-4);
    }
    for (j, (&found, &want)) in run.theta.iter().zip(&f32s(theta_file)).enumerate() {
        assert!(
            (found - want).abs() <= 1e-4 * want.abs() + 1e-6,
            "final theta[{j}]: {found} vs PyTorch {want}"
        );
    }
    let score = logistic::score(run.theta.view(), test.inputs(), test.t.view()).unwrap();
    assert!(
        (score.soft_accuracy_percent - soft).abs() < 0.005,
        "{score:?}"
    );
    assert_eq!((score.correct, score.total), (correct, 2163));
}

#[test]
fn sgd_with_batch_500_follows_pytorch_step_by_step() {
    check_run(
        500,
        "losses_bs500.txt",
        "theta_final_bs500_f32le.bin",
        96.67,
        2125,
    );
}

#[test]
fn full_batch_gradient_descent_follows_pytorch_step_by_step() {
    check_run(
        13007,
        "losses_bs13007.txt",
        "theta_final_bs13007_f32le.bin",
        82.56,
        2091,
    );
}

#[test]
fn batch_size_one_stays_finite_where_the_tutorials_formula_gives_nan() {
    let data = data();
    let mut config = TrainConfig::new(1, 1, 0.01);
    config.test_loss_every_step = false;
    let run = train_cpu(
        descent::train::initial_theta(7),
        &data.train,
        &data.test,
        &config,
    )
    .unwrap();
    assert_eq!(run.train_loss.len(), 13007);
    assert!(run.train_loss.iter().all(|l| l.is_finite() && *l >= 0.0));

    // The tutorial's `t log p + (1 - t) log(1 - p)` in float32 is NaN wherever p rounds to
    // exactly 0 or 1; the trained model has such samples, and their loss here is finite.
    let p = logistic::probabilities(run.theta.view(), data.train.inputs()).unwrap();
    let saturated: Vec<usize> = (0..p.len())
        .filter(|&i| p[i] == 1.0 || p[i] == 0.0)
        .collect();
    let naive_nan = saturated
        .iter()
        .filter(|&&i| {
            let (p, t) = (p[i], data.train.t[i]);
            (t * p.ln() + (1.0 - t) * (1.0 - p).ln()).is_nan()
        })
        .count();
    assert!(
        naive_nan > 0,
        "expected saturated samples after a batch-1 epoch"
    );
    for &i in &saturated {
        let row = data.train.x().slice(ndarray::s![i..i + 1, ..]);
        let t = data.train.t.slice(ndarray::s![i..i + 1]);
        assert!(
            logistic::loss(run.theta.view(), row, t)
                .unwrap()
                .is_finite()
        );
    }
}

#[test]
fn the_librarys_tutorial_start_is_the_recorded_one() {
    use descent::data::reference;
    assert_eq!(reference::initial_theta(), f32s("theta_init_f32le.bin"));
    assert_eq!(reference::train_order(), indices("train_perm_i64le.bin"));
    assert_eq!(reference::test_order(), indices("test_perm_i64le.bin"));
    let ordered = reference::tutorial_order(data()).unwrap();
    let first = indices("train_perm_i64le.bin")[0];
    assert_eq!(ordered.train.x().row(0), data().train.x().row(first));
    assert_eq!(
        ordered.train.pixels().unwrap().row(0),
        data().train.pixels().unwrap().row(first)
    );
    assert_eq!(ordered.test.len(), 2163);
}
