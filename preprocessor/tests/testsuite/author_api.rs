//! The author's API as a chapter uses it, on the real library: MNIST trained with Adam, weight
//! decay and a cosine schedule and drawn as a two-control family in six lines of cell code, and
//! a wrong-length θ that reaches the page as the library's message, not as a panic.

use crate::support::{Library, TestBook};

const CHAPTER: &str = r#"# Adam on MNIST

```rust,run
use descent::prelude::*;
let data = OnesSevens::load()?;
let adam = TrainConfig::new(500, 2, 1e-3).optimizer(Adam::builder(1e-3).weight_decay(1e-2)).schedule(Schedule::cosine(2));
let mut family = Variants::lines("batch size", LineChart::new("Adam on MNIST", "Test loss per step.")).second_control("epochs");
for b in [500, 1000] { let run = train(initial_theta(0), &data.train, &data.test, &TrainConfig { batch_size: b, ..adam.clone() })?; for e in [1, 2] { family = family.option_epochs((b.to_string(), e.to_string()), run.steps_per_epoch, [("test", &run.test_loss[..e * run.steps_per_epoch])]); } println!("batch {b}: test loss {:.4}, learning rates {:?}", run.test_loss[run.steps() - 1], run.learning_rates); }
family.show()?;
```

A θ of the wrong length:

```rust,run
let short = Array1::<f32>::zeros(10);
logistic::evaluate(short.view(), data.train.x().view(), data.train.t.view())?;
```
"#;

#[test]
fn adam_with_decay_and_a_schedule_trains_and_draws_a_two_control_family_in_six_lines() {
    let code_lines = CHAPTER
        .split("```rust,run\n")
        .nth(1)
        .and_then(|c| c.split("```").next())
        .map_or(0, |c| c.lines().count());
    assert_eq!(code_lines, 6, "the cell is six lines");
    let book = TestBook::new(
        Library::Descent,
        &[("adam.md", CHAPTER)],
        "on-error = \"render\"\n",
    );
    book.build_ok();
    let page = book.page("adam.md");
    assert!(
        page.contains("batch 500: test loss 0.") && page.contains("learning rates [0.001, 0.0005"),
        "{page}"
    );
    // Two radio groups (batch size, epochs) and four combinations.
    assert_eq!(page.matches("type=\"radio\"").count(), 4, "{page}");
    assert!(page.contains("Adam on MNIST"));
    // The second cell's error is the library's message, as written: no panic, no Debug.
    assert!(
        page.contains(
            "θ has 10 entries but the images have 784 pixels: θ needs one weight per pixel plus \
             the bias, 785 entries"
        ),
        "{page}"
    );
    assert!(
        !page.contains("panicked") && !page.contains("ThetaLength"),
        "{page}"
    );
}
