//! SMIL animation shared by the animated kinds: paths that grow step by step, a head that
//! rides along each path, and a step counter. It all plays and loops without JavaScript;
//! `assets/figures.js` reads `data-steps` and `data-step-dur` on the `<svg>` to add play/pause
//! and an iteration slider that scrubs with `setCurrentTime`. With `prefers-reduced-motion`,
//! `assets/figures.css` shows the last step instead (no script needed): it overrides the
//! animated attributes of the classes `dfig-grow`, `dfig-head`, `dfig-appear`, `dfig-strip`,
//! `dfig-final` and `dfig-notfinal`.

use std::fmt::Write;

use super::svg::{id, num, path_data, timing_id};
use super::theme::series;

/// When each step shows: `steps` steps of `dt` seconds, then a pause of `hold` seconds, looping.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timing {
    pub steps: usize,
    pub dt: f64,
    pub hold: f64,
}

impl Timing {
    /// About eight seconds of play for any number of steps, unless `dt` is given.
    pub(crate) fn new(steps: usize, dt: Option<f64>) -> Self {
        let dt = dt.unwrap_or_else(|| (8.0 / steps.max(1) as f64).clamp(0.05, 0.5));
        Timing {
            steps,
            dt,
            hold: 1.5,
        }
    }

    /// The loop's length in seconds.
    pub(crate) fn dur(&self) -> f64 {
        self.steps as f64 * self.dt + self.hold
    }

    /// The attributes the script reads, for the root `<svg>`.
    pub(crate) fn root_attrs(&self) -> String {
        format!(
            " data-steps=\"{}\" data-step-dur=\"{}\" data-dur=\"{}\"",
            self.steps,
            num_s(self.dt),
            num_s(self.dur())
        )
    }

    /// [`Timing::root_attrs`] plus what the figure's counter calls each step (`labels`, one
    /// per step and the last, no spaces inside), so the script's slider says the same.
    pub(crate) fn root_attrs_labelled(&self, name: &str, labels: &[String]) -> String {
        format!(
            "{} data-step-name=\"{}\" data-step-labels=\"{}\"",
            self.root_attrs(),
            super::svg::escape(name),
            super::svg::escape(&labels.join(" "))
        )
    }

    /// `keyTimes` for steps 0..=steps and the end of the loop.
    pub(crate) fn key_times(&self) -> String {
        let d = self.dur();
        let mut s: Vec<String> = (0..=self.steps)
            .map(|i| num_k(i as f64 * self.dt / d))
            .collect();
        s.push("1".into());
        s.join(";")
    }

    /// An animation that hides its parent until step `step` shows, every loop.
    pub(crate) fn appear_at(&self, step: usize) -> String {
        let t = num_k(step.min(self.steps) as f64 * self.dt / self.dur());
        format!(
            "<animate attributeName=\"opacity\" calcMode=\"discrete\" values=\"0;1\" keyTimes=\"0;{t}\" {}/>",
            self.common()
        )
    }

    /// The attributes every animation element shares: the loop, and the in-figure buttons of
    /// [`stop_buttons`] (a click on "stop" ends every animation where it is, frozen; "replay"
    /// starts them all again from step 0).
    pub(crate) fn common(&self) -> String {
        format!(
            "dur=\"{}s\" repeatCount=\"indefinite\" begin=\"0s;{play}.click\" end=\"{stop}.click\" fill=\"freeze\"",
            num_s(self.dur()),
            play = timing_id("play"),
            stop = timing_id("stop"),
        )
    }
}

/// "stop" and "replay" buttons, drawn from `(x, y)` (the text's baseline) to the right, about
/// 110 px wide: they stop and restart the figure's SMIL animations without JavaScript (see
/// [`Timing::common`]). `assets/figures.js` hides them where it adds its own player.
pub(crate) fn stop_buttons(x: f64, y: f64) -> String {
    let button = |name: &str, dx: f64, width: f64, label: &str| {
        format!(
            "<g id=\"{}\" cursor=\"pointer\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"17\" rx=\"3\" fill=\"#808080\" fill-opacity=\".12\" stroke=\"#808080\" stroke-opacity=\".6\"/><text x=\"{}\" y=\"{}\">{label}</text></g>",
            timing_id(name),
            num(x + dx),
            num(y - 13.0),
            num(width),
            num(x + dx + 5.0),
            num(y),
        )
    };
    format!(
        "<g class=\"fg dfig-smil\" fill=\"{}\" font-size=\"12\">{}{}</g>",
        super::theme::FALLBACK_FG,
        button("stop", 0.0, 44.0, "\u{25a0} stop"),
        button("play", 50.0, 58.0, "\u{25b6} replay"),
    )
}

fn num_s(v: f64) -> String {
    super::svg::num_digits(v, 3)
}

fn num_k(v: f64) -> String {
    super::svg::num_digits(v, 4)
}

/// Clamps and rounds like the path writer, so lengths match the drawn path.
fn rounded(p: &[(f64, f64)]) -> Vec<(f64, f64)> {
    p.iter()
        .map(|&(x, y)| (x.clamp(-1e5, 1e5), y.clamp(-1e5, 1e5)))
        .map(|(x, y)| ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0))
        .collect()
}

/// Cumulative lengths along a polyline.
fn cumulative(p: &[(f64, f64)]) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out = vec![0.0];
    for w in p.windows(2) {
        acc += ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt();
        out.push(acc);
    }
    out
}

/// Writes paths (pixel coordinates, series `first + k`) that grow one step at a time, each
/// with a head that rides along it.
pub(crate) fn growing_paths(out: &mut String, paths: &[Vec<(f64, f64)>], first: usize, t: &Timing) {
    let common = t.common();
    let key_times = t.key_times();
    let mut lines = String::new();
    for (k, p) in paths.iter().enumerate() {
        if p.is_empty() {
            continue;
        }
        let p = rounded(p);
        let cum = cumulative(&p);
        let total = cum.last().copied().unwrap_or(0.0);
        let at = |i: usize| cum[i.min(cum.len() - 1)];
        let (class, colour) = series(first + k);
        let pid = id(&format!("p{}", first + k));
        let offsets: Vec<String> = (0..=t.steps)
            .map(|i| num(total - at(i)))
            .chain([num(total - at(t.steps))])
            .collect();
        let points: Vec<String> = (0..=t.steps)
            .map(|i| {
                if total > 0.0 {
                    num_k(at(i) / total)
                } else {
                    "0".into()
                }
            })
            .chain([if total > 0.0 {
                num_k(at(t.steps) / total)
            } else {
                "0".into()
            }])
            .collect();
        let dash = num(total + 1.0);
        let _ = write!(
            out,
            "<defs><path id=\"{pid}\" d=\"{}\" stroke-dashoffset=\"{}\"><animate attributeName=\"stroke-dashoffset\" values=\"{}\" keyTimes=\"{key_times}\" {common}/></path></defs><use href=\"#{pid}\" class=\"dfig-grow\" stroke-dasharray=\"{dash} {dash}\" stroke=\"#fff\" stroke-opacity=\".7\" stroke-width=\"4\"/>",
            path_data(&p),
            offsets[0],
            offsets.join(";"),
        );
        // Coloured lines and heads go on top of every halo, so crossing paths stay visible. The
        // dashes are set on each `<use>`, not on the path, so that CSS can take them away
        // (reduced motion): the copies inherit them, and rules on the original in `<defs>` do
        // not reach the copies.
        let _ = write!(
            lines,
            "<use href=\"#{pid}\" class=\"{class} dfig-grow\" stroke-dasharray=\"{dash} {dash}\" stroke=\"{colour}\" stroke-width=\"2\"/><circle r=\"4\" class=\"f{} dfig-head\" fill=\"{colour}\" stroke=\"#fff\"><animateMotion calcMode=\"linear\" keyPoints=\"{}\" keyTimes=\"{key_times}\" {common}><mpath href=\"#{pid}\"/></animateMotion></circle>",
            (first + k) % super::theme::PALETTE_LEN,
            points.join(";"),
        );
    }
    out.push_str(&lines);
}

/// A counter "label n" that changes every step: a strip of numbers slides behind a window.
pub(crate) fn step_counter(
    out: &mut String,
    x: f64,
    y: f64,
    label: &str,
    values: &[String],
    t: &Timing,
) {
    let cid = id("cc");
    let shifts: Vec<String> = (0..=t.steps)
        .map(|i| format!("0 {}", num(-(i as f64) * 16.0)))
        .chain([format!("0 {}", num(-(t.steps as f64) * 16.0))])
        .collect();
    let numbers: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "<text y=\"{}\">{}</text>",
                num(i as f64 * 16.0),
                super::svg::escape(v)
            )
        })
        .collect();
    let _ = write!(
        out,
        "<g class=\"fg counter\" fill=\"{fg}\" transform=\"translate({} {})\" font-size=\"13\"><text text-anchor=\"end\" x=\"-4\">{}</text><clipPath id=\"{cid}\"><rect x=\"-2\" y=\"-13\" width=\"60\" height=\"16\"/></clipPath><g clip-path=\"url(#{cid})\"><g class=\"dfig-strip\" style=\"--dfig-last:translate(0px,{}px)\"><animateTransform attributeName=\"transform\" type=\"translate\" calcMode=\"discrete\" values=\"{}\" keyTimes=\"{}\" {}/>{numbers}</g></g></g>",
        num(x),
        num(y),
        super::svg::escape(label),
        num(-(t.steps as f64) * 16.0),
        shifts.join(";"),
        t.key_times(),
        t.common(),
        fg = super::theme::FALLBACK_FG,
    );
}
