//! A compact SVG writer: rounded numbers, escaped text, one line, ids that carry a per-figure
//! prefix.
//!
//! Every figure is written into an [`Svg`] buffer. Ids are written through [`Svg::id`], which
//! puts a placeholder where the figure's prefix goes; [`Svg::finish`] hashes the finished text
//! and replaces the placeholder with `d` and eight hex digits of that hash, so the same input
//! always gives the same bytes and different figures on one page never share an id.

use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Stands for the per-figure prefix until [`Svg::finish`] knows it. Text written through
/// [`escape`] never contains it (control characters are dropped there).
pub(crate) const PREFIX: char = '\u{1}';

/// Formats `v` with at most one decimal, without a trailing `.0` and without `-0`.
pub(crate) fn num(v: f64) -> String {
    num_digits(v, 1)
}

/// Formats `v` with at most `digits` decimals, trimming trailing zeros.
pub(crate) fn num_digits(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let mut s = format!("{v:.digits$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    if let Some(rest) = s.strip_prefix("0.") {
        s = format!(".{rest}");
    } else if let Some(rest) = s.strip_prefix("-0.") {
        s = format!("-.{rest}");
    }
    s
}

/// Escapes text for an XML text node or attribute; drops control characters and folds
/// newlines into spaces, so the figure stays on one line.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A figure being written.
#[derive(Debug, Default)]
pub(crate) struct Svg {
    buf: String,
}

impl Svg {
    /// Starts a figure of `width` x `height` user units with its accessible name and text.
    pub(crate) fn new(width: f64, height: f64, title: &str, desc: &str, extra_attrs: &str) -> Self {
        let mut svg = Svg::default();
        let (w, h) = (num(width), num(height));
        let p = PREFIX;
        let _ = write!(
            svg.buf,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
             height=\"{h}\" class=\"dfig {p}\" role=\"img\" aria-label=\"{t}\" \
             aria-describedby=\"{p}-d\" font-family=\"sans-serif\" font-size=\"12\"{extra_attrs}>\
             <title>{t}</title><desc id=\"{p}-d\">{d}</desc>",
            t = escape(title),
            d = escape(desc),
        );
        svg
    }

    /// Appends raw markup (already escaped, one line).
    pub(crate) fn raw(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// Appends formatted raw markup.
    pub(crate) fn fmt(&mut self, args: std::fmt::Arguments<'_>) {
        let _ = self.buf.write_fmt(args);
    }

    /// Appends a text element with the given attributes.
    pub(crate) fn text(&mut self, x: f64, y: f64, attrs: &str, text: &str) {
        let _ = write!(
            self.buf,
            "<text x=\"{}\" y=\"{}\"{attrs}>{}</text>",
            num(x),
            num(y),
            escape(text)
        );
    }

    /// The markup written so far, for fragments built apart and put into a figure later.
    pub(crate) fn into_inner(self) -> String {
        self.buf
    }

    /// Closes the figure and puts its prefix in place of every placeholder.
    pub(crate) fn finish(mut self) -> String {
        self.buf.push_str("</svg>");
        let hash = Sha256::digest(self.buf.as_bytes());
        let prefix: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
        self.buf.replace(PREFIX, &format!("d{prefix}"))
    }
}

/// An id (or class) local to the figure: the prefix, a dash and `name`.
pub(crate) fn id(name: &str) -> String {
    format!("{PREFIX}-{name}")
}

/// An id local to the figure that SMIL timing (`begin="<id>.click"`) can name: the prefix and
/// `name` with no dash between, because browsers read a dash there as the start of an offset
/// (`id-2s`) and drop the whole condition.
pub(crate) fn timing_id(name: &str) -> String {
    format!("{PREFIX}{name}")
}

/// Appends `v` to path data, with a space before it unless a minus sign separates it.
fn push_num(d: &mut String, v: f64) {
    let s = num(v);
    let last = d.chars().last();
    if !s.starts_with('-') && last.is_some_and(|c| c.is_ascii_digit() || c == '.') {
        d.push(' ');
    }
    d.push_str(&s);
}

/// Writes a polyline as compact path data: an absolute move, then relative line steps on
/// coordinates rounded to a tenth, so rounding errors never add up.
pub(crate) fn path_data(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let mut last = (0.0_f64, 0.0_f64);
    for (i, &(x, y)) in points.iter().enumerate() {
        // Far-away points (a diverging optimiser) are clipped anyway: keep their digits few.
        let (x, y) = (x.clamp(-1e5, 1e5), y.clamp(-1e5, 1e5));
        let (rx, ry) = ((x * 10.0).round(), (y * 10.0).round());
        if i == 0 {
            d.push('M');
            push_num(&mut d, rx / 10.0);
            push_num(&mut d, ry / 10.0);
        } else {
            if i == 1 {
                d.push('l');
            }
            push_num(&mut d, (rx - last.0) / 10.0);
            push_num(&mut d, (ry - last.1) / 10.0);
        }
        last = (rx, ry);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(0.25), ".2");
        assert_eq!(num(-0.36), "-.4");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn path_data_is_relative_and_compact() {
        assert_eq!(
            path_data(&[(1.0, 2.0), (3.5, 1.0), (3.5, 4.0)]),
            "M1 2l2.5-1 0 3"
        );
    }

    #[test]
    fn escaping_keeps_one_line_and_drops_the_placeholder() {
        assert_eq!(escape("a<b\n&\u{1}c"), "a&lt;b &amp;c");
    }

    #[test]
    fn finished_figures_carry_a_hashed_prefix_and_are_deterministic() {
        let make = || {
            let mut s = Svg::new(10.0, 10.0, "t", "d", "");
            s.raw(&format!("<g id=\"{}\"/>", id("a")));
            s.finish()
        };
        let a = make();
        assert_eq!(a, make());
        assert!(!a.contains(PREFIX));
        assert!(a.contains("id=\"d"));
    }
}
