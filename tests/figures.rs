//! Figure kit tests: every kind on small inputs against committed snapshots, parsed as XML,
//! checked for what inlining in an mdBook page needs (one line, prefixed and unique ids, every
//! reference resolved, a title and a description), plus the size budget of book-sized
//! versions. `DESCENT_UPDATE_SNAPSHOTS=1 cargo test --test figures` rewrites the snapshots.

mod fixture;

use descent::figure::{
    AnimatedSurface, Figure, FigureError, Grid, Heatmap, Image, ImageGrid, Landscape2d, LineChart,
    SizeReport, Variants,
};
use quick_xml::events::Event;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

fn file_name(kind: &str) -> String {
    let name: String = kind
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!(
        "{}.svg",
        name.trim_matches('-').replace("--", "-").to_lowercase()
    )
}

/// Parses `svg` as XML and returns every id it defines and every local reference it makes.
fn parse(svg: &str) -> (Vec<String>, Vec<String>) {
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut ids, mut refs) = (Vec::new(), Vec::new());
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|err| {
                        panic!(
                            "bad attribute in <{}>: {err}",
                            String::from_utf8_lossy(e.name().as_ref())
                        )
                    });
                    let value = a.unescape_value().expect("attribute value").into_owned();
                    match a.key.as_ref() {
                        b"id" => ids.push(value),
                        b"href" if value.starts_with('#') => refs.push(value[1..].to_owned()),
                        _ => {
                            for part in value.split("url(#").skip(1) {
                                refs.push(part.split(')').next().unwrap_or("").to_owned());
                            }
                        }
                    }
                }
                depth += 1;
            }
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    assert!(depth > 0);
    (ids, refs)
}

/// What every figure must be to go inline into a page.
fn check_inline_safe(kind: &str, svg: &str) -> String {
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{kind}: starts with <svg>"
    );
    assert!(svg.ends_with("</svg>"), "{kind}: ends with </svg>");
    assert!(
        !svg.contains('\n') && !svg.contains('\r'),
        "{kind}: one line"
    );
    assert!(
        svg.contains("<title>") && svg.contains("<desc id=") && svg.contains("aria-label=\""),
        "{kind}: title, desc, aria-label"
    );
    let prefix = svg
        .split("class=\"dfig ")
        .nth(1)
        .and_then(|s| s.split([' ', '"']).next())
        .expect("prefix class")
        .to_owned();
    assert!(
        prefix.len() == 9 && prefix.starts_with('d'),
        "{kind}: prefix {prefix}"
    );
    let (ids, refs) = parse(svg);
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{kind}: ids are unique");
    for id in &ids {
        assert!(
            // `prefix-name`, or `prefixname` for ids that SMIL timing names (no dash there).
            id.starts_with(&prefix),
            "{kind}: id {id} carries the prefix {prefix}"
        );
    }
    for r in &refs {
        assert!(ids.contains(r), "{kind}: reference #{r} resolves");
    }
    prefix
}

#[test]
fn every_kind_matches_its_snapshot_and_is_safe_to_inline() {
    let figures = fixture::all(fixture::Scale::Small).expect("small figures render");
    assert_eq!(figures.len(), 14);
    let update = std::env::var_os("DESCENT_UPDATE_SNAPSHOTS").is_some();
    let mut prefixes = BTreeSet::new();
    let mut stale = Vec::new();
    for (kind, _, svg) in &figures {
        prefixes.insert(check_inline_safe(kind, svg));
        let path = snapshot_dir().join(file_name(kind));
        if update {
            std::fs::create_dir_all(snapshot_dir()).expect("snapshot dir");
            std::fs::write(&path, svg).expect("write snapshot");
        } else {
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if &expected != svg {
                stale.push(path.display().to_string());
            }
        }
    }
    assert_eq!(
        prefixes.len(),
        figures.len(),
        "every figure has its own prefix"
    );
    assert!(
        stale.is_empty(),
        "snapshots differ: {stale:?}; look at the new output and rerun with DESCENT_UPDATE_SNAPSHOTS=1 if it is right"
    );
}

#[test]
fn identical_input_gives_identical_bytes() {
    let a = fixture::all(fixture::Scale::Small).expect("render");
    let b = fixture::all(fixture::Scale::Small).expect("render");
    assert_eq!(a, b);
}

#[test]
fn book_sized_figures_meet_their_budgets() {
    let figures = fixture::all(fixture::Scale::Book).expect("book figures render");
    let mut report = SizeReport::default();
    for (kind, budget, svg) in &figures {
        check_inline_safe(kind, svg);
        report.add(kind, svg);
        assert!(
            svg.len() <= *budget,
            "{kind}: {} bytes, budget {budget}",
            svg.len()
        );
    }
    println!("{report}");
    assert_eq!(report.entries().len(), figures.len());
}

#[test]
fn animated_figures_loop_with_smil_and_tell_the_script_their_steps() {
    let figures = fixture::all(fixture::Scale::Small).expect("render");
    for kind in [
        "animated path",
        "race",
        "animated surface",
        "animated heatmap",
    ] {
        let svg = &figures.iter().find(|f| f.0 == kind).expect("kind").2;
        assert!(
            svg.contains("data-steps=\"")
                && svg.contains("data-step-dur=\"")
                && svg.contains("data-dur=\""),
            "{kind}"
        );
        assert!(svg.contains("repeatCount=\"indefinite\""), "{kind} loops");
        assert!(svg.contains("<animateTransform attributeName=\"transform\" type=\"translate\" calcMode=\"discrete\""), "{kind} has a step counter");
    }
    let race = &figures.iter().find(|f| f.0 == "race").expect("race").2;
    assert_eq!(race.matches("<animateMotion").count(), 3, "three heads");
    assert_eq!(
        race.matches("<animateTransform").count(),
        1,
        "one shared counter"
    );
}

#[test]
fn variants_switch_with_radio_buttons_and_css_only() {
    let figures = fixture::all(fixture::Scale::Small).expect("render");
    let svg = &figures
        .iter()
        .find(|f| f.0 == "variants (landscape)")
        .expect("variants")
        .2;
    assert_eq!(svg.matches("type=\"radio\"").count(), 4);
    assert_eq!(svg.matches("checked=\"checked\"").count(), 1);
    assert!(svg.contains(":checked) ."));
    assert!(!svg.contains("<script"));
    // The landscape is drawn once, not once per variant.
    assert_eq!(svg.matches("<image").count(), 1);
}

#[test]
fn log_axes_drop_non_positive_values_and_say_when_nothing_is_left() {
    let svg = LineChart::new("t", "d")
        .series("a", [0.0, 1.0, 0.1, 0.01])
        .log_y()
        .to_svg()
        .expect("render");
    assert!(svg.contains(">.1<") || svg.contains(">1<"));
    let err = LineChart::new("t", "d")
        .series("a", [0.0, -1.0])
        .log_y()
        .to_svg()
        .unwrap_err();
    assert!(matches!(err, FigureError::Empty { .. }), "{err}");
}

#[test]
fn shapes_titles_and_ranges_are_checked_with_helpful_errors() {
    let err = Heatmap::new("w", "d", &[0.0f64; 785], 28, 28)
        .to_svg()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("785 values but its shape needs 784"),
        "{err}"
    );
    let err = Image::new("", "d", [0.0f64; 4], 2, 2).to_svg().unwrap_err();
    assert!(err.to_string().contains("required"), "{err}");
    let err = ImageGrid::new("t", "d", 3).to_svg().unwrap_err();
    assert!(matches!(err, FigureError::Empty { .. }));
    let a = Grid::sample(|x, y| x + y, 0.0..=1.0, 0.0..=1.0, 4).expect("grid");
    let b = Grid::sample(|x, y| x + y, 0.0..=2.0, 0.0..=1.0, 4).expect("grid");
    let err = AnimatedSurface::new("t", "d")
        .frame(0, a.clone())
        .frame(5, b)
        .to_svg()
        .unwrap_err();
    assert!(err.to_string().contains("step 5"), "{err}");
    let err = Variants::landscape("lr", Landscape2d::new("t", "d", a))
        .to_svg()
        .unwrap_err();
    assert!(matches!(err, FigureError::Empty { .. }));
}

#[test]
fn user_text_is_escaped_and_kept_on_one_line() {
    let svg = LineChart::new("a < b & \"c\"", "two\nlines")
        .series("x<y", [1.0, 2.0])
        .to_svg()
        .expect("render");
    check_inline_safe("escaped", &svg);
    assert!(svg.contains("<title>a &lt; b &amp; &quot;c&quot;</title>"));
    assert!(svg.contains("two lines"));
}

#[test]
fn figures_can_be_saved_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("f.svg");
    let fig = Image::new("t", "d", [0.0f64, 1.0, 0.5, 0.25], 2, 2);
    fig.save(&path).expect("save");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        fig.to_svg().expect("render")
    );
    let err = fig.save(&dir.path().join("missing/f.svg")).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn diverging_paths_stop_at_their_last_finite_point() {
    let grid = Grid::sample(|x, y| x * x - y * y, -1.0..=1.0, -1.0..=1.0, 10).expect("grid");
    let path = [
        (0.5, 0.5),
        (0.9, 2.0),
        (1e30, -1e30),
        (f64::INFINITY, 0.0),
        (f64::NAN, 1.0),
    ];
    for animated in [false, true] {
        let mut fig =
            Landscape2d::new("Saddle", "A path that diverges.", grid.clone()).path("GD", &path);
        if animated {
            fig = fig.animate();
        }
        let svg = fig.to_svg().expect("render");
        check_inline_safe("diverging", &svg);
        assert!(
            !svg.contains("NaN") && !svg.contains("inf"),
            "no non-finite numbers"
        );
        assert!(
            svg.len() < 20_000,
            "far points stay short: {} bytes",
            svg.len()
        );
    }
}

#[test]
fn fine_grids_are_drawn_from_at_most_200_samples_a_side() {
    let fine = Grid::sample(fixture::peaks, -3.0..=3.0, -3.0..=3.0, 600).expect("grid");
    let svg = Landscape2d::new("Peaks", "Peaks on a fine grid.", fine)
        .to_svg()
        .expect("render");
    check_inline_safe("fine grid", &svg);
    assert!(svg.len() <= 150_000, "{} bytes", svg.len());
}

/// The cross a figure draws where a path diverged (relative path data, any position).
const CROSS: &str = "l10 10m0-10-10 10";

#[test]
fn diverged_runs_end_marked_in_races_families_and_surfaces() {
    use descent::figure::{Landscape3d, Marker};
    use descent::landscape::{Landscape, Rosenbrock};
    use descent::optim::{Adam, Sgd, run};

    let f = Rosenbrock::default();
    let grid = f.grid(-2.0..=2.0, -1.0..=3.0, 40).expect("grid");
    let adam = run(&f, [2.0, -2.0], Adam::new(0.1).expect("lr"), 60).expect("runs");
    let sgd = run(&f, [2.0, -2.0], Sgd::new(0.01).expect("lr"), 60).expect("runs");
    let step = sgd.diverged.expect("SGD with lr 0.01 diverges here").step;
    assert!(adam.diverged.is_none());
    let note = format!("SGD (diverged at step {step})");

    let race = Landscape2d::new("Race", "Adam and SGD on Rosenbrock.", grid.clone())
        .path("Adam", &adam)
        .path("SGD", &sgd)
        .marker(Marker::start([2.0, -2.0]))
        .animate()
        .to_svg()
        .expect("render");
    check_inline_safe("race with a divergence", &race);
    assert!(race.contains(&note), "the legend says where");
    assert_eq!(race.matches(CROSS).count(), 2, "one cross (halo and line)");
    assert!(
        race.contains("attributeName=\"opacity\" calcMode=\"discrete\" values=\"0;1\""),
        "the cross shows when the head gets there"
    );
    assert!(!race.contains("NaN") && !race.contains("inf"));

    let fam = Variants::landscape(
        "optimiser",
        Landscape2d::new("Family", "One path per optimiser.", grid.clone()),
    )
    .option("Adam", [("Adam", &adam)])
    .option("SGD", [("SGD", &sgd)])
    .to_svg()
    .expect("render");
    check_inline_safe("family with a divergence", &fam);
    assert!(fam.contains(&note));
    assert_eq!(fam.matches(CROSS).count(), 2);

    let surface = Landscape3d::new("Surface", "SGD on the surface.", grid)
        .path("SGD", &sgd)
        .resolution(10)
        .to_svg()
        .expect("render");
    check_inline_safe("surface with a divergence", &surface);
    assert!(surface.contains(&note));
    assert_eq!(surface.matches(CROSS).count(), 2);
}

#[test]
fn a_steps_control_cuts_each_path_once_and_hides_the_later_pieces() {
    use descent::landscape::{Landscape, Peaks};
    use descent::optim::{Adam, Sgd, run};
    let grid = Peaks.grid(-3.0..=3.0, -3.0..=3.0, 20).expect("grid");
    let adam = run(&Peaks, [0.25, 1.3], Adam::new(0.1).expect("lr"), 30).expect("path");
    let short = run(&Peaks, [0.25, 1.3], Sgd::new(0.05).expect("lr"), 8).expect("path");
    let fam = Variants::landscape(
        "optimiser",
        Landscape2d::new("Steps", "Paths up to a chosen step.", grid.clone()),
    )
    .option("Adam", [("Adam", &adam)])
    .option("SGD", [("SGD", &short)])
    .steps_control("steps", &[5, 10, 30])
    .to_svg()
    .expect("render");
    check_inline_safe("family with a steps control", &fam);
    // Adam's 30 steps in three pieces, SGD's 8 in two; each piece drawn as halo and line.
    assert_eq!(fam.matches("class=\"u0\"").count(), 2 * 2);
    assert_eq!(fam.matches("class=\"u1\"").count(), 2 * 2);
    assert_eq!(fam.matches("class=\"u2\"").count(), 2);
    // Two optimisers and three step counts, the last (whole paths) checked.
    assert_eq!(fam.matches("type=\"radio\"").count(), 2 + 3);
    let steps_row = fam.split("steps:").nth(1).expect("the steps row");
    assert!(
        steps_row.contains("checked=\"checked\"/>30<"),
        "{steps_row}"
    );
    assert!(fam.contains(":is(.u1,.u2){display:none}") && fam.contains(":is(.u2){display:none}"));

    let bad = Variants::landscape("o", Landscape2d::new("t", "d", grid))
        .option("Adam", [("Adam", &adam)])
        .steps_control("steps", &[10, 5])
        .to_svg();
    assert!(matches!(bad, Err(FigureError::Invalid { .. })), "{bad:?}");
}

#[test]
fn the_grid_a_landscape_samples_is_the_grid_a_figure_draws() {
    use descent::landscape::{Landscape, Peaks};
    let from_landscape = Peaks.grid(-3.0..=3.0, -3.0..=3.0, 30).expect("grid");
    let from_closure =
        Grid::sample(|x, y| Peaks.value(x, y), -3.0..=3.0, -3.0..=3.0, 30).expect("grid");
    assert_eq!(from_landscape, from_closure);
    let draw = |g: Grid| {
        Landscape2d::new("Peaks", "The peaks function.", g)
            .to_svg()
            .expect("render")
    };
    assert_eq!(draw(from_landscape), draw(from_closure));
}

#[test]
fn series_take_f32_or_f64_values() {
    let halves64: Vec<f64> = vec![1.0, 0.5, 0.25, 0.125];
    let halves32: Vec<f32> = vec![1.0, 0.5, 0.25, 0.125];
    let chart = || LineChart::new("Loss", "A loss that halves every step.");
    let a = chart().series("loss", &halves64).to_svg().expect("render");
    let b = chart().series("loss", &halves32).to_svg().expect("render");
    let c = chart()
        .series("loss", halves32.iter().copied())
        .to_svg()
        .expect("render");
    assert_eq!(a, b);
    assert_eq!(a, c);
    let family = |f32s: bool| {
        let fam = Variants::lines("run", chart());
        let fam = if f32s {
            fam.option_steps("a", [("loss", &halves32)])
        } else {
            fam.option_steps("a", [("loss", &halves64)])
        };
        fam.to_svg().expect("render")
    };
    assert_eq!(family(true), family(false));
}

#[test]
fn two_controls_pick_one_combination_with_css_only() {
    let figures = fixture::all(fixture::Scale::Small).expect("render");
    let svg = &figures
        .iter()
        .find(|f| f.0 == "variants (two controls)")
        .expect("two-control family")
        .2;
    // 2 batch sizes + 3 epoch counts, one checked per control, one group per combination.
    assert_eq!(svg.matches("type=\"radio\"").count(), 5);
    assert_eq!(svg.matches("checked=\"checked\"").count(), 2);
    let prefix = check_inline_safe("two controls", svg);
    assert_eq!(svg.matches(&format!("class=\"{prefix}-v ")).count(), 6);
    // The last combination (6500, 4 epochs) shows when both of its buttons are checked.
    assert!(svg.contains(&format!(
        ".{prefix}:has(#{prefix}-r0-1:checked):has(#{prefix}-r1-2:checked) .{prefix}-v5"
    )));
    assert!(svg.contains(">batch size:<") && svg.contains(">epochs:<"));
    assert!(!svg.contains("<script"));
    // Epochs on the x axis: the longest run spans 4 epochs.
    assert!(svg.contains(">4<"), "an x tick at 4 epochs");
}

#[test]
fn two_control_families_say_what_is_missing_or_misnamed() {
    let chart = || LineChart::new("Loss", "Loss curves.");
    let losses = [0.5f32, 0.4, 0.3];
    let err = Variants::lines("batch size", chart())
        .second_control("epochs")
        .option_steps(("10", "1"), [("train", &losses)])
        .option_steps(("10", "2"), [("train", &losses)])
        .option_steps(("20", "1"), [("train", &losses)])
        .to_svg()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "option batch size = 20, epochs = 2: it is missing: give an option for every pair of labels"
    );
    let err = Variants::lines("batch size", chart())
        .second_control("epochs")
        .option_steps("10", [("train", &losses)])
        .to_svg()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("it names 1 control(s) but the family has 2 (batch size, epochs)"),
        "{err}"
    );
    let err = Variants::lines("batch size", chart())
        .option_epochs("10", 0, [("train", &losses)])
        .to_svg()
        .unwrap_err();
    assert!(err.to_string().contains("steps per epoch"), "{err}");
}

#[test]
fn a_book_sized_batch_by_epochs_family_keeps_its_noise_within_budget() {
    let svg = fixture::batch_epochs(true)
        .expect("family")
        .to_svg()
        .expect("render");
    check_inline_safe("batch x epochs", &svg);
    assert_eq!(svg.matches("type=\"radio\"").count(), 8 + 9);
    assert!(svg.len() <= 600_000, "{} bytes", svg.len());
    // Batch size 1 over 20 epochs is 260 140 points: drawn as a per-pixel envelope, its
    // noise spans tens of pixels in a column (an up-down pair per column), not one line.
    let (train, _) = fixture::losses(1, 20);
    assert_eq!(train.len(), 13007 * 20);
    let chart = LineChart::new("SGD, batch 1", "The loss of every step of 20 epochs.")
        .series_epochs("train", 13007, &train)
        .expect("chart")
        .to_svg()
        .expect("render");
    assert!(chart.len() < 30_000, "{} bytes", chart.len());
    let d = chart
        .split("class=\"s0\" stroke=\"")
        .nth(1)
        .and_then(|s| s.split(" d=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("the series' path");
    let tall = d
        .split(' ')
        .filter_map(|t| t.split_once('-').map(|(_, dy)| dy))
        .filter_map(|dy| dy.parse::<f64>().ok())
        .filter(|dy| *dy > 20.0)
        .count();
    assert!(tall > 50, "noise shows as tall strokes: {tall}");
}
