//! Prepares a figure's SVG for inlining in a page: one line (a blank line would break it into
//! Markdown paragraphs), no XML prolog, and element ids unique across the whole book (pages
//! and `print.html` share one id space), with references to a renamed id renamed too
//! (`url(#id)`, `href="#id"`, and SMIL `begin`/`end` values such as `id.end`).

use std::collections::HashSet;

/// Returns `svg` ready to inline; `used` holds the ids already in the book and gains this
/// figure's.
pub fn inline(svg: &str, used: &mut HashSet<String>) -> String {
    let mut text = strip_prolog(svg)
        .replace("\r\n", " ")
        .replace(['\n', '\r'], " ");
    for id in ids(&text) {
        if used.insert(id.clone()) {
            continue;
        }
        let mut n = 2;
        let fresh = loop {
            let candidate = format!("{id}-{n}");
            if !used.contains(&candidate) {
                break candidate;
            }
            n += 1;
        };
        used.insert(fresh.clone());
        text = rename(&text, &id, &fresh);
    }
    text
}

fn strip_prolog(svg: &str) -> &str {
    let mut s = svg.trim();
    while s.starts_with("<?") || s.starts_with("<!") {
        match s.find('>') {
            Some(end) => s = s[end + 1..].trim_start(),
            None => break,
        }
    }
    s
}

/// The values of every ` id="..."` attribute, in order.
fn ids(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find("id=\"") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + 4..];
        let Some(end) = after.find('"') else { break };
        if before.is_some_and(char::is_whitespace) {
            let id = &after[..end];
            if !out.iter().any(|x: &String| x == id) {
                out.push(id.to_owned());
            }
        }
        rest = &after[end..];
    }
    out
}

fn rename(svg: &str, old: &str, new: &str) -> String {
    let mut text = svg
        .replace(&format!(" id=\"{old}\""), &format!(" id=\"{new}\""))
        .replace(&format!("url(#{old})"), &format!("url(#{new})"))
        .replace(&format!("\"#{old}\""), &format!("\"#{new}\""));
    for attr in ["begin=\"", "end=\""] {
        text = rewrite_timing(&text, attr, old, new);
    }
    text
}

/// Renames `old.` syncbase references inside every `attr"..."` value.
fn rewrite_timing(svg: &str, attr: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find(attr) {
        let start = at + attr.len();
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('"').unwrap_or(after.len());
        let value = after[..end]
            .split(';')
            .map(|part| {
                let trimmed = part.trim_start();
                let lead = &part[..part.len() - trimmed.len()];
                match trimmed.strip_prefix(old) {
                    Some(tail) if tail.starts_with('.') => format!("{lead}{new}{tail}"),
                    _ => part.to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join(";");
        out.push_str(&value);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn becomes_one_line_without_prolog() {
        let mut used = HashSet::new();
        let svg = "<?xml version=\"1.0\"?>\n<svg>\n\n<g/>\n</svg>\n";
        assert_eq!(inline(svg, &mut used), "<svg>  <g/> </svg>");
    }

    #[test]
    fn a_repeated_id_and_its_references_are_renamed() {
        let mut used = HashSet::new();
        let svg = r##"<svg><path id="p"/><use href="#p"/><rect fill="url(#p)"/><animate id="a" begin="0s;a.end" end="p.end"/></svg>"##;
        let first = inline(svg, &mut used);
        assert_eq!(first, svg);
        let second = inline(svg, &mut used);
        assert_eq!(
            second,
            r##"<svg><path id="p-2"/><use href="#p-2"/><rect fill="url(#p-2)"/><animate id="a-2" begin="0s;a-2.end" end="p-2.end"/></svg>"##
        );
    }

    #[test]
    fn data_ids_are_not_element_ids() {
        assert_eq!(ids(r#"<g data-id="x" id="y">"#), vec!["y"]);
    }
}
