//! A plotters drawing backend that writes compact, themed SVG fragments.
//!
//! plotters lays out a chart frame (axes, ticks, tick labels, axis titles, caption, grid);
//! this backend turns what it draws into a handful of elements: all lines of one kind become
//! one `<path>`, texts share one group, and colours become classes the page's theme sets.
//! Chart code draws with the sentinel colours below, never with a real colour.

use plotters::style::RGBColor;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Write;
use std::rc::Rc;

use super::svg::{escape, num};
use super::theme::FALLBACK_FG;

/// Axis lines, tick marks and text (class `ax` for lines, `fg` for text).
pub(crate) const AXIS: RGBColor = RGBColor(0, 0, 0);
/// Grid lines (class `gr`).
pub(crate) const GRID: RGBColor = RGBColor(0, 0, 1);

/// What the backend has collected.
#[derive(Debug, Default)]
pub(crate) struct Markup {
    lines: BTreeMap<&'static str, String>,
    texts: String,
}

impl Markup {
    /// The collected frame as SVG: grid, then axes, then text.
    pub(crate) fn into_svg(self) -> String {
        let mut out = String::new();
        if let Some(d) = self.lines.get("gr") {
            let _ = write!(
                out,
                "<path class=\"gr\" stroke=\"{FALLBACK_FG}\" stroke-opacity=\".25\" fill=\"none\" d=\"{d}\"/>"
            );
        }
        if let Some(d) = self.lines.get("ax") {
            let _ = write!(
                out,
                "<path class=\"ax\" stroke=\"{FALLBACK_FG}\" fill=\"none\" d=\"{d}\"/>"
            );
        }
        if !self.texts.is_empty() {
            let _ = write!(
                out,
                "<g class=\"fg\" fill=\"{FALLBACK_FG}\">{}</g>",
                self.texts
            );
        }
        out
    }
}

/// The backend: a size and a shared [`Markup`] it writes into.
pub(crate) struct ThemedBackend {
    size: (u32, u32),
    out: Rc<RefCell<Markup>>,
}

impl ThemedBackend {
    /// A backend of `size` pixels writing into `out`.
    pub(crate) fn new(size: (u32, u32), out: Rc<RefCell<Markup>>) -> Self {
        ThemedBackend { size, out }
    }

    fn class_of(color: BackendColor) -> Option<&'static str> {
        if color.alpha == 0.0 {
            return None;
        }
        match color.rgb {
            (0, 0, 1) => Some("gr"),
            _ => Some("ax"),
        }
    }

    fn line(&mut self, from: BackendCoord, to: BackendCoord, color: BackendColor) {
        let Some(class) = Self::class_of(color) else {
            return;
        };
        let mut out = self.out.borrow_mut();
        let d = out.lines.entry(class).or_default();
        // Half-pixel offsets keep one-pixel lines crisp.
        let (x0, y0) = (f64::from(from.0) + 0.5, f64::from(from.1) + 0.5);
        let (x1, y1) = (f64::from(to.0) + 0.5, f64::from(to.1) + 0.5);
        let _ = write!(d, "M{} {}", num(x0), num(y0));
        if from.1 == to.1 {
            let _ = write!(d, "H{}", num(x1));
        } else if from.0 == to.0 {
            let _ = write!(d, "V{}", num(y1));
        } else {
            let _ = write!(d, "L{} {}", num(x1), num(y1));
        }
    }
}

impl DrawingBackend for ThemedBackend {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Infallible>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Infallible>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.line(point, (point.0 + 1, point.1), color);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.line(from, to, style.color());
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        _fill: bool,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        // plotters fills the background and outlines boxes; the page is the background and
        // the frame needs no boxes, so only outlines in a sentinel colour are kept.
        if style.color().rgb == (0, 0, 0) && !_fill {
            let c = style.color();
            self.line(ul, (br.0, ul.1), c);
            self.line((br.0, ul.1), br, c);
            self.line(br, (ul.0, br.1), c);
            self.line((ul.0, br.1), ul, c);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        let points: Vec<_> = path.into_iter().collect();
        for w in points.windows(2) {
            self.line(w[0], w[1], style.color());
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        _c: BackendCoord,
        _r: u32,
        _s: &S,
        _f: bool,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        _v: I,
        _s: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        Ok(())
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let mut attrs = String::new();
        match style.anchor().h_pos {
            HPos::Left => {}
            HPos::Center => attrs.push_str(" text-anchor=\"middle\""),
            HPos::Right => attrs.push_str(" text-anchor=\"end\""),
        }
        match style.anchor().v_pos {
            VPos::Top => attrs.push_str(" dy=\".76em\""),
            VPos::Center => attrs.push_str(" dy=\".35em\""),
            // Lift the baseline so descenders stay inside the figure.
            VPos::Bottom => attrs.push_str(" dy=\"-.25em\""),
        }
        let size = style.size().round();
        if (size - 12.0).abs() > 0.1 {
            let _ = write!(attrs, " font-size=\"{}\"", num(size));
        }
        let (x, y) = (f64::from(pos.0), f64::from(pos.1));
        match style.transform() {
            FontTransform::Rotate90 => {
                let _ = write!(attrs, " transform=\"rotate(90 {} {})\"", num(x), num(y));
            }
            FontTransform::Rotate270 => {
                let _ = write!(attrs, " transform=\"rotate(-90 {} {})\"", num(x), num(y));
            }
            _ => {}
        }
        let mut out = self.out.borrow_mut();
        let _ = write!(
            out.texts,
            "<text x=\"{}\" y=\"{}\"{attrs}>{}</text>",
            num(x),
            num(y),
            escape(text)
        );
        Ok(())
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<Infallible>> {
        // An average sans-serif glyph is about 0.55 em wide.
        let size = style.size();
        let width = size * 0.55 * text.chars().count() as f64;
        Ok((width.ceil() as u32, size.ceil() as u32))
    }
}
