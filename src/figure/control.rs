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

/// Writes the control named `name` with one button per label at `y`, `width` wide, and the
/// style that switches the groups.
pub(crate) fn radio_control(svg: &mut Svg, name: &str, labels: &[String], y: f64, width: f64) {
    let p = PREFIX;
    let mut html = String::new();
    let _ = write!(
        html,
        "<span class=\"dfig-ctl-name\">{}:</span>",
        escape(name)
    );
    for (k, label) in labels.iter().enumerate() {
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
        num(y + 4.0),
        num(width - 16.0),
        num(CONTROL_H - 4.0)
    ));
    let mut css = format!(
        ".{p}-v{{display:none}}.{p}-v0{{display:inline}}.{p}:has(.{p}-r:checked) .{p}-v{{display:none}}"
    );
    let shown: Vec<String> = (0..labels.len())
        .map(|k| format!(".{p}:has(#{p}-r{k}:checked) .{p}-v{k}"))
        .collect();
    let _ = write!(css, "{}{{display:inline}}", shown.join(","));
    svg.fmt(format_args!("<style>{css}</style>"));
}
