//! 2-D landscape: f on a grid as a colour field with contour lines, marked points and
//! optimiser paths with a legend; animated (paths grow step by step) and as a race of several
//! optimisers sharing one step counter.

use std::fmt::Write;

use super::animate::{Timing, growing_paths, step_counter, stop_buttons};
use super::axes::{Axis, AxisScale, Frame, FrameSpec, draw_frame};
use super::contour::contour;
use super::heatmap::{colour_bar, linear_ticks};
use super::line::{Curve, legend};
use super::png::{Channels, data_uri};
use super::svg::{Svg, escape, id, num, path_data};
use super::theme::{ColourMap, series};
use super::{Figure, FigureError, Meta};
use crate::plane::Grid;
use crate::plane::{Point, Trace};

/// The most samples per side a colour field or contour is drawn from.
pub(crate) const MAX_SAMPLES: usize = 200;

/// How a marked point is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Circle,
    Diamond,
    Star,
}

/// A marked point on a landscape: a start, a goal, a minimum, or any labelled point.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub(crate) label: String,
    pub(crate) x: f64,
    pub(crate) y: f64,
    shape: Shape,
}

impl Marker {
    /// Where the optimisers start (a white circle).
    pub fn start(at: impl Into<Point>) -> Self {
        let Point { x, y } = at.into();
        Marker {
            label: "start".into(),
            x,
            y,
            shape: Shape::Circle,
        }
    }

    /// Where they should arrive (a white diamond).
    pub fn goal(at: impl Into<Point>) -> Self {
        let Point { x, y } = at.into();
        Marker {
            label: "goal".into(),
            x,
            y,
            shape: Shape::Diamond,
        }
    }

    /// The global minimum (a star).
    pub fn minimum(at: impl Into<Point>) -> Self {
        let Point { x, y } = at.into();
        Marker {
            label: "minimum".into(),
            x,
            y,
            shape: Shape::Star,
        }
    }

    /// Any point with a label (a white circle).
    pub fn point(label: &str, at: impl Into<Point>) -> Self {
        let Point { x, y } = at.into();
        Marker {
            label: label.into(),
            x,
            y,
            shape: Shape::Circle,
        }
    }

    /// The point's position.
    pub fn position(&self) -> Point {
        Point::new(self.x, self.y)
    }
}

/// A 2-D landscape with optional paths and markers; [`Landscape2d::animate`] makes the paths
/// grow step by step (one path: an animated path; several: a race).
///
/// ```
/// use descent::figure::{Figure, Landscape2d, Marker};
/// use descent::landscape::{Landscape, Rosenbrock};
/// use descent::optim::{Adam, Sgd, run};
///
/// let f = Rosenbrock::default();
/// let adam = run(&f, [2.0, -2.0], Adam::new(0.1)?, 100)?;
/// let sgd = run(&f, [2.0, -2.0], Sgd::new(0.01)?, 100)?; // diverges
/// let svg = Landscape2d::new("A race", "Adam and SGD on Rosenbrock's valley.", f.grid(-2.0..=2.0, -1.0..=3.0, 100)?)
///     .path("Adam", &adam)
///     .path("SGD", &sgd) // ends where it diverged, marked with a cross
///     .marker(Marker::minimum([1.0, 1.0]))
///     .log_colour()
///     .animate()
///     .to_svg()?;
/// assert!(svg.contains("<animate") && svg.contains("diverged at step"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Landscape2d {
    meta: Meta,
    grid: Grid,
    levels: usize,
    log_colour: bool,
    markers: Vec<Marker>,
    paths: Vec<Curve>,
    x_title: String,
    y_title: String,
    size: (u32, u32),
    animation: Option<Option<f64>>,
}

/// Everything a landscape draws under its paths, and where things go.
pub(crate) struct Background {
    pub width: f64,
    pub height: f64,
    pub markup: String,
    pub frame: Frame,
    pub plot: (f64, f64, f64, f64),
}

impl Landscape2d {
    /// A landscape of `grid`: a landscape's `f.grid(x, y, n)`, or a closure sampled with
    /// [`Grid::sample`].
    pub fn new(title: &str, description: &str, grid: Grid) -> Self {
        Landscape2d {
            meta: Meta::new(title, description),
            grid,
            levels: 12,
            log_colour: false,
            markers: Vec::new(),
            paths: Vec::new(),
            x_title: "x".into(),
            y_title: "y".into(),
            size: (560, 460),
            animation: None,
        }
    }

    /// Adds an optimiser path (the points after each step, the start first): an
    /// `&optim::Path`, or a slice, array or vector of points. A path that diverged is drawn
    /// up to its last finite point, marked there with a cross, and the legend says at which
    /// step.
    pub fn path(mut self, label: &str, path: impl Into<Trace>) -> Self {
        self.paths.push(Curve::from_trace(label, path.into()));
        self
    }

    /// Marks a point.
    pub fn marker(mut self, marker: Marker) -> Self {
        self.markers.push(marker);
        self
    }

    /// Number of contour lines (default 12).
    pub fn levels(mut self, levels: usize) -> Self {
        self.levels = levels;
        self
    }

    /// Colours and contours on a log scale of `f - min` (for steep functions like Rosenbrock).
    pub fn log_colour(mut self) -> Self {
        self.log_colour = true;
        self
    }

    /// Titles the axes (default "x" and "y").
    pub fn axis_titles(mut self, x: &str, y: &str) -> Self {
        (self.x_title, self.y_title) = (x.to_owned(), y.to_owned());
        self
    }

    /// Sets the size in pixels (default 560 x 460).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    /// Makes the paths grow step by step, looping, with a step counter (about 8 s a loop).
    pub fn animate(mut self) -> Self {
        self.animation = Some(None);
        self
    }

    /// Like [`Landscape2d::animate`], with `seconds` per step.
    pub fn animate_with_step(mut self, seconds: f64) -> Self {
        self.animation = Some(Some(seconds));
        self
    }

    /// The number of paths added so far.
    pub(crate) fn path_count(&self) -> usize {
        self.paths.len()
    }

    pub(crate) fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The colour value of the landscape (log-scaled when asked).
    fn colour_grid(&self) -> (Grid, Box<dyn Fn(f64) -> f64>) {
        if self.log_colour {
            let (lo, _) = self.grid.finite_range();
            let g = self.grid.map(move |v| (v - lo + 1e-3).ln());
            (g, Box::new(move |t: f64| t.exp() + lo - 1e-3))
        } else {
            (self.grid.clone(), Box::new(|t| t))
        }
    }

    /// Draws the colour field, contours, axes, colour bar and markers.
    pub(crate) fn background(&self) -> Result<Background, FigureError> {
        self.meta.check()?;
        let (x0, x1) = self.grid.x_pair();
        let (y0, y1) = self.grid.y_pair();
        let x = Axis {
            lo: x0,
            hi: x1,
            scale: AxisScale::Linear,
            title: self.x_title.clone(),
        };
        let y = Axis {
            lo: y0,
            hi: y1,
            scale: AxisScale::Linear,
            title: self.y_title.clone(),
        };
        let frame = draw_frame(&FrameSpec {
            size: self.size,
            caption: &self.meta.title,
            x: &x,
            y: &y,
            grid: false,
            x_ticks: true,
            right_margin: 78,
        })?;
        let (px0, px1, py0, py1) = (
            frame.x.map(x0),
            frame.x.map(x1),
            frame.y.map(y1),
            frame.y.map(y0),
        );
        let (cg, inverse) = self.colour_grid();
        // Past 200 samples a side, a finer colour field or contour only adds bytes.
        let cg = cg.at_most(MAX_SAMPLES);
        let (lo, hi) = cg.finite_range();
        let (nx, ny) = cg.dim();
        let map = ColourMap::Viridis;
        let mut rgb = Vec::with_capacity(nx * ny * 3);
        for j in (0..ny).rev() {
            for i in 0..nx {
                let v = cg.get(i, j);
                let (r, g, b) = if v.is_finite() {
                    map.rgb((v - lo) / (hi - lo).max(f64::MIN_POSITIVE))
                } else {
                    (128, 128, 128)
                };
                rgb.extend_from_slice(&[r, g, b]);
            }
        }
        let mut m = String::new();
        let clip = id("clip");
        let _ = write!(
            m,
            "<clipPath id=\"{clip}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath><image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" href=\"{}\"/>",
            num(px0),
            num(py0),
            num(px1 - px0),
            num(py1 - py0),
            num(px0),
            num(py0),
            num(px1 - px0),
            num(py1 - py0),
            data_uri(nx, ny, Channels::Rgb, &rgb)
        );
        let mut d = String::new();
        // On a log scale the lowest values live in a valley a few samples wide (Rosenbrock's):
        // a level there breaks into a chain of islands. Levels start above the values that
        // only the lowest 3 % of samples reach, and pieces smaller than a cell are dropped.
        let level_lo = if self.log_colour {
            low_percentile(&cg, 0.03).max(lo)
        } else {
            lo
        };
        let (cell_x, cell_y) = ((x1 - x0) / (nx - 1) as f64, (y1 - y0) / (ny - 1) as f64);
        for k in 1..=self.levels {
            let level = level_lo + (hi - level_lo) * k as f64 / (self.levels + 1) as f64;
            for line in contour(&cg, level) {
                if is_sub_cell(&line, cell_x, cell_y) {
                    continue;
                }
                let px: Vec<(f64, f64)> = line
                    .iter()
                    .map(|&(a, b)| (frame.x.map(a), frame.y.map(b)))
                    .collect();
                d.push_str(&path_data(&px));
            }
        }
        let _ = write!(
            m,
            "<path fill=\"none\" stroke=\"#fff\" stroke-opacity=\".45\" stroke-width=\".8\" d=\"{d}\"/>"
        );
        m.push_str(&frame.markup);
        let mut bar = Svg::default();
        let ticks = if self.log_colour {
            log_ticks(lo, hi, &*inverse)
        } else {
            linear_ticks((lo, hi))
        };
        colour_bar(
            &mut bar,
            map,
            (lo, hi),
            (px1 + 14.0, py0 + 16.0, py1 - py0 - 16.0),
            "f",
            &ticks,
        );
        m.push_str(&bar.into_inner());
        Ok(Background {
            width: f64::from(self.size.0),
            height: f64::from(self.size.1),
            markup: m,
            frame,
            plot: (px0, px1, py0, py1),
        })
    }

    /// The markers, drawn over the paths.
    pub(crate) fn markers_markup(&self, frame: &Frame) -> String {
        let mut m = String::from("<g stroke=\"#000\" stroke-width=\"1.2\" fill=\"#fff\">");
        let (gx, gy) = (self.grid.x_pair(), self.grid.y_pair());
        let inside = |m: &&Marker| m.x >= gx.0 && m.x <= gx.1 && m.y >= gy.0 && m.y <= gy.1;
        for mk in self.markers.iter().filter(inside) {
            let (x, y) = (frame.x.map(mk.x), frame.y.map(mk.y));
            let (sx, sy) = (num(x), num(y));
            let _ = match mk.shape {
                Shape::Circle => write!(m, "<circle cx=\"{sx}\" cy=\"{sy}\" r=\"5\"/>"),
                Shape::Diamond => write!(m, "<path d=\"M{sx} {}l6 6-6 6-6-6z\"/>", num(y - 6.0)),
                Shape::Star => write!(
                    m,
                    "<path fill=\"#ff4040\" d=\"M{sx} {}l2.4 4.9 5.3.7-3.9 3.7 1 5.3-4.8-2.6-4.8 2.6 1-5.3-3.9-3.7 5.3-.7z\"/>",
                    num(y - 8.0)
                ),
            };
            let _ = write!(
                m,
                "<text x=\"{}\" y=\"{}\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"2.5\" paint-order=\"stroke\" font-size=\"12\">{}</text>",
                num(x + 8.0),
                num(y - 8.0),
                escape(&mk.label)
            );
        }
        m.push_str("</g>");
        m
    }

    /// The paths (series `first..`) as static lines with a dot at every step; `tag` keeps
    /// the ids of the dot markers apart when several groups of paths share a figure. With
    /// `steps` (increasing step counts), each path is cut into pieces of class `u0`, `u1`, ...:
    /// piece `b` holds the steps after `steps[b - 1]` up to `steps[b]` (the last piece, all
    /// the rest), so CSS can show a path up to a chosen step count by hiding the later pieces.
    pub(crate) fn static_paths(
        &self,
        frame: &Frame,
        paths: &[Curve],
        first: usize,
        tag: &str,
        steps: &[usize],
    ) -> String {
        let mut m = String::new();
        for (k, curve) in paths.iter().enumerate() {
            let px: Vec<(f64, f64)> = curve
                .points
                .iter()
                .map(|&(a, b)| (frame.x.map(a), frame.y.map(b)))
                .collect();
            if px.is_empty() {
                continue;
            }
            let (class, colour) = series(first + k);
            let mid = id(&format!("m{tag}{}", first + k));
            if !steps.is_empty() {
                let pieces = step_pieces(&px, steps);
                let _ = write!(
                    m,
                    "<marker id=\"{mid}\" viewBox=\"-3 -3 6 6\" markerWidth=\"6\" markerHeight=\"6\" markerUnits=\"userSpaceOnUse\"><circle r=\"2.2\" class=\"f{}\" fill=\"{colour}\" stroke=\"none\"/></marker><g stroke=\"#fff\" stroke-opacity=\".7\" stroke-width=\"4\">{pieces}</g><g class=\"{class}\" stroke=\"{colour}\" stroke-width=\"2\" marker-start=\"url(#{mid})\" marker-mid=\"url(#{mid})\" marker-end=\"url(#{mid})\">{pieces}</g>",
                    (first + k) % super::theme::PALETTE_LEN,
                );
                if curve.diverged_at.is_some() {
                    let last = steps.partition_point(|&s| s < px.len() - 1);
                    let cross = divergence_cross(px[px.len() - 1], first + k, "");
                    let _ = write!(m, "<g class=\"u{}\">{cross}</g>", last.min(steps.len() - 1));
                }
                continue;
            }
            let _ = write!(
                m,
                "<marker id=\"{mid}\" viewBox=\"-3 -3 6 6\" markerWidth=\"6\" markerHeight=\"6\" markerUnits=\"userSpaceOnUse\"><circle r=\"2.2\" class=\"f{}\" fill=\"{colour}\" stroke=\"none\"/></marker><path d=\"{d}\" stroke=\"#fff\" stroke-opacity=\".7\" stroke-width=\"4\"/><path class=\"{class}\" stroke=\"{colour}\" stroke-width=\"2\" marker-start=\"url(#{mid})\" marker-mid=\"url(#{mid})\" marker-end=\"url(#{mid})\" d=\"{d}\"/>",
                (first + k) % super::theme::PALETTE_LEN,
                d = path_data(&px)
            );
            if curve.diverged_at.is_some() {
                m.push_str(&divergence_cross(px[px.len() - 1], first + k, ""));
            }
        }
        m
    }

    pub(crate) fn paths(&self) -> &[Curve] {
        &self.paths
    }
}

/// A path (pixels, one point per step from the start) cut at `steps`: one `<path class="uB">`
/// per piece that has a step, each starting where the last ended; the last piece holds the
/// rest of the path.
fn step_pieces(px: &[(f64, f64)], steps: &[usize]) -> String {
    let mut out = String::new();
    let mut from = 0;
    for (b, &to) in steps.iter().enumerate() {
        let to = if b + 1 == steps.len() {
            px.len() - 1
        } else {
            to.min(px.len() - 1)
        };
        if b > 0 && to <= from {
            break;
        }
        let _ = write!(
            out,
            "<path class=\"u{b}\" d=\"{}\"/>",
            path_data(&px[from..=to])
        );
        from = to;
    }
    out
}

/// A cross in series `k`'s colour at `at` (pixels): where a diverged path left the finite
/// numbers. `extra` goes inside the element (an animation that shows it when the path gets
/// there).
pub(crate) fn divergence_cross(at: (f64, f64), k: usize, extra: &str) -> String {
    let (class, colour) = series(k);
    let d = format!("M{} {}l10 10m0-10-10 10", num(at.0 - 5.0), num(at.1 - 5.0));
    format!(
        "<g class=\"dfig-appear\" stroke-linecap=\"round\"><path stroke=\"#fff\" stroke-width=\"5\" d=\"{d}\"/><path class=\"{class}\" stroke=\"{colour}\" stroke-width=\"2.5\" d=\"{d}\"/>{extra}</g>"
    )
}

/// The value below which a share `q` of the grid's finite samples lie.
fn low_percentile(g: &Grid, q: f64) -> f64 {
    let mut v: Vec<f64> = g
        .values()
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if v.is_empty() {
        return f64::NEG_INFINITY;
    }
    let k = ((v.len() - 1) as f64 * q).round() as usize;
    let (_, kth, _) = v.select_nth_unstable_by(k, f64::total_cmp);
    *kth
}

/// Whether a contour piece fits inside one grid cell (sampling noise, not a feature).
fn is_sub_cell(line: &[(f64, f64)], cell_x: f64, cell_y: f64) -> bool {
    let span = |f: fn(&(f64, f64)) -> f64| {
        line.iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            })
    };
    let (xa, xb) = span(|p| p.0);
    let (ya, yb) = span(|p| p.1);
    xb - xa <= cell_x && yb - ya <= cell_y
}

/// Colour-bar ticks for a log colour scale: the decades of f that fall inside it.
fn log_ticks(lo: f64, hi: f64, inverse: &dyn Fn(f64) -> f64) -> Vec<(f64, String)> {
    let (f_lo, f_hi) = (inverse(lo), inverse(hi));
    let base = f_lo;
    let shift = |f: f64| (f - base + 1e-3).ln();
    let mut out = Vec::new();
    let top = f_hi.max(1e-300).log10().floor() as i32;
    for e in (top - 8..=top).rev() {
        let f = 10f64.powi(e);
        if f > f_lo && f <= f_hi && shift(f) >= lo && out.len() < 6 {
            out.push((shift(f), super::axes::tick_label(f)));
        }
    }
    out
}

impl Figure for Landscape2d {
    fn to_svg(&self) -> Result<String, FigureError> {
        let bg = self.background()?;
        let steps = self
            .paths
            .iter()
            .map(|p| p.points.len().saturating_sub(1))
            .max()
            .unwrap_or(0);
        let timing = self.animation.map(|dt| Timing::new(steps, dt));
        let attrs = timing.map(|t| t.root_attrs()).unwrap_or_default();
        let mut svg = Svg::new(
            bg.width,
            bg.height,
            &self.meta.title,
            &self.meta.desc,
            &attrs,
        );
        svg.raw(&bg.markup);
        let clip = id("clip");
        svg.fmt(format_args!(
            "<g clip-path=\"url(#{clip})\" fill=\"none\" stroke-linejoin=\"round\">"
        ));
        match timing {
            Some(t) => {
                let px: Vec<Vec<(f64, f64)>> = self
                    .paths
                    .iter()
                    .map(|c| {
                        c.points
                            .iter()
                            .map(|&(a, b)| (bg.frame.x.map(a), bg.frame.y.map(b)))
                            .collect()
                    })
                    .collect();
                let mut m = String::new();
                growing_paths(&mut m, &px, 0, &t);
                for (k, (curve, p)) in self.paths.iter().zip(&px).enumerate() {
                    if let (Some(_), Some(&end)) = (curve.diverged_at, p.last()) {
                        let show = t.appear_at(p.len() - 1);
                        m.push_str(&divergence_cross(end, k, &show));
                    }
                }
                svg.raw(&m);
            }
            None => svg.raw(&self.static_paths(&bg.frame, &self.paths, 0, "", &[])),
        }
        svg.raw("</g>");
        svg.raw(&self.markers_markup(&bg.frame));
        legend(
            &mut svg,
            bg.plot.1,
            bg.plot.2,
            self.paths.iter().map(Curve::legend_label),
        );
        if let Some(t) = timing {
            let values: Vec<String> = (0..=t.steps).map(|i| i.to_string()).collect();
            let mut m = String::new();
            step_counter(&mut m, bg.plot.0 + 40.0, 18.0, "step", &values, &t);
            svg.raw(&m);
            svg.raw(&stop_buttons(4.0, bg.height - 5.0));
        }
        Ok(svg.finish())
    }
}
