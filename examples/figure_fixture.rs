//! Writes the figure fixture page (every figure kind, book-sized) in a light and a dark theme
//! to `target/figure-fixture/` (`index.html` is the light one, `navy.html` the dark one, and
//! `<theme>-NN.html` hold one figure each), and prints the size report.
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
        std::fs::write(
            dir.join(format!("{theme}.html")),
            fixture::page(theme, &css, &figures, ""),
        )?;
        // One page per figure too, for looking at them one by one.
        for (k, fig) in figures.iter().enumerate() {
            let one = std::slice::from_ref(fig);
            std::fs::write(
                dir.join(format!("{theme}-{k:02}.html")),
                fixture::page(theme, &css, one, ""),
            )?;
        }
    }
    let mut report = SizeReport::default();
    for (name, budget, svg) in &figures {
        report.add(&format!("{name} (budget {} KB)", budget / 1000), svg);
    }
    println!("theme CSS: {source}\n{report}");
    // The case DESIGN.md measured with plotters' own SVG backend (198 KB): peaks on a
    // 50 x 50 grid, 49 x 49 faces, 640 x 480.
    use descent::figure::{Figure, Grid, Landscape3d};
    let grid = Grid::sample(fixture::peaks, -3.0..=3.0, -3.0..=3.0, 50)?;
    let surface = Landscape3d::new("Peaks", "Peaks surface, 50 x 50.", grid)
        .resolution(49)
        .size(640, 480)
        .levels(0);
    println!(
        "peaks 50 x 50 as a 3-D surface: {:.1} KB",
        surface.to_svg()?.len() as f64 / 1000.0
    );
    Ok(())
}
