//! Settings that reach the programs: extra `[preprocessor.descent.dependencies]` (a relative
//! path resolved from the book root), the device, and the working folder (the book root).

use crate::support::{Library, TestBook};

#[test]
fn cells_use_declared_dependencies_and_see_the_device_setting() {
    let chapter = "# S\n\n```rust,run\nprintln!(\"{} {}\", extra::word(), std::env::var(\"DESCENT_DEVICE\")?);\n\
                   println!(\"{}\", std::path::Path::new(\"book.toml\").is_file());\n```\n";
    let book = TestBook::new(
        Library::Mini,
        &[("s.md", chapter)],
        "device = \"cpu\"\n[preprocessor.descent.dependencies]\nextra = { path = \"extra\" }\n",
    );
    book.write(
        "extra/Cargo.toml",
        "[package]\nname = \"extra\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    book.write(
        "extra/src/lib.rs",
        "//! Extra.\npub fn word() -> &'static str {\n    \"extra\"\n}\n",
    );
    book.build_ok();
    // DESCENT_DEVICE in the environment wins over book.toml.
    let device = std::env::var("DESCENT_DEVICE")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "cpu".to_owned());
    let page = book.page("s.md");
    assert!(
        page.contains(&format!("<code>extra {device}\ntrue</code>")),
        "{page}"
    );
    assert_eq!(book.results()["device_setting"], device.as_str());
}
