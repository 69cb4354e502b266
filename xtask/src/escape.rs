//! Refusing student code that reaches outside its own `src/` at compile time.
//!
//! A crate can pull any file the compiler can read into itself: `include!`, `include_str!`,
//! `include_bytes!`, `#[path = "..."]` on a module, `#[debugger_visualizer]`, and `.incbin`
//! in inline assembly. In a grading scratch workspace the reference solution and the hidden
//! tests are such files. Two layers stop it:
//!
//! 1. [`scan_dir`], before anything compiles, tokenises every `.rs` file of `src/` (comments
//!    and literals are skipped, raw identifiers unwrapped) and refuses any use of those names,
//!    in any spelling (`std::include_str !`, `r#include`, a `use ... as`, a name handed to a
//!    macro), any `path` attribute (also inside `cfg_attr`), and attributes whose name a macro
//!    supplies. It also refuses public items named like the standard prelude (`Vec`, `Ok`,
//!    `assert_eq`, ...): the course's tests `use labNN::*`, and a glob import shadows the
//!    prelude, so such an item would change what a test means.
//! 2. After compiling, `scratch::TestBuild::outside_reads` reads rustc's own dependency file of
//!    every student unit and refuses the lab if the compiler read any source file outside
//!    `src/`, whatever spelling got it there.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Error;

/// One place where student code reaches outside `src/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escape {
    /// The file, relative to `src/`'s parent (`src/lib.rs`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong there.
    pub what: String,
}

impl fmt::Display for Escape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.what)
    }
}

/// Names that read a file at compile time.
const FILE_MACROS: &[&str] = &[
    "include",
    "include_str",
    "include_bytes",
    "debugger_visualizer",
    "asm",
    "global_asm",
    "naked_asm",
];

/// Value-namespace names of the prelude: a public `fn`, `const` or `static` (or a unit or
/// tuple struct) named so would shadow them in the course's tests.
const PRELUDE_VALUES: &[&str] = &["drop", "Some", "None", "Ok", "Err"];

/// Type-namespace names of the prelude, and std's own crates.
const PRELUDE_TYPES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "Option",
    "Result",
    "Vec",
    "String",
    "Box",
    "ToString",
    "ToOwned",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "FromIterator",
    "Default",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
];

/// Macros of the prelude (derives included).
const PRELUDE_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "panic",
    "println",
    "eprintln",
    "print",
    "eprint",
    "format",
    "vec",
    "matches",
    "todo",
    "unimplemented",
    "unreachable",
    "dbg",
    "write",
    "writeln",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Eq",
    "Hash",
    "Ord",
    "PartialEq",
    "PartialOrd",
];

/// The prelude names a public item introduced by `keyword` would shadow.
fn shadowable(keyword: &str, name: &str) -> bool {
    let value = PRELUDE_VALUES.contains(&name);
    let ty = PRELUDE_TYPES.contains(&name);
    match keyword {
        "fn" | "const" | "static" => value,
        "struct" | "enum" | "union" => value || ty,
        _ => ty,
    }
}

/// Item keywords after which a public item's name follows.
const ITEM_KEYWORDS: &[&str] = &[
    "fn", "struct", "enum", "union", "trait", "type", "const", "static", "mod",
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    Literal,
}

/// Tokens of Rust source with their lines: identifiers (raw ones unwrapped), punctuation,
/// and literals (whose contents are skipped).
fn tokenize(src: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let n = chars.len();
    let bump_lines = |from: usize, to: usize, line: &mut usize| {
        *line += chars[from..to.min(n)]
            .iter()
            .filter(|&&c| c == '\n')
            .count();
    };
    while i < n {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < n && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            // Block comments nest.
            let start = i;
            let mut depth = 0;
            while i < n {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            bump_lines(start, i, &mut line);
        } else if let Some(end) = raw_string_end(&chars, i) {
            out.push((Tok::Literal, line));
            bump_lines(i, end, &mut line);
            i = end;
        } else if c == '"' || ((c == 'b' || c == 'c') && chars.get(i + 1) == Some(&'"')) {
            let start = i;
            i += if c == '"' { 1 } else { 2 };
            while i < n && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push((Tok::Literal, line));
            bump_lines(start, i, &mut line);
        } else if c == '\'' || (c == 'b' && chars.get(i + 1) == Some(&'\'')) {
            // A char literal ('a', '\n', '\u{..}', b'x'), or a lifetime ('a).
            let q = if c == 'b' { i + 1 } else { i };
            let close = if chars.get(q + 1) == Some(&'\\') {
                (q + 2..n).find(|&j| chars[j] == '\'')
            } else if chars.get(q + 2) == Some(&'\'') {
                Some(q + 2)
            } else {
                None
            };
            match close {
                Some(j) => {
                    out.push((Tok::Literal, line));
                    i = j + 1;
                }
                None => {
                    // A lifetime: skip the quote, the name is an identifier.
                    i = q + 1;
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < n && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            if word == "r" && chars.get(i) == Some(&'#') {
                // A raw identifier: r#name is name.
                let s = i + 1;
                let mut e = s;
                while e < n && (chars[e].is_alphanumeric() || chars[e] == '_') {
                    e += 1;
                }
                word = chars[s..e].iter().collect();
                i = e;
            }
            out.push((Tok::Ident(word), line));
        } else if c.is_ascii_digit() {
            while i < n && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                if chars[i] == '.' && chars.get(i + 1).is_some_and(|d| !d.is_ascii_digit()) {
                    break;
                }
                i += 1;
            }
            out.push((Tok::Literal, line));
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// The end of a raw string literal (`r"..."`, `r#"..."#`, `br##"..."##`, `cr"..."`)
/// starting at `i`, if one starts there.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(chars.get(j), Some('b') | Some('c')) {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(chars.len())
}

/// The escapes in one file's source.
pub fn scan_source(file: &str, src: &str) -> Vec<Escape> {
    let toks = tokenize(src);
    let mut found = Vec::new();
    let mut push = |line: usize, what: String| {
        found.push(Escape {
            file: file.to_string(),
            line,
            what,
        })
    };
    let ident = |k: usize| match toks.get(k) {
        Some((Tok::Ident(s), _)) => Some(s.as_str()),
        _ => None,
    };
    let punct = |k: usize, c: char| matches!(toks.get(k), Some((Tok::Punct(p), _)) if *p == c);
    let mut k = 0;
    while k < toks.len() {
        let line = toks[k].1;
        if let Some(name) = ident(k)
            && FILE_MACROS.contains(&name)
        {
            push(
                line,
                format!(
                    "`{name}` can read files at compile time; the grader compiles only src/, so the name is not allowed (rename a variable that merely has this name)"
                ),
            );
        }
        // Attributes: `#[...]` and `#![...]`.
        if punct(k, '#') {
            let open = if punct(k + 1, '!') { k + 2 } else { k + 1 };
            if punct(open, '[') {
                if punct(open + 1, '$') {
                    push(
                        line,
                        "an attribute whose name a macro supplies (`#[$name ...]`) is not allowed"
                            .into(),
                    );
                }
                let mut depth = 0;
                let mut j = open;
                while j < toks.len() {
                    match &toks[j].0 {
                        Tok::Punct('[') | Tok::Punct('(') | Tok::Punct('{') => depth += 1,
                        Tok::Punct(']') | Tok::Punct(')') | Tok::Punct('}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Tok::Ident(s) if s == "path" && punct(j + 1, '=') => push(
                            toks[j].1,
                            "`#[path = ...]` loads a module from anywhere; keep every module in src/ under its default name".into(),
                        ),
                        _ => {}
                    }
                    j += 1;
                }
            }
        }
        // Public items named like the prelude.
        if ident(k) == Some("pub") {
            let mut j = k + 1;
            if punct(j, '(') {
                while j < toks.len() && !punct(j, ')') {
                    j += 1;
                }
                j += 1;
            }
            while matches!(ident(j), Some("unsafe" | "async" | "extern" | "mut")) {
                j += 1;
            }
            if matches!(toks.get(j), Some((Tok::Literal, _))) {
                j += 1; // extern "C"
            }
            if let Some(kw) = ident(j)
                && ITEM_KEYWORDS.contains(&kw)
                && let Some(name) = ident(j + 1)
                && shadowable(kw, name)
            {
                push(
                    toks[j + 1].1,
                    format!(
                        "a public item named `{name}` would shadow the prelude in the course's tests (they `use` your crate with `*`)"
                    ),
                );
            }
            if ident(j) == Some("use") {
                let mut m = j + 1;
                while m < toks.len() && !punct(m, ';') {
                    if let Some(name) = ident(m)
                        && (PRELUDE_VALUES.contains(&name) || PRELUDE_TYPES.contains(&name))
                        && (punct(m + 1, ';') || punct(m + 1, ',') || punct(m + 1, '}'))
                    {
                        push(
                            toks[m].1,
                            format!(
                                "re-exporting a name `{name}` would shadow the prelude in the course's tests (they `use` your crate with `*`)"
                            ),
                        );
                    }
                    m += 1;
                }
            }
        }
        // `#[macro_export] macro_rules! assert_eq` and the like.
        if ident(k) == Some("macro_rules")
            && punct(k + 1, '!')
            && let Some(name) = ident(k + 2)
            && PRELUDE_MACROS.contains(&name)
        {
            push(
                line,
                format!(
                    "a macro named `{name}` would shadow the standard one in the course's tests"
                ),
            );
        }
        k += 1;
    }
    found
}

/// Scans every `.rs` file under `src` (recursively); names are reported as `src/...`.
pub fn scan_dir(src: &Path) -> Result<Vec<Escape>, Error> {
    let mut found = Vec::new();
    for rel in crate::util::files_under(src)? {
        let path = src.join(&rel);
        // Regular `.rs` files only: the grader copies no link into a scratch workspace.
        let regular = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if !regular || rel.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let name = format!("src/{}", rel.display());
        let text = crate::util::read(&path)?;
        found.extend(scan_source(&name, &String::from_utf8_lossy(&text)));
    }
    Ok(found)
}

/// The files a rustc dependency file (`.d`) lists, resolved against `base`.
pub fn dep_info_files(text: &str, base: &Path) -> Vec<PathBuf> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_suffix(':'))
        .map(|p| p.replace("\\ ", " "))
        .map(|p| base.join(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str) -> Vec<usize> {
        scan_source("src/lib.rs", src)
            .iter()
            .map(|e| e.line)
            .collect()
    }

    #[test]
    fn every_spelling_of_the_file_macros_is_found() {
        for src in [
            "const S: &str = include_str!(\"/course/solutions/lab01/src/lib.rs\");",
            "const S: &str = std::include_str ! (\"x\");",
            "const S: &[u8] = ::core::include_bytes!(\"x\");",
            "include!(\"../../x.rs\");",
            "use std::include_str as grab;",
            "const S: &str = r#include_str!(\"x\");",
            "macro_rules! m { ($i:ident) => { $i!(\"x\") } } const S: &str = m!(include_str);",
            "#[doc = include_str!(\"x\")] pub fn f() {}",
            "core::arch::global_asm!(\".incbin \\\"/x\\\"\");",
            "#![debugger_visualizer(natvis_file = \"x\")]",
        ] {
            assert_eq!(lines(src).len(), 1, "not caught: {src}");
        }
    }

    #[test]
    fn path_attributes_in_any_form_are_found() {
        assert_eq!(lines("#[path = \"/x.rs\"]\nmod m;"), [1]);
        assert_eq!(lines("\n# [ path=\"/x.rs\" ] mod m;"), [2]);
        assert_eq!(lines("#[cfg_attr(all(), path = \"/x.rs\")]\nmod m;"), [1]);
        assert_eq!(
            lines("macro_rules! m { ($a:ident) => { #[$a = \"/x\"] mod q; } }"),
            [1]
        );
    }

    #[test]
    fn ordinary_code_comments_and_strings_pass() {
        let src = r##"
//! Reads `include_str!` files? No: this is a comment.
/* include!("x") in a /* nested */ block comment */
use std::path::Path;
pub fn load(path: &Path) -> std::io::Result<String> {
    let note = "include_bytes!(\"x\") is only text";
    let raw = r#"#[path = "x"]"#;
    let c = '"';
    let _ = (note, raw, c, b'\'', 'x', '\\');
    std::fs::read_to_string(path)
}
pub fn longest<'a>(a: &'a str, _b: &'a str) -> &'a str { a }
pub struct Pool { pub path: String }
pub use finance::Vec3;
"##;
        assert_eq!(scan_source("src/lib.rs", src), vec![]);
    }

    #[test]
    fn public_items_shadowing_the_prelude_are_found() {
        assert_eq!(lines("pub struct Vec<T>(T);"), [1]);
        assert_eq!(lines("pub(crate) fn drop<T>(_: T) {}"), [1]);
        assert_eq!(lines("pub use self::fake::Ok;"), [1]);
        assert_eq!(lines("pub use inner::{a, Some};"), [1]);
        assert_eq!(
            lines("#[macro_export]\nmacro_rules! assert_eq { ($($t:tt)*) => {} }"),
            [2]
        );
        assert_eq!(lines("pub struct Ok;"), [1]);
        assert_eq!(lines("pub trait Iterator {}"), [1]);
        // Other namespaces shadow nothing: a function named like a macro, a type like a fn.
        assert!(
            lines("pub fn vecs() {} pub struct Options; pub fn write() {} pub struct Drop2;")
                .is_empty()
        );
        assert!(lines("pub fn format(x: f64) -> String { x.to_string() }").is_empty());
    }

    #[test]
    fn line_numbers_count_multi_line_literals_and_comments() {
        let src = "/*\n\n*/\nconst A: &str = \"a\nb\";\ninclude!(\"x\");";
        assert_eq!(lines(src), [6]);
    }

    #[test]
    fn the_course_own_stubs_and_solutions_pass() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        for folder in ["labs", "solutions"] {
            for lab in fs::read_dir(root.join(folder)).unwrap().flatten() {
                let src = lab.path().join("src");
                if src.is_dir() {
                    assert_eq!(scan_dir(&src).unwrap(), vec![], "{}", src.display());
                }
            }
        }
    }

    #[test]
    fn dep_info_lists_every_source_file() {
        let d = "/t/deps/lab01-1.d: src/lib.rs src/a\\ b.rs\n\nsrc/lib.rs:\nsrc/a\\ b.rs:\n# env-dep:X=1\n";
        assert_eq!(
            dep_info_files(d, Path::new("/ws")),
            [
                PathBuf::from("/ws/src/lib.rs"),
                PathBuf::from("/ws/src/a b.rs")
            ]
        );
    }
}
