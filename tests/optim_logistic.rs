//! The optimisers on the logistic regression's 785 `f32` weights: the same `Optimizer` trait
//! that walks the 2-D landscapes trains the model of chapter 2.

use descent::logistic::loss_and_gradient;
use descent::optim::{Adam, CosineAnnealingLr, LrScheduler, Optimizer, Sgd};
use ndarray::{Array1, Array2};

/// 96 synthetic "images" of 784 pixels: class 1 is brighter in the left half, class 0 in the
/// right half, with a deterministic ripple so that no two rows are alike.
fn data() -> (Array2<f32>, Array1<f32>) {
    let rows = 96;
    let x = Array2::from_shape_fn((rows, 784), |(i, j)| {
        let class = (i % 2) as f32;
        let left = if j % 28 < 14 { 1.0 } else { -1.0 };
        0.5 * left * (2.0 * class - 1.0) + 0.3 * ((i * 31 + j * 7) as f32 * 0.1).sin()
    });
    let t = Array1::from_shape_fn(rows, |i| (i % 2) as f32);
    (x, t)
}

#[test]
fn sgd_on_f32_weights_is_theta_minus_lr_gradient() {
    let (x, t) = data();
    let mut theta = vec![0.01f32; 785];
    let mut gradient = vec![0.0f32; 785];
    loss_and_gradient(
        Array1::from(theta.clone()).view(),
        x.view(),
        t.view(),
        &mut gradient,
    )
    .expect("shapes fit");
    let expected: Vec<f32> = theta
        .iter()
        .zip(&gradient)
        .map(|(p, g)| p + (-0.5f32) * g)
        .collect();
    let mut sgd: Sgd<f32> = Sgd::new(0.5).expect("valid");
    sgd.step(&mut theta, &gradient)
        .expect("785 weights, 785 gradient entries");
    assert_eq!(theta, expected);
}

#[test]
fn adam_with_a_cosine_schedule_trains_the_model() {
    let (x, t) = data();
    let mut theta = Array1::<f32>::zeros(785);
    let mut gradient = vec![0.0f32; 785];
    let mut adam: Adam<f32> = Adam::new(0.01).expect("valid");
    let mut cosine = CosineAnnealingLr::new(&adam, 30, 0.0).expect("valid");
    let first = loss_and_gradient(theta.view(), x.view(), t.view(), &mut gradient).expect("fits");
    let mut last = first;
    for _ in 0..30 {
        last = loss_and_gradient(theta.view(), x.view(), t.view(), &mut gradient).expect("fits");
        let weights = theta.as_slice_mut().expect("a contiguous array");
        adam.step(weights, &gradient).expect("fits");
        cosine.step(&mut adam);
    }
    assert!((first - std::f32::consts::LN_2).abs() < 1e-6);
    assert!(last < 0.05 * first, "loss went from {first} to {last}");
    assert_eq!(adam.steps(), 30);
    assert!(cosine.last_lr().abs() < 1e-12);
}
