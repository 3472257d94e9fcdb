//! Maths: `$...$` and `$$...$$` become MathML at build time; code spans, code blocks, cell
//! output and `\$` keep their dollars; a bad formula names the author's line.

use crate::support::{Library, TestBook};

const CHAPTER: &str = "# M\n\nInline $x^2 + y_1$ and a price of \\$5.\n\n$$\\frac{1}{N}\\sum_{i=1}^N \\ell_i$$\n\n\
Code `$a$` stays.\n\n```text\n$b$ stays too\n```\n";

#[test]
fn maths_is_rendered_and_code_is_left_alone() {
    let book = TestBook::new(Library::Mini, &[("m.md", CHAPTER)], "");
    book.build_ok();
    let page = book.page("m.md");
    assert!(page.contains("<math display=\"inline\">"), "{page}");
    assert!(page.contains("<math display=\"block\">"), "{page}");
    assert!(page.contains("<msup><mi>x</mi>"), "{page}");
    assert!(page.contains("price of $5."), "{page}");
    assert!(page.contains("<code>$a$</code>"), "{page}");
    assert!(page.contains("$b$ stays too"), "{page}");
    assert!(!page.contains("x^2"), "{page}");
}

#[test]
fn dollars_in_cell_output_are_not_maths() {
    let chapter = "# C\n\n```rust,run\nprintln!(\"costs ${} or ${}\", 3, mini::answer());\n```\n";
    let book = TestBook::new(Library::Mini, &[("c.md", chapter)], "");
    book.build_ok();
    assert!(book.page("c.md").contains("costs $3 or $41"));
}

#[test]
fn a_bad_formula_is_an_error_at_the_authors_line() {
    // The include adds lines before the formula: the error must still name line 7 of m.md.
    let chapter = "# M\n\n{{#include three.txt}}\n\nfine $x$\n\nbroken $\\nosuchcommand{x}$ here\n";
    let book = TestBook::new(Library::Mini, &[("m.md", chapter)], "");
    book.write("book/three.txt", "one\ntwo\nthree\n");
    let err = book.build().expect_err("a bad formula fails the build");
    assert!(
        err.contains("book/m.md:7: cannot render the formula"),
        "{err}"
    );
}
