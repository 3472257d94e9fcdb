//! A row of radio buttons that shows one of a figure's groups without JavaScript: the
//! buttons sit in a `<foreignObject>`, and CSS (`:has(#id:checked)`) shows the group whose
//! button is checked; where `:has` is unknown, the first group shows. Groups are written by
//! the caller as `<g class="{p}-v {p}-v{k}">` ([`group_class`]).

use std::fmt::Write;

use super::svg::{PREFIX, Svg, escape, id, num};

/// Height of the control strip, in pixels.
pub(crate) const CONTROL_H: f64 = 34.0;

/// The class of group `k`, which the button `k` shows.
pub(crate) fn group_class(k: usize) -> String {
    format!("{PREFIX}-v {PREFIX}-v{k}")
}

/// How many lines a [`radio_row`] of `buttons` named `name` takes in a strip `width` wide, at
/// the strip's 13 px font (a generous estimate of each button's width: wrapping inside a strip
/// too low for it would hide buttons).
pub(crate) fn lines_needed(name: &str, buttons: &[(String, String)], width: f64) -> f64 {
    let text = |s: &str| s.chars().count() as f64 * 8.5;
    let total = text(name)
        + 8.0
        + buttons
            .iter()
            .map(|(_, label)| text(label) + 30.0)
            .sum::<f64>();
    (total / width).ceil().max(1.0)
}

/// One labelled row of radio buttons, as the HTML inside a control strip: a
/// `role="radiogroup"` named by its visible label (`name_id` is that label's id), one
/// `(id, label)` button per choice in the group `group`, button `checked` checked.
pub(crate) fn radio_row(
    name: &str,
    name_id: &str,
    group: &str,
    buttons: &[(String, String)],
    checked: usize,
) -> String {
    let p = PREFIX;
    let mut html = format!(
        "<div role=\"radiogroup\" aria-labelledby=\"{name_id}\"><span class=\"dfig-ctl-name\" id=\"{name_id}\">{}:</span>",
        escape(name)
    );
    for (k, (radio_id, label)) in buttons.iter().enumerate() {
        let checked = if k == checked {
            " checked=\"checked\""
        } else {
            ""
        };
        let _ = write!(
            html,
            " <label><input type=\"radio\" class=\"{p}-r\" name=\"{group}\" id=\"{radio_id}\"{checked}/>{}</label>",
            escape(label)
        );
    }
    html.push_str("</div>");
    html
}

/// Puts a control strip's HTML (from [`radio_row`]) into the figure at `y`, `width` wide.
pub(crate) fn strip(svg: &mut Svg, html: &str, y: f64, width: f64, height: f64) {
    svg.fmt(format_args!(
        "<foreignObject x=\"8\" y=\"{}\" width=\"{}\" height=\"{}\"><div xmlns=\"http://www.w3.org/1999/xhtml\" class=\"dfig-ctl\" style=\"font:13px sans-serif\">{html}</div></foreignObject>",
        num(y),
        num(width - 16.0),
        num(height)
    ));
}

/// Writes the control named `name` with one button per label at `y`, `width` wide, and the
/// style that switches the groups.
pub(crate) fn radio_control(svg: &mut Svg, name: &str, labels: &[String], y: f64, width: f64) {
    let p = PREFIX;
    let buttons: Vec<(String, String)> = labels
        .iter()
        .enumerate()
        .map(|(k, label)| (id(&format!("r{k}")), label.clone()))
        .collect();
    let html = radio_row(name, &id("rn"), &id("r"), &buttons, 0);
    strip(svg, &html, y + 4.0, width, CONTROL_H - 4.0);
    let mut css = format!(
        ".{p}-v{{display:none}}.{p}-v0{{display:inline}}.{p}:has(.{p}-r:checked) .{p}-v{{display:none}}"
    );
    let shown: Vec<String> = (0..labels.len())
        .map(|k| format!(".{p}:has(#{p}-r{k}:checked) .{p}-v{k}"))
        .collect();
    let _ = write!(css, "{}{{display:inline}}", shown.join(","));
    svg.fmt(format_args!("<style>{css}</style>"));
}
