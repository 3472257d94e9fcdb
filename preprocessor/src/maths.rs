//! LaTeX to MathML at build time (pulldown-latex), so pages need no MathJax and no CDN.
//!
//! The MathML is made safe to put back into Markdown: one line (a blank line would end the
//! HTML), and the characters Markdown would read as emphasis, escapes or links, in the text
//! between tags, written as character references.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// Renders one formula; `Err` carries the parser's message.
///
/// ```
/// let html = mdbook_descent::maths::render(r"\frac{1}{2}", false).unwrap();
/// assert!(html.starts_with("<math display=\"inline\"><mfrac>"));
/// assert!(mdbook_descent::maths::render(r"\nosuch", false).is_err());
/// ```
pub fn render(latex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(latex, &storage).collect();
    if let Some(Err(e)) = events.iter().find(|e| e.is_err()) {
        return Err(e.to_string());
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    push_mathml(&mut mathml, events.into_iter(), config).map_err(|e| e.to_string())?;
    Ok(markdown_safe(&mathml))
}

/// One line, with Markdown's special characters outside tags as character references, and a
/// space between attributes where pulldown-latex 0.8 leaves none (`stretchy="true"minsize=`,
/// which HTML parsers reject).
fn markdown_safe(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut in_quote = false;
    let mut after_value = false;
    for c in html.chars() {
        if in_tag && after_value && !c.is_whitespace() && c != '/' && c != '>' {
            out.push(' ');
        }
        after_value = false;
        match c {
            '"' if in_tag => {
                in_quote = !in_quote;
                after_value = !in_quote;
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ if in_quote => out.push(c),
            '<' => {
                in_tag = true;
                out.push(c);
            }
            '>' => {
                in_tag = false;
                out.push(c);
            }
            '*' | '_' | '\\' | '`' | '[' | ']' | '~' | '$' | '!' | '|' if !in_tag => {
                out.push_str(&format!("&#{};", c as u32));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_tutorials_formulas() {
        for latex in [
            r"\mathbf{x}_i \in \mathbb{R}^{785}",
            r"\frac{1}{N}\sum_{i=1}^N \ell_i",
            r"\underset{\theta}{\mathrm{argmin}}\ \|\theta\|_2^2",
            r"\widetilde{f}(\theta) \text{ with decay}",
        ] {
            let html = render(latex, false).unwrap();
            assert!(html.starts_with("<math"), "{html}");
            assert!(!html.contains('\n'));
        }
    }

    #[test]
    fn display_maths_is_a_block() {
        assert!(render("x", true).unwrap().contains("display=\"block\""));
    }

    #[test]
    fn a_bad_formula_is_an_error() {
        assert!(render(r"\frac{1}{", false).is_err());
        assert!(render(r"\nosuchcommand", false).is_err());
    }

    #[test]
    fn markdown_specials_between_tags_are_escaped() {
        assert_eq!(
            markdown_safe("<mo a=\"*\">*_</mo>\n"),
            "<mo a=\"*\">&#42;&#95;</mo> "
        );
    }

    #[test]
    fn attributes_get_the_space_pulldown_latex_forgets() {
        assert_eq!(
            markdown_safe("<mo a=\"1\"b=\"2\" c=\"3\"/>["),
            "<mo a=\"1\" b=\"2\" c=\"3\"/>&#91;"
        );
        let big = render(r"\big[ x \big]", false).unwrap();
        assert!(!big.contains("\"minsize"), "{big}");
    }
}
