//! Times the foundation's training workloads once each (a quick check; `cargo bench` measures).
use descent::data::OnesSevens;
use descent::train::{TrainConfig, initial_theta, train_cpu};
use std::time::Instant;

fn main() {
    let data = OnesSevens::load().expect("MNIST loads");
    for (batch, epochs) in [(500, 9), (13007, 9), (1, 1)] {
        let config = TrainConfig::new(batch, epochs, 0.01);
        let start = Instant::now();
        let run = train_cpu(initial_theta(0), &data.train, &data.test, &config).expect("trains");
        println!(
            "batch {batch:>5}, {epochs} epochs: {:>8.1?}, final test loss {:.5}",
            start.elapsed(),
            run.test_loss.last().unwrap()
        );
    }
}
