//! Training with the optimisers of `torch.optim`, schedules, recordings and the public sample
//! order, on the real data (a head of the subsets, to stay quick).

use descent::data::{OnesSevens, Subset};
use descent::optim::{Adam, CosineAnnealingLr, LrScheduler, Optimizer, Schedule, Sgd};
use descent::train::{
    self, Shuffle, TrainConfig, TrainError, initial_theta, train_cpu, train_with,
};
use ndarray::Array1;
use std::sync::OnceLock;

fn data() -> &'static (Subset, Subset) {
    static DATA: OnceLock<(Subset, Subset)> = OnceLock::new();
    DATA.get_or_init(|| {
        let all = OnesSevens::load().expect("the MNIST files load");
        (all.train.head(1500), all.test.head(300))
    })
}

#[test]
fn adam_with_weight_decay_and_a_cosine_schedule_trains() {
    let (train, test) = data();
    let config = TrainConfig::new(100, 4, 0.01)
        .optimizer(Adam::builder(1e-3).weight_decay(1e-2))
        .schedule(Schedule::cosine(4))
        .record_theta_every(5);
    let run = train_cpu(initial_theta(0), train, test, &config).unwrap();
    assert_eq!(run.train_loss.len(), 4 * 15);
    assert_eq!(run.test_loss.len(), 4 * 15);
    assert!(
        run.test_loss[59] < 0.5 * run.test_loss[0],
        "{:?}",
        run.test_loss_per_epoch()
    );
    // CosineAnnealingLR(T_max = 4) from 1e-3: 1, (1 + cos(π/4))/2, 1/2, (1 - cos(π/4))/2.
    let expected = [1.0, 0.853_553_390_593_273_7, 0.5, 0.146_446_609_406_726_24];
    for (lr, e) in run.learning_rates.iter().zip(expected) {
        assert!((lr - 1e-3 * e).abs() < 1e-15, "{:?}", run.learning_rates);
    }
    let kept: Vec<usize> = run.theta_history.iter().map(|(s, _)| *s).collect();
    assert_eq!(kept, (0..=60).step_by(5).collect::<Vec<_>>());
    assert_eq!(run.theta_history.last().unwrap().1, run.theta);
    assert_eq!(run.theta_history[0].1, initial_theta(0));
}

#[test]
fn an_optimizer_of_ones_own_gives_what_the_config_gives() {
    let (train, test) = data();
    let config = TrainConfig::new(250, 3, 0.01)
        .optimizer(Adam::builder(1e-3))
        .schedule(Schedule::cosine(3));
    let from_config = train_cpu(initial_theta(1), train, test, &config).unwrap();
    let mut adam = Adam::<f32>::new(1e-3).unwrap();
    let mut cosine = CosineAnnealingLr::new(&adam, 3, 0.0).unwrap();
    let own = train_with(
        initial_theta(1),
        train,
        test,
        &config,
        &mut adam,
        Some(&mut cosine),
    )
    .unwrap();
    assert_eq!(own.theta, from_config.theta);
    assert_eq!(own.test_loss, from_config.test_loss);
    assert_eq!(adam.steps(), 18);
    assert_eq!(cosine.last_epoch(), 3);
}

#[test]
fn weight_decay_in_the_optimizer_shrinks_the_weights() {
    let (train, test) = data();
    let norm = |theta: &Array1<f32>| theta.dot(theta).sqrt();
    let plain = TrainConfig::new(100, 3, 0.1).without_test_loss();
    let decayed = plain.clone().optimizer(Sgd::builder(0.1).weight_decay(0.5));
    let a = train_cpu(initial_theta(2), train, test, &plain).unwrap();
    let b = train_cpu(initial_theta(2), train, test, &decayed).unwrap();
    assert!(
        norm(&b.theta) < 0.8 * norm(&a.theta),
        "{} vs {}",
        norm(&b.theta),
        norm(&a.theta)
    );
}

#[test]
fn a_loop_over_the_public_sample_order_sees_the_batches_training_sees() {
    let (train, test) = data();
    let config = TrainConfig::new(64, 2, 0.05).shuffle(Shuffle::EveryEpoch(9));
    let run = train_cpu(initial_theta(3), train, test, &config).unwrap();
    let mut theta = initial_theta(3);
    let mut sgd = Sgd::<f32>::new(0.05).unwrap();
    let mut order = config.sample_order(train.len());
    let mut gradient = vec![0.0f32; theta.len()];
    let mut losses = Vec::new();
    for _ in 0..config.epochs {
        for batch in order.next_epoch(config.batch_size) {
            let loss = descent::logistic::loss_and_gradient_rows(
                theta.view(),
                train.inputs(),
                train.t.view(),
                batch,
                &mut gradient,
            )
            .unwrap();
            losses.push(loss);
            sgd.step(theta.as_slice_mut().unwrap(), &gradient).unwrap();
        }
    }
    assert_eq!(losses, run.train_loss);
    assert_eq!(theta, run.theta);
}

#[test]
fn bad_inputs_are_errors_that_say_what_to_change() {
    let (train, test) = data();
    let config = TrainConfig::new(100, 1, 0.01);
    let narrow = Subset::from_values(
        test.x().slice(ndarray::s![.., ..700]).to_owned(),
        test.t.clone(),
        test.source_index.clone(),
    );
    let err = train_cpu(initial_theta(0), train, &narrow, &config).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the test set has 300 rows of 700 pixels; the test loss needs at least one row of 784 \
         pixels, as in the training set (or train without_test_loss())"
    );
    let empty = test.head(0);
    let err = train_cpu(initial_theta(0), train, &empty, &config).unwrap_err();
    assert!(matches!(err, TrainError::TestSet { rows: 0, .. }), "{err}");
    // Without the test loss, the test set is not needed.
    let no_test = config.clone().without_test_loss();
    assert!(train_cpu(initial_theta(0), train, &empty, &no_test).is_ok());
    let err = train_cpu(
        initial_theta(0).slice(ndarray::s![..700]).to_owned(),
        train,
        test,
        &config,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "θ has 700 entries but the data needs 785 (one per pixel, bias last)"
    );
    let err = train_cpu(
        initial_theta(0),
        train,
        test,
        &config.clone().record_theta_every(0),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "θ cannot be kept every 0 steps; give 1 or more"
    );
    let bad = config
        .clone()
        .optimizer(Adam::builder(1e-3).betas(0.9, 1.5));
    let err = train_cpu(initial_theta(0), train, test, &bad).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid beta parameter at index 1: 1.5"),
        "{err}"
    );
    let err =
        train::train_cpu(initial_theta(0), train, test, &TrainConfig::new(0, 1, 0.01)).unwrap_err();
    assert!(err.to_string().contains("pick 1 to 1500"), "{err}");
}
