//! Writes the figure fixture page (every figure kind, book-sized) in a light and a dark theme
//! to `target/figure-fixture/`, and prints the size report.
//!
//! `cargo run --example figure_fixture`

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use descent::figure::SizeReport;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = fixture::all(fixture::Scale::Book)?;
    let (css, source) = fixture::mdbook_variables_css();
    let dir = std::path::Path::new("target/figure-fixture");
    std::fs::create_dir_all(dir)?;
    for theme in ["light", "navy"] {
        std::fs::write(dir.join(format!("{theme}.html")), fixture::page(theme, &css, &figures, ""))?;
        // One page per figure too, for looking at them one by one.
        for (k, fig) in figures.iter().enumerate() {
            let one = std::slice::from_ref(fig);
            std::fs::write(dir.join(format!("{theme}-{k:02}.html")), fixture::page(theme, &css, one, ""))?;
        }
    }
    let mut report = SizeReport::default();
    for (name, budget, svg) in &figures {
        report.add(&format!("{name} (budget {} KB)", budget / 1000), svg);
    }
    println!("theme CSS: {source}\n{report}");
    Ok(())
}
