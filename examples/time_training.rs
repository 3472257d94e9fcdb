//! Times the foundation's training workloads once each (a quick check; `cargo bench` measures).
//!
//! With arguments `BATCH EPOCHS [ROWS]` it runs that one workload instead, on the first `ROWS`
//! training images when given: a small, fixed amount of work for profilers and instruction
//! counters (`valgrind --tool=callgrind`), whose counts do not depend on the machine's load.
use descent::data::OnesSevens;
use descent::train::{TrainConfig, initial_theta, train_cpu};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut data = OnesSevens::load()?;
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("arguments are BATCH EPOCHS [ROWS], whole numbers: {e}"))?;
    let workloads = match args[..] {
        [] => vec![(500, 9), (13007, 9), (1, 1)],
        [batch, epochs] => vec![(batch, epochs)],
        [batch, epochs, rows] => {
            data.train = data.train.head(rows);
            vec![(batch, epochs)]
        }
        _ => return Err("arguments are BATCH EPOCHS [ROWS]".into()),
    };
    for (batch, epochs) in workloads {
        let config = TrainConfig::new(batch, epochs, 0.01);
        let start = Instant::now();
        let run = train_cpu(initial_theta(0), &data.train, &data.test, &config)?;
        println!(
            "batch {batch:>5}, {epochs} epochs: {:>8.1?}, final test loss {:.5}",
            start.elapsed(),
            run.test_loss.last().ok_or("no steps")?
        );
    }
    Ok(())
}
