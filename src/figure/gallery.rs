//! Gallery: several whole figures in one, side by side in rows, with radio buttons (no
//! JavaScript) that pick which row shows: one landscape's 3-D surface and contour map, then
//! another's, in one place on the page.
//!
//! Each panel is a finished figure nested as an inner `<svg>`; its ids keep its own prefix,
//! so panels never clash. The switch is the same CSS `:has(#id:checked)` as [`Variants`]'s.
//!
//! [`Variants`]: super::Variants

use std::fmt::Write;

use super::svg::{PREFIX, Svg, id, num};
use super::{Figure, FigureError, Meta};

/// One rendered panel: its SVG, width and height.
type Panel = (String, f64, f64);

/// A gallery of figures: each option is a row of panels, and a control picks the row.
///
/// ```
/// use descent::figure::{Figure, Gallery, Landscape2d};
/// use descent::plane::Grid;
/// let bowl = Landscape2d::new("Bowl", "Contours of a bowl.", Grid::sample(|x, y| x * x + y * y, -1.0..=1.0, -1.0..=1.0, 20)?);
/// let saddle = Landscape2d::new("Saddle", "Contours of a saddle.", Grid::sample(|x, y| x * x - y * y, -1.0..=1.0, -1.0..=1.0, 20)?);
/// let svg = Gallery::new("Two surfaces", "A bowl and a saddle, one at a time.", "function")
///     .option("bowl", &[&bowl])?
///     .option("saddle", &[&saddle])?
///     .to_svg()?;
/// assert_eq!(svg.matches("type=\"radio\"").count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Gallery {
    meta: Meta,
    control: String,
    /// Each option's label and its panels.
    options: Vec<(String, Vec<Panel>)>,
}

impl Gallery {
    /// An empty gallery; `control` names what the radio buttons choose.
    pub fn new(title: &str, description: &str, control: &str) -> Self {
        Gallery {
            meta: Meta::new(title, description),
            control: control.to_owned(),
            options: Vec::new(),
        }
    }

    /// Adds an option: its label on the control and the figures shown side by side for it.
    ///
    /// # Errors
    /// When a panel cannot be rendered, or `panels` is empty.
    pub fn option(mut self, label: &str, panels: &[&dyn Figure]) -> Result<Self, FigureError> {
        if panels.is_empty() {
            return Err(FigureError::Empty {
                what: format!("gallery option {label:?} (give it at least one figure)"),
            });
        }
        let mut row = Vec::with_capacity(panels.len());
        for panel in panels {
            let svg = panel.to_svg()?;
            let (w, h) = view_box(&svg).ok_or_else(|| FigureError::Invalid {
                what: "gallery panel".into(),
                why: "a panel must be a figure of this kit (an <svg> with a viewBox)".into(),
            })?;
            // Nested, the panel must not take the page-level `svg.dfig` layout rules.
            let svg = svg.replacen("class=\"dfig ", "class=\"dfig-panel ", 1);
            row.push((svg, w, h));
        }
        self.options.push((label.to_owned(), row));
        Ok(self)
    }
}

/// Rasters that several panels draw identically (the same colour map behind different paths)
/// are stored once: each repeated `<image .../>` tag moves into the returned `<defs>` content
/// under an id and every copy becomes a `<use>` of it.
fn share_images(panels: &mut [String]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for panel in panels.iter() {
        for tag in image_tags(panel) {
            match counts.iter_mut().find(|(t, _)| t == tag) {
                Some((_, n)) => *n += 1,
                None => counts.push((tag.to_owned(), 1)),
            }
        }
    }
    let mut defs = String::new();
    for (k, (tag, _)) in counts.iter().filter(|(_, n)| *n > 1).enumerate() {
        let image_id = id(&format!("img{k}"));
        defs.push_str(&tag.replacen("<image ", &format!("<image id=\"{image_id}\" "), 1));
        let reference = format!("<use href=\"#{image_id}\"/>");
        for panel in panels.iter_mut() {
            *panel = panel.replace(tag.as_str(), &reference);
        }
    }
    defs
}

/// The self-closing `<image .../>` tags that embed their picture (`href="data:`).
fn image_tags(svg: &str) -> impl Iterator<Item = &str> {
    svg.match_indices("<image ").filter_map(|(start, _)| {
        let tag = &svg[start..start + svg[start..].find('>')? + 1];
        (tag.ends_with("/>") && tag.contains("href=\"data:")).then_some(tag)
    })
}

/// The width and height of a figure's `viewBox="0 0 w h"`.
fn view_box(svg: &str) -> Option<(f64, f64)> {
    let rest = svg.split("viewBox=\"").nth(1)?.split('"').next()?;
    let v: Vec<f64> = rest
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    (v.len() == 4).then(|| (v[2], v[3]))
}

impl Figure for Gallery {
    fn to_svg(&self) -> Result<String, FigureError> {
        if self.options.is_empty() {
            return Err(FigureError::Empty {
                what: "gallery (add options with .option(label, &[&figure, ...]))".into(),
            });
        }
        let control_h = 34.0;
        let width = self
            .options
            .iter()
            .map(|(_, row)| row.iter().map(|p| p.1).sum::<f64>())
            .fold(0.0, f64::max);
        let height = self
            .options
            .iter()
            .flat_map(|(_, row)| row.iter().map(|p| p.2))
            .fold(0.0, f64::max);
        let mut svg = Svg::new(
            width,
            height + control_h,
            &self.meta.title,
            &self.meta.desc,
            "",
        );
        let p = PREFIX;
        let mut panels: Vec<String> = self
            .options
            .iter()
            .flat_map(|(_, row)| row.iter().map(|q| q.0.clone()))
            .collect();
        let defs = share_images(&mut panels);
        if !defs.is_empty() {
            svg.fmt(format_args!("<defs>{defs}</defs>"));
        }
        let mut panels = panels.into_iter();
        for (k, (_, row)) in self.options.iter().enumerate() {
            svg.fmt(format_args!("<g class=\"{p}-v {p}-v{k}\">"));
            let row_w: f64 = row.iter().map(|q| q.1).sum();
            let mut x = (width - row_w) / 2.0;
            for (_, w, _) in row {
                let panel = panels.next().unwrap_or_default();
                let placed = panel.replacen("<svg ", &format!("<svg x=\"{}\" y=\"0\" ", num(x)), 1);
                svg.raw(&placed);
                x += w;
            }
            svg.raw("</g>");
        }
        let buttons: Vec<(String, String)> = self
            .options
            .iter()
            .enumerate()
            .map(|(k, (label, _))| (id(&format!("r{k}")), label.clone()))
            .collect();
        let html = super::control::radio_row(&self.control, &id("rn"), &id("r"), &buttons, 0);
        super::control::strip(&mut svg, &html, height + 4.0, width, control_h - 4.0);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::Landscape2d;
    use crate::plane::Grid;

    fn map(title: &str, f: fn(f64, f64) -> f64) -> Landscape2d {
        let grid = Grid::sample(f, -1.0..=1.0, -1.0..=1.0, 12).expect("a grid");
        Landscape2d::new(title, "A map.", grid)
    }

    #[test]
    fn a_colour_map_drawn_by_several_panels_is_embedded_once() {
        let bowl = |x: f64, y: f64| x * x + y * y;
        let saddle = |x: f64, y: f64| x * x - y * y;
        let svg = Gallery::new("G", "Maps.", "which")
            .option(
                "a",
                &[&map("bowl 1", bowl) as &dyn Figure, &map("saddle", saddle)],
            )
            .and_then(|g| g.option("b", &[&map("bowl 2", bowl) as &dyn Figure]))
            .and_then(|g| g.to_svg())
            .expect("a gallery");
        assert_eq!(
            svg.matches("href=\"data:").count(),
            2,
            "the bowl once, the saddle once"
        );
        let shared = svg
            .split("<defs><image id=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the shared bowl in <defs>");
        assert_eq!(
            svg.matches(&format!("<use href=\"#{shared}\"/>")).count(),
            2
        );
        let alone = map("saddle", saddle).to_svg().expect("a map");
        let saddle_tag = image_tags(&alone).next().expect("the saddle's image");
        assert!(
            svg.contains(saddle_tag),
            "a picture drawn once stays where it was"
        );
    }
}
