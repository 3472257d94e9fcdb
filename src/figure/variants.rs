//! Variants: a family of precomputed results in one figure, switched in place by radio buttons
//! that need no JavaScript.
//!
//! What the variants share (the landscape and its markers, or the chart's axes) is drawn once;
//! each variant adds only its own paths or curves, in a group that CSS shows when its radio
//! button is checked (`:has(#id:checked)`). The buttons live in a `<foreignObject>`, so the
//! figure stays one `<svg>` element. Where `:has` is unknown, the first variant shows.

use std::fmt::Write;

use super::landscape2d::Landscape2d;
use super::line::{Curves, LineChart, legend};
use super::svg::{PREFIX, Svg, escape, id, num};
use super::{Figure, FigureError};

#[derive(Clone, Debug)]
enum Base {
    Landscape(Box<Landscape2d>),
    Lines(Box<LineChart>),
}

/// A family of results over one shared base, with a control that picks one.
///
/// ```
/// use descent::figure::{Figure, Grid, Landscape2d, Variants};
/// let grid = Grid::sample(|x, y| x * x + 4.0 * y * y, (-2.0, 2.0), (-2.0, 2.0), 30)?;
/// let base = Landscape2d::new("Learning rates", "GD paths for three learning rates.", grid);
/// let mut fig = Variants::landscape("learning rate", base);
/// for lr in [0.05, 0.1, 0.2] {
///     let mut p = (1.5, 1.0);
///     let path: Vec<(f64, f64)> = (0..20).map(|_| { let q = p; p = (p.0 - lr * 2.0 * p.0, p.1 - lr * 8.0 * p.1); q }).collect();
///     fig = fig.option(&format!("{lr}"), &[("GD", &path)]);
/// }
/// let svg = fig.to_svg()?;
/// assert!(svg.contains("type=\"radio\""));
/// # Ok::<(), descent::figure::FigureError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Variants {
    control: String,
    base: Base,
    options: Vec<(String, Curves)>,
}

impl Variants {
    /// Variants over a landscape: every option adds its own paths; the landscape's own
    /// paths and markers show in all of them. Title and description are the landscape's.
    pub fn landscape(control: &str, base: Landscape2d) -> Self {
        Variants {
            control: control.to_owned(),
            base: Base::Landscape(Box::new(base)),
            options: Vec::new(),
        }
    }

    /// Variants over a line chart: every option adds its own `(x, y)` curves; the axes fit
    /// them all. Title and description are the chart's.
    pub fn lines(control: &str, base: LineChart) -> Self {
        Variants {
            control: control.to_owned(),
            base: Base::Lines(Box::new(base)),
            options: Vec::new(),
        }
    }

    /// Adds an option: its label on the control and its curves (paths on a landscape, `(x, y)`
    /// series on a chart).
    pub fn option(mut self, label: &str, curves: &[(&str, &[(f64, f64)])]) -> Self {
        let curves = curves
            .iter()
            .map(|(l, p)| ((*l).to_owned(), p.to_vec()))
            .collect();
        self.options.push((label.to_owned(), curves));
        self
    }

    /// Adds an option whose curves are values per step (x = 0, 1, 2, ...).
    pub fn option_steps(self, label: &str, curves: &[(&str, &[f64])]) -> Self {
        let owned: Vec<(&str, Vec<(f64, f64)>)> = curves
            .iter()
            .map(|(l, ys)| {
                (
                    *l,
                    ys.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect(),
                )
            })
            .collect();
        let borrowed: Vec<(&str, &[(f64, f64)])> =
            owned.iter().map(|(l, p)| (*l, p.as_slice())).collect();
        self.option(label, &borrowed)
    }
}

impl Figure for Variants {
    fn to_svg(&self) -> Result<String, FigureError> {
        if self.options.is_empty() {
            return Err(FigureError::Empty {
                what: "variant family (add options with .option(label, curves))".into(),
            });
        }
        let control_h = 34.0;
        let (svg, groups, width, height) = match &self.base {
            Base::Landscape(l) => {
                let bg = l.background()?;
                let mut svg = Svg::new(
                    bg.width,
                    bg.height + control_h,
                    &l.meta().title,
                    &l.meta().desc,
                    "",
                );
                svg.raw(&bg.markup);
                let clip = id("clip");
                svg.fmt(format_args!(
                    "<g clip-path=\"url(#{clip})\" fill=\"none\" stroke-linejoin=\"round\">"
                ));
                svg.raw(&l.static_paths(&bg.frame, l.paths(), 0, ""));
                svg.raw("</g>");
                let first = l.path_count();
                let groups: Vec<String> = self
                    .options
                    .iter()
                    .enumerate()
                    .map(|(k, (_, curves))| {
                        let mut g = Svg::default();
                        g.fmt(format_args!("<g clip-path=\"url(#{clip})\" fill=\"none\" stroke-linejoin=\"round\">{}</g>", l.static_paths(&bg.frame, curves, first, &format!("v{k}-"))));
                        let labels: Vec<&str> = l.paths().iter().map(|p| p.0.as_str()).chain(curves.iter().map(|c| c.0.as_str())).collect();
                        legend(&mut g, bg.plot.1, bg.plot.2, labels.into_iter());
                        g.into_inner()
                    })
                    .collect();
                svg.raw(&l.markers_markup(&bg.frame));
                (svg, groups, bg.width, bg.height)
            }
            Base::Lines(c) => {
                let all: Vec<Curves> = self.options.iter().map(|o| o.1.clone()).collect();
                let lf = c.layout(&all)?;
                let (w, h) = c.size_px();
                let mut svg = Svg::new(w, h + control_h, &c.meta().title, &c.meta().desc, "");
                svg.raw(&lf.frame.markup);
                let groups = all
                    .iter()
                    .map(|curves| c.series_markup(&lf, curves))
                    .collect();
                (svg, groups, w, h)
            }
        };
        let mut svg = svg;
        let p = PREFIX;
        for (k, g) in groups.iter().enumerate() {
            svg.fmt(format_args!("<g class=\"{p}-v {p}-v{k}\">{g}</g>"));
        }
        let mut html = String::new();
        let _ = write!(
            html,
            "<span class=\"dfig-ctl-name\">{}:</span>",
            escape(&self.control)
        );
        for (k, (label, _)) in self.options.iter().enumerate() {
            let checked = if k == 0 { " checked=\"checked\"" } else { "" };
            let _ = write!(
                html,
                " <label><input type=\"radio\" class=\"{p}-r\" name=\"{}\" id=\"{}\"{checked}/>{}</label>",
                id("r"),
                id(&format!("r{k}")),
                escape(label)
            );
        }
        svg.fmt(format_args!(
            "<foreignObject x=\"8\" y=\"{}\" width=\"{}\" height=\"{}\"><div xmlns=\"http://www.w3.org/1999/xhtml\" class=\"dfig-ctl\" style=\"font:13px sans-serif\">{html}</div></foreignObject>",
            num(height + 4.0),
            num(width - 16.0),
            num(control_h - 4.0)
        ));
        let mut css = format!(
            ".{p}-v{{display:none}}.{p}-v0{{display:inline}}.{p}:has(.{p}-r:checked) .{p}-v{{display:none}}"
        );
        for k in 0..self.options.len() {
            let _ = write!(css, ".{p}:has(#{p}-r{k}:checked) .{p}-v{k}");
            css.push(if k + 1 == self.options.len() {
                '{'
            } else {
                ','
            });
        }
        css.push_str("display:inline}");
        svg.fmt(format_args!("<style>{css}</style>"));
        Ok(svg.finish())
    }
}
