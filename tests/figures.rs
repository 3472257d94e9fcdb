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
            id.starts_with(&format!("{prefix}-")),
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
    assert_eq!(figures.len(), 12);
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
    let a = Grid::sample(|x, y| x + y, (0.0, 1.0), (0.0, 1.0), 4).expect("grid");
    let b = Grid::sample(|x, y| x + y, (0.0, 2.0), (0.0, 1.0), 4).expect("grid");
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
    let grid = Grid::sample(|x, y| x * x - y * y, (-1.0, 1.0), (-1.0, 1.0), 10).expect("grid");
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
    let fine = Grid::sample(fixture::peaks, (-3.0, 3.0), (-3.0, 3.0), 600).expect("grid");
    let svg = Landscape2d::new("Peaks", "Peaks on a fine grid.", fine)
        .to_svg()
        .expect("render");
    check_inline_safe("fine grid", &svg);
    assert!(svg.len() <= 150_000, "{} bytes", svg.len());
}
