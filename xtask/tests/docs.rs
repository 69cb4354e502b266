//! The course's documents name only things that exist.
//!
//! A handout that names an example by its old name, or a file that has moved, is wrong from
//! that day on, and nothing else notices. These tests read, without compiling anything (they
//! run in well under a second):
//!
//! - every Markdown file git tracks, as its readers get it: the documents that ship in the
//!   student release are read in a release written here by the built grader (`xtask dist`,
//!   into a temporary folder), where the solutions workspace and the instructor documents
//!   do not exist; the others (the instructors' README, `docs/GRADING.md`, ...) in this
//!   checkout;
//! - the comments of every tracked `.rs` and `.toml` file, for commands only.
//!
//! They fail, naming the file and the line, when
//!
//! - `cargo ... -p NAME` names no package of the workspaces (the members of the root
//!   `Cargo.toml`, and of `solutions/Cargo.toml` where the tree has one);
//! - `--example NAME`, `--bin NAME`, `--test NAME` or `--bench NAME` names a target the
//!   package does not have (auto-discovered or declared in its manifest); after
//!   `cd solutions &&` (or `--manifest-path solutions/...`) the package is the solutions
//!   workspace's, otherwise the root's;
//! - `cargo xtask SUBCOMMAND` names a subcommand, or an option, that the built grader's
//!   `--help` does not list;
//! - a backticked relative path that looks like a course file (it has a `/` or ends in
//!   `.rs`, `.toml`, `.md`, `.csv`, `.sh`) exists neither from the document's folder, nor
//!   from its lab's folder (for a document outside the labs, which speaks of labs in
//!   general: from any package's folder), nor from the root; a bare file name may also sit
//!   in a folder the document names elsewhere ("`tests/amdahl.rs`, `cores.rs`");
//! - a relative link leads to no file, or to an anchor its target has no heading for;
//! - `docs/FINANCE_API.md` disagrees with the finance crate (see [`finance_api`]).
//!
//! Placeholders (`labNN`, `<lab>`, `{json,txt}`, `*`, `...`, `$X`, upper-case words such as
//! `OUT`), paths under `target/`, absolute paths and URLs are not checked, nor are names
//! the root `.gitignore` anchors (`submissions/`, `grading-out/`: made in a checkout, never
//! shipped) and slashed names with no extension whose first folder does not exist either
//! (`text/csv`, a benchmark id `startup/start_run_drop/2`). [`ALLOWED`] lists the few file
//! names that are right although no such file is in the course, each with its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Backticked file names that are right although no such file is in the course: files that
/// a program of the course writes. Each comes with the reason and the tracked file that
/// writes it, which must still hold the name in quotes (so an entry cannot outlive its reason).
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "setup.sh",
        "a script inside the Gradescope zip, written by `cargo xtask gradescope-bundle`",
        "xtask/src/bundle.rs",
    ),
    (
        "build_course.sh",
        "a script inside the Gradescope zip, written by `cargo xtask gradescope-bundle`",
        "xtask/src/bundle.rs",
    ),
    (
        "report.md",
        "an output of lab 05's `risk-engine`, written by its `report::write`",
        "labs/lab05-capstone/src/report.rs",
    ),
];

// ---------------------------------------------------------------------------------------
// The tests.

/// Every Markdown document, where its readers read it.
#[test]
fn documents_name_only_what_exists() {
    let checkout = checkout();
    let tmp = tempfile::tempdir().unwrap();
    let release = &release(tmp.path());
    let mut findings = Vec::new();
    // What ships is read in the release; a checkout document whose text ships (under its
    // own name or another: docs/STUDENT_README.md is the release's README.md) is read there.
    let shipped: BTreeMap<String, String> = markdown_files(&release.root)
        .into_iter()
        .map(|rel| {
            let text = read(&release.root.join(&rel));
            (rel, text)
        })
        .collect();
    let shipped_texts: BTreeSet<&str> = shipped.values().map(String::as_str).collect();
    let tracked = tracked_files(&checkout.root);
    let mut read_in_checkout = 0;
    for rel in tracked.iter().filter(|p| p.ends_with(".md")) {
        let text = read(&checkout.root.join(rel));
        if !shipped_texts.contains(text.as_str()) {
            check_markdown(checkout, rel, rel, &text, &mut findings);
            read_in_checkout += 1;
        }
    }
    for (rel, text) in &shipped {
        let name = match tracked
            .iter()
            .find(|t| t.ends_with(".md") && read(&checkout.root.join(t)) == *text)
        {
            Some(t) if t != rel => format!("{t} (shipped as {rel})"),
            _ => rel.clone(),
        };
        check_markdown(release, rel, &name, text, &mut findings);
    }
    // In a student release (no solutions/) every document ships, so none is read here.
    let instructors = checkout.solutions().is_some();
    assert!(
        shipped.len() >= 5 && (read_in_checkout >= 2 || !instructors),
        "found {} shipped and {read_in_checkout} instructor documents: is this the course?",
        shipped.len()
    );
    report(findings);
}

/// Commands in the comments of the course's code and manifests.
#[test]
fn code_comments_name_only_existing_commands() {
    let checkout = checkout();
    let mut findings = Vec::new();
    let mut files = 0;
    for rel in tracked_files(&checkout.root) {
        let marker = if rel.ends_with(".rs") {
            "//"
        } else if rel.ends_with(".toml") {
            "#"
        } else {
            continue;
        };
        files += 1;
        let text = read(&checkout.root.join(&rel));
        for block in comment_blocks(&text, marker) {
            let md = parse_markdown(&block);
            for piece in md.spans.iter().chain(&md.code_lines) {
                check_commands(checkout, &rel, piece, &mut findings);
            }
        }
    }
    assert!(files > 50, "only {files} code files: is this the course?");
    report(findings);
}

/// `docs/FINANCE_API.md`, which ships to students, agrees with the finance crate:
///
/// - its table has one row per `pub mod` of the crate's `lib.rs`, and no other;
/// - each row's last column lists exactly the labs whose code uses the module (a lab's
///   files under `labs/`, and its reference solution's `src/`; in the student release,
///   which has no solutions, at least the labs' own);
/// - every backticked `module::item` (or `module::Type::member`) on the page is public in
///   the module's source;
/// - every number written like `1e-15` in a row is in the doc comment of the item the row
///   names last before it (or in the module's documentation), so that an accuracy the page
///   promises is one the code documents.
#[test]
fn finance_api() {
    let checkout = checkout();
    let finance = checkout.workspaces[0]
        .packages
        .get("finance")
        .expect("the root workspace has a package `finance`");
    let page_rel = "docs/FINANCE_API.md";
    let page = read(&checkout.root.join(page_rel));
    let modules = pub_mods(&read(&finance.dir.join("src/lib.rs")));
    assert!(modules.len() >= 5, "finance declares {modules:?}");
    let source = |m: &str| -> String {
        let dir = finance.dir.join("src");
        fs::read_to_string(dir.join(format!("{m}.rs")))
            .or_else(|_| fs::read_to_string(dir.join(m).join("mod.rs")))
            .unwrap_or_default()
    };
    let usage = finance_usage(checkout, &modules);
    let mut findings = Vec::new();
    let mut rows = BTreeMap::new();
    for (i, line) in page.lines().enumerate() {
        let at = |msg: String| format!("{page_rel}:{}: {msg}", i + 1);
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        if !line.trim_start().starts_with('|') || cells.len() < 2 {
            continue;
        }
        let first = parse_markdown_str(cells[0]);
        let Some(module) = first
            .spans
            .first()
            .map(|s| s.text.clone())
            .filter(|m| is_ident(m))
        else {
            continue;
        };
        if rows.insert(module.clone(), i + 1).is_some() {
            findings.push(at(format!("module `{module}` has a second row")));
        }
        if !modules.contains(&module) {
            findings.push(at(format!(
                "the finance crate has no module `{module}` (it has: {})",
                join(&modules)
            )));
            continue;
        }
        let listed: BTreeSet<String> = words(cells[cells.len() - 1])
            .filter(|w| w.starts_with("lab"))
            .collect();
        let used = usage.get(&module).cloned().unwrap_or_default();
        // Without the solutions (the student release) only the labs' own use is known.
        let agrees = if checkout.solutions().is_some() {
            listed == used
        } else {
            used.is_subset(&listed)
        };
        if !agrees {
            findings.push(at(format!(
                "module `{module}`: the row lists the labs [{}], but the labs whose code uses it are [{}]",
                join(&listed),
                join(&used)
            )));
        }
        // A number is a promise of the item named last before it (or of the module): its
        // documentation must make it.
        let spans = line_spans(line);
        for (offset, number) in words_at(line).filter(|(_, w)| is_scientific(w)) {
            let item = spans
                .iter()
                .rev()
                .filter(|(start, _)| *start < offset)
                .filter_map(|(_, t)| t.split_once("::").filter(|(m, _)| *m == module))
                .map(|(_, item)| item)
                .next();
            let src = source(&module);
            let (doc, whose) = match item {
                Some(item) => (item_doc(&src, item), format!("`{module}::{item}`")),
                None => (module_doc(&src), format!("module `{module}`")),
            };
            if !doc.contains(number) {
                findings.push(at(format!(
                    "{number}: the documentation of {whose} does not say it (is it a promise the code makes?)"
                )));
            }
        }
    }
    for m in &modules {
        if !rows.contains_key(m) {
            findings.push(format!(
                "{page_rel}: the table has no row for module `{m}` of the finance crate"
            ));
        }
    }
    let md = parse_markdown_str(&page);
    for span in &md.spans {
        let path = span.text.strip_prefix("finance::").unwrap_or(&span.text);
        let parts: Vec<&str> = path.split("::").collect();
        if parts.len() < 2 || !parts.iter().all(|p| is_ident(p)) || !modules.contains(parts[0]) {
            continue;
        }
        let src = source(parts[0]);
        let items = pub_items(&src);
        let at = format!("{page_rel}:{}: `{}`", span.line, span.text);
        if !items.contains(parts[1]) {
            findings.push(format!(
                "{at}: module `{}` has no public item `{}`",
                parts[0], parts[1]
            ));
        } else if parts.len() == 3 && !has_member(&src, parts[2]) {
            findings.push(format!(
                "{at}: `{}` has no public method, field or variant `{}` in {}/src/{}.rs",
                parts[1],
                parts[2],
                rel_display(&checkout.root, &finance.dir),
                parts[0]
            ));
        }
    }
    report(findings);
}

/// Every entry of [`ALLOWED`] is still needed (a document names it; in the instructors'
/// checkout, which has them all) and still true (its evidence file writes the name).
#[test]
fn every_allowed_name_is_named_and_written() {
    let root = root();
    let docs: Vec<String> = tracked_files(&root)
        .iter()
        .filter(|p| p.ends_with(".md"))
        .map(|p| read(&root.join(p)))
        .collect();
    let instructors = checkout().solutions().is_some();
    for (name, why, evidence) in ALLOWED {
        assert!(
            !instructors || docs.iter().any(|d| d.contains(&format!("`{name}`"))),
            "ALLOWED names `{name}` ({why}), but no document does any more: remove the entry"
        );
        assert!(
            read(&root.join(evidence)).contains(&format!("\"{name}\"")),
            "ALLOWED names `{name}` because {why}, but {evidence} no longer writes \"{name}\""
        );
    }
}

/// The checker finds what it is meant to find, in a small course of its own (so that it
/// runs the same in the student release): a document naming a missing package, target,
/// grader subcommand or option, file, link or anchor gives one finding each, and the same
/// document with the names corrected gives none.
#[test]
fn the_checker_catches_broken_documents() {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"labs/lab90-toy\"]\nexclude = [\"solutions\"]\n",
        ),
        (
            "labs/lab90-toy/Cargo.toml",
            "[package]\nname = \"lab90\"\n\n[[bin]]\nname = \"lab90-worker\"\npath = \"src/worker.rs\"\n",
        ),
        ("labs/lab90-toy/src/lib.rs", ""),
        ("labs/lab90-toy/src/worker.rs", ""),
        ("labs/lab90-toy/tests/toy.rs", ""),
        ("labs/lab90-toy/examples/demo.rs", ""),
        ("docs/GUIDE.md", "# Guide\n\n## Threat model\n"),
        (
            "solutions/Cargo.toml",
            "[workspace]\nmembers = [\"lab90\"]\n",
        ),
        (
            "solutions/lab90/Cargo.toml",
            "[package]\nname = \"lab90\"\nautoexamples = false\n\n[[example]]\nname = \"lab90-timing\"\npath = \"grading/timing.rs\"\n",
        ),
    ] {
        let p = tmp.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    let course = Tree::load(tmp.path().to_path_buf());
    let broken = "\
# A handout

```sh
cargo test -p lab99
cargo run --release -p lab90 --example timing
cd solutions && cargo run --release -p lab90 --example demo
cargo xtask grade --no-such-option lab90
```

Run `cargo xtask regrade`, read `src/no_such_file.rs` and [the guide](../docs/GUIDE.md),
then [the threat model](../../docs/GUIDE.md#no-such-heading), `cargo test --test toys`.
";
    let fixed = "\
# A handout

```sh
cargo test -p lab90
cargo run --release -p lab90 --example demo --bin lab90-worker
cd solutions && cargo run --release -p lab90 --example lab90-timing
cargo xtask grade --no-timing lab90
```

Run `cargo xtask check`, read `src/worker.rs`, `tests/toy.rs` and `demo.rs` (in
`examples/`), [the guide](../../docs/GUIDE.md), then [the threat
model](../../docs/GUIDE.md#threat-model), `cargo test --test toy`.
";
    let rel = "labs/lab90-toy/README.md";
    let mut findings = Vec::new();
    check_markdown(&course, rel, rel, broken, &mut findings);
    assert_eq!(findings.len(), 9, "{findings:#?}");
    for (needle, line) in [
        ("lab99", 4),
        ("example `timing`", 5),
        ("example `demo`", 6),
        ("--no-such-option", 7),
        ("regrade", 10),
        ("no_such_file.rs", 10),
        ("GUIDE.md", 10),
        ("no-such-heading", 11),
        ("target `toys`", 11),
    ] {
        assert!(
            findings
                .iter()
                .any(|f| f.contains(needle) && f.starts_with(&format!("{rel}:{line}:"))),
            "no finding on line {line} naming {needle}: {findings:#?}"
        );
    }
    let mut none = Vec::new();
    check_markdown(&course, rel, rel, fixed, &mut none);
    assert!(none.is_empty(), "{none:#?}");
}

fn report(findings: Vec<String>) {
    assert!(
        findings.is_empty(),
        "{} finding(s): a document names what the course does not have:\n{}",
        findings.len(),
        findings.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The trees: this checkout, and the student release.

/// A folder of the course as someone reads it: its root, its workspaces (the root's first;
/// the solutions' where it has one) and the grader's commands.
struct Tree {
    root: PathBuf,
    workspaces: Vec<Workspace>,
}

struct Workspace {
    label: &'static str,
    packages: BTreeMap<String, Package>,
}

struct Package {
    dir: PathBuf,
    targets: BTreeSet<(Kind, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Bin,
    Example,
    Test,
    Bench,
}

impl Kind {
    fn flag(self) -> &'static str {
        match self {
            Kind::Bin => "bin",
            Kind::Example => "example",
            Kind::Test => "test",
            Kind::Bench => "bench",
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn checkout() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| Tree::load(root()))
}

/// The student release, written into `dir` by the built grader as an instructor writes it.
fn release(dir: &Path) -> Tree {
    let out = dir.join("release");
    let run = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--course")
        .arg(root())
        .arg("dist")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "xtask dist failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    Tree::load(out)
}

impl Tree {
    fn load(root: PathBuf) -> Tree {
        let mut workspaces = vec![Workspace::load(&root, "root", "root workspace")];
        if root.join("solutions/Cargo.toml").is_file() {
            workspaces.push(Workspace::load(&root, "solutions", "solutions workspace"));
        }
        Tree { root, workspaces }
    }

    fn solutions(&self) -> Option<&Workspace> {
        self.workspaces
            .iter()
            .find(|w| w.label == "solutions workspace")
    }
}

impl Workspace {
    fn load(root: &Path, dir: &str, label: &'static str) -> Workspace {
        let dir = if dir == "root" {
            root.to_path_buf()
        } else {
            root.join(dir)
        };
        let manifest = manifest(&dir.join("Cargo.toml"));
        let members = manifest
            .get("workspace")
            .and_then(|w| w.get("members"))
            .and_then(|m| m.as_array())
            .unwrap_or_else(|| panic!("{} has no workspace members", dir.display()));
        let mut packages = BTreeMap::new();
        for member in members.iter().filter_map(|m| m.as_str()) {
            let dirs = match member.strip_suffix("/*") {
                Some(parent) => {
                    let mut dirs: Vec<PathBuf> = fs::read_dir(dir.join(parent))
                        .unwrap()
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.join("Cargo.toml").is_file())
                        .collect();
                    dirs.sort();
                    dirs
                }
                None => {
                    assert!(
                        !member.contains('*'),
                        "member pattern {member} not understood"
                    );
                    vec![dir.join(member)]
                }
            };
            for d in dirs {
                let (name, package) = Package::load(&d);
                packages.insert(name, package);
            }
        }
        Workspace { label, packages }
    }
}

impl Package {
    fn load(dir: &Path) -> (String, Package) {
        let m = manifest(&dir.join("Cargo.toml"));
        let pkg = m.get("package").and_then(|p| p.as_table()).unwrap();
        let name = pkg["name"].as_str().unwrap().to_string();
        let mut targets = BTreeSet::new();
        let mut claimed = BTreeSet::new();
        for (kind, key, auto_key, folder) in [
            (Kind::Bin, "bin", "autobins", "src/bin"),
            (Kind::Example, "example", "autoexamples", "examples"),
            (Kind::Test, "test", "autotests", "tests"),
            (Kind::Bench, "bench", "autobenches", "benches"),
        ] {
            for entry in m.get(key).and_then(|t| t.as_array()).into_iter().flatten() {
                let target = entry["name"].as_str().unwrap().to_string();
                if let Some(path) = entry.get("path").and_then(|p| p.as_str()) {
                    claimed.insert(normalise(&dir.join(path)));
                }
                targets.insert((kind, target));
            }
            if !pkg.get(auto_key).and_then(|a| a.as_bool()).unwrap_or(true) {
                continue;
            }
            let mut found = Vec::new();
            if kind == Kind::Bin && dir.join("src/main.rs").is_file() {
                found.push((name.clone(), dir.join("src/main.rs")));
            }
            for e in fs::read_dir(dir.join(folder))
                .into_iter()
                .flatten()
                .flatten()
            {
                let p = e.path();
                let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
                if p.extension().is_some_and(|x| x == "rs") && p.is_file() {
                    found.push((stem, p));
                } else if p.join("main.rs").is_file() {
                    found.push((stem, p.join("main.rs")));
                }
            }
            for (target, path) in found {
                if !claimed.contains(&normalise(&path)) {
                    targets.insert((kind, target));
                }
            }
        }
        (
            name,
            Package {
                dir: dir.to_path_buf(),
                targets,
            },
        )
    }

    fn names(&self, kind: Kind) -> Vec<&str> {
        self.targets
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n.as_str())
            .collect()
    }
}

fn manifest(path: &Path) -> toml::Table {
    toml::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `path` without `.` and `..` components (lexically).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The files git tracks under `root`, relative to it.
fn tracked_files(root: &Path) -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files", "--cached", "-z"])
        .current_dir(root)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git ls-files failed in {}",
        root.display()
    );
    out.stdout
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .filter(|p| root.join(p).is_file())
        .collect()
}

/// The Markdown files of a tree that is not a git checkout (the release), relative to it.
fn markdown_files(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() && e.file_name() != "target" {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(rel_display(root, &p));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn rel_display(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned()
}

// ---------------------------------------------------------------------------------------
// The grader's commands, from its own `--help`.

struct Grader {
    /// Options before the subcommand (`--course DIR`), with whether each takes a value.
    global: BTreeMap<String, bool>,
    /// Each subcommand's options.
    subcommands: BTreeMap<String, BTreeMap<String, bool>>,
}

fn grader() -> &'static Grader {
    static GRADER: OnceLock<Grader> = OnceLock::new();
    GRADER.get_or_init(|| {
        let help = |args: &[&str]| -> String {
            let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
                .args(args)
                .arg("-h")
                .output()
                .unwrap();
            assert!(out.status.success(), "xtask {args:?} -h failed");
            String::from_utf8(out.stdout).unwrap()
        };
        let top = help(&[]);
        let mut subcommands = BTreeMap::new();
        for sub in help_section(&top, "Commands:") {
            let name = sub.split_whitespace().next().unwrap().to_string();
            // `xtask help -h` is an error: `help` takes subcommand names only.
            let options = if name == "help" {
                BTreeMap::new()
            } else {
                options(&help(&[&name]))
            };
            subcommands.insert(name, options);
        }
        assert!(
            subcommands.len() >= 3,
            "no subcommands in xtask --help:\n{top}"
        );
        Grader {
            global: options(&top),
            subcommands,
        }
    })
}

/// The entries of a section of clap's help (`Commands:`, `Options:`), up to the next
/// title: its lines indented by 2 to 6 spaces (descriptions on lines of their own, or
/// wrapped, are indented further).
fn help_section<'a>(help: &'a str, title: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|l| l.trim() != title)
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .filter(|l| !l.trim().is_empty() && l.len() - l.trim_start().len() <= 6)
        .map(str::trim)
        .collect()
}

/// Options (`-h`, `--help`, `--out`) of a help text, and whether each takes a value.
fn options(help: &str) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for entry in help_section(help, "Options:") {
        let tokens: Vec<&str> = entry.split_whitespace().collect();
        let mut names = Vec::new();
        let mut valued = false;
        for t in tokens {
            if t.starts_with('-') {
                names.push(t.trim_end_matches(',').to_string());
            } else if t.starts_with('<') || t.starts_with('[') {
                valued = true;
            } else {
                break;
            }
        }
        for n in names {
            out.insert(n, valued);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Markdown, as far as these checks need it.

/// A piece of code: an inline code span, a line of a code block, or a line that is a
/// command by itself.
#[derive(Debug)]
struct Piece {
    line: usize,
    text: String,
}

#[derive(Default)]
struct Markdown {
    spans: Vec<Piece>,
    code_lines: Vec<Piece>,
    /// Link targets, with their lines.
    links: Vec<Piece>,
    /// GitHub's anchors of the headings.
    anchors: BTreeSet<String>,
}

fn parse_markdown_str(text: &str) -> Markdown {
    let lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect();
    parse_markdown(&lines)
}

/// Parses numbered lines (a document, or a block of comments with the comment markers
/// removed).
fn parse_markdown(lines: &[(usize, String)]) -> Markdown {
    let mut md = Markdown::default();
    let mut fence: Option<String> = None;
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    let mut slugs: BTreeMap<String, usize> = BTreeMap::new();
    for (n, line) in lines {
        let trimmed = line.trim_start();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            } else {
                md.code_lines.push(Piece {
                    line: *n,
                    text: line.clone(),
                });
            }
            continue;
        }
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        if marker.len() >= 3 {
            spans_and_links(&paragraph, &mut md);
            paragraph.clear();
            fence = Some(marker);
            continue;
        }
        if trimmed.is_empty() {
            spans_and_links(&paragraph, &mut md);
            paragraph.clear();
            continue;
        }
        if let Some(title) = trimmed.strip_prefix('#') {
            let title = title.trim_start_matches('#');
            if title.starts_with(' ') {
                let slug = slug(title.trim());
                let seen = slugs.entry(slug.clone()).or_insert(0);
                md.anchors.insert(if *seen == 0 {
                    slug
                } else {
                    format!("{slug}-{seen}")
                });
                *seen += 1;
            }
        }
        if looks_like_command(trimmed) {
            md.code_lines.push(Piece {
                line: *n,
                text: trimmed.to_string(),
            });
        }
        paragraph.push((*n, line));
    }
    spans_and_links(&paragraph, &mut md);
    md
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens.
fn slug(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Whether a line of prose is a shell command by itself: `cargo ...` or `cd X && ...`,
/// after environment assignments.
fn looks_like_command(line: &str) -> bool {
    let first = shell_words(line)
        .into_iter()
        .find(|w| !is_assignment(w))
        .unwrap_or_default();
    first == "cargo" || (first == "cd" && line.contains("&&"))
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    })
}

/// The code spans and link targets of one paragraph (spans may run over line breaks).
fn spans_and_links(paragraph: &[(usize, &str)], md: &mut Markdown) {
    let mut text = String::new();
    let mut line_of = Vec::new(); // line_of[byte] = line number
    for (n, l) in paragraph {
        text.push_str(l);
        text.push('\n');
        line_of.extend(std::iter::repeat_n(*n, l.len() + 1));
    }
    let bytes = text.as_bytes();
    let mut masked = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
        let start = i + run;
        let mut j = start;
        let mut close = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let r = bytes[j..].iter().take_while(|&&b| b == b'`').count();
                if r == run {
                    close = Some(j);
                    break;
                }
                j += r;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                md.spans.push(Piece {
                    line: line_of[i],
                    text: text[start..end].replace('\n', " ").trim().to_string(),
                });
                for b in &mut masked[i..end + run] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                i = end + run;
            }
            None => i = start,
        }
    }
    let masked = String::from_utf8_lossy(&masked).into_owned();
    let mut from = 0;
    while let Some(k) = masked[from..].find("](") {
        let start = from + k + 2;
        let Some(len) = masked[start..].find(')') else {
            break;
        };
        let target = masked[start..start + len].split_whitespace().next();
        if let Some(t) = target {
            md.links.push(Piece {
                line: line_of[start],
                text: t.trim_matches(['<', '>']).to_string(),
            });
        }
        from = start + len;
    }
    // Reference definitions: `[name]: target`.
    for (n, l) in paragraph {
        let l = l.trim_start();
        if l.starts_with('[')
            && let Some((_, target)) = l.split_once("]: ")
            && let Some(t) = target.split_whitespace().next()
        {
            md.links.push(Piece {
                line: *n,
                text: t.to_string(),
            });
        }
    }
}

/// Blocks of consecutive comment lines (`//`, `///`, `//!` in Rust, `#` in TOML), with the
/// markers removed, as numbered lines.
fn comment_blocks(text: &str, marker: &str) -> Vec<Vec<(usize, String)>> {
    let mut blocks = Vec::new();
    let mut block = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let body = if marker == "//" {
            t.strip_prefix("//")
                .map(|b| b.strip_prefix(['!', '/']).unwrap_or(b))
        } else {
            t.strip_prefix(marker)
        };
        match body {
            Some(b) => block.push((i + 1, b.strip_prefix(' ').unwrap_or(b).to_string())),
            None if !block.is_empty() => blocks.push(std::mem::take(&mut block)),
            None => {}
        }
    }
    if !block.is_empty() {
        blocks.push(block);
    }
    blocks
}

// ---------------------------------------------------------------------------------------
// The checks.

/// All checks of one Markdown document at `rel` in `tree`, reported under `name`.
fn check_markdown(tree: &Tree, rel: &str, name: &str, text: &str, findings: &mut Vec<String>) {
    let md = parse_markdown_str(text);
    for piece in md.spans.iter().chain(&md.code_lines) {
        check_commands(tree, name, piece, findings);
    }
    let doc_dir = Path::new(rel)
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    // Where a relative path may start: the document's folder, its lab's folder (for a
    // document outside the labs, which speaks of labs in general: every package's folder)
    // and the root.
    let mut bases = vec![doc_dir.clone()];
    match lab_dir(rel) {
        Some(lab) => bases.push(lab),
        None => bases.extend(tree.workspaces.iter().flat_map(|w| {
            w.packages
                .values()
                .map(|p| p.dir.strip_prefix(&tree.root).unwrap().to_path_buf())
        })),
    }
    bases.push(PathBuf::new());
    let candidates: Vec<(&Piece, String)> = md
        .spans
        .iter()
        .filter_map(|s| path_candidate(&s.text).map(|p| (s, p)))
        .collect();
    // A bare file name may also sit in a folder the document names elsewhere
    // ("`tests/amdahl.rs`, `cores.rs`").
    let folders: BTreeSet<&Path> = candidates
        .iter()
        .filter_map(|(_, p)| {
            if p.ends_with('/') {
                Some(Path::new(p))
            } else {
                Path::new(p).parent()
            }
        })
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    let ignored = gitignored(&tree.root);
    for (span, path) in &candidates {
        let first = path.split('/').find(|s| *s != "." && *s != "..").unwrap();
        if ALLOWED.iter().any(|(a, _, _)| a == path) || ignored.contains(first) {
            continue;
        }
        let mut starts = bases.clone();
        if !path.contains('/') {
            for b in &bases {
                starts.extend(folders.iter().map(|f| b.join(f)));
            }
        }
        let found = |p: &str| {
            starts.iter().any(|b| {
                let p = tree.root.join(b).join(p);
                if path.ends_with('/') {
                    p.is_dir()
                } else {
                    p.exists()
                }
            })
        };
        // `startup/start_run_drop/2` (a benchmark id), `text/csv` (a MIME type): a name with
        // neither an extension nor a final `/` is a path only if its first folder exists.
        let extension = Path::new(path).extension().is_some();
        if !extension && !path.ends_with('/') && !found(first) {
            continue;
        }
        if !found(path) {
            findings.push(format!(
                "{name}:{}: `{path}` exists neither in {}/, nor in {}, nor at the root{}",
                span.line,
                if doc_dir.as_os_str().is_empty() {
                    ".".into()
                } else {
                    doc_dir.display().to_string()
                },
                if lab_dir(rel).is_some() {
                    "the lab's folder"
                } else {
                    "any package's folder"
                },
                tree_note(tree)
            ));
        }
    }
    for link in &md.links {
        let t = &link.text;
        if t.contains("://") || t.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = match t.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (t.as_str(), None),
        };
        let target_rel = if file.is_empty() {
            PathBuf::from(rel)
        } else {
            normalise(&doc_dir.join(file))
        };
        let target = tree.root.join(&target_rel);
        if !target.exists() || target_rel.starts_with("..") {
            findings.push(format!(
                "{name}:{}: the link to {t} leads to no file{}",
                link.line,
                tree_note(tree)
            ));
            continue;
        }
        if let Some(anchor) = anchor
            && target.extension().is_some_and(|x| x == "md")
        {
            let anchors = if file.is_empty() {
                &md.anchors
            } else {
                &parse_markdown_str(&read(&target)).anchors
            };
            if !anchors.contains(anchor) {
                findings.push(format!(
                    "{name}:{}: the link to {t}: {} has no heading with the anchor #{anchor}",
                    link.line,
                    target_rel.display()
                ));
            }
        }
    }
}

/// The names a tree's root `.gitignore` anchors at the root (`/submissions`, `/grading-out`):
/// things made in a checkout and never shipped, which documents may name.
fn gitignored(root: &Path) -> BTreeSet<String> {
    fs::read_to_string(root.join(".gitignore"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().strip_prefix('/'))
        .map(|l| l.trim_end_matches('/'))
        .filter(|l| !l.is_empty() && !l.contains(['/', '*']))
        .map(str::to_string)
        .collect()
}

/// ` of the student release` for findings in the release tree.
fn tree_note(tree: &Tree) -> &'static str {
    if tree.solutions().is_none() {
        " of the student release"
    } else {
        ""
    }
}

/// `labs/labNN-x` for a document under it.
fn lab_dir(rel: &str) -> Option<PathBuf> {
    let mut parts = Path::new(rel).components();
    let first = parts.next()?;
    let second = parts.next()?;
    (first.as_os_str() == "labs" && parts.next().is_some())
        .then(|| Path::new("labs").join(second.as_os_str()))
}

/// The path a code span names, if it looks like a course file and is not a placeholder.
fn path_candidate(span: &str) -> Option<String> {
    let mut s = span.trim();
    // `src/lib.rs:42`, `src/lib.rs:42:7`
    while let Some((head, tail)) = s.rsplit_once(':') {
        if tail.is_empty() || !tail.chars().all(|c| c.is_ascii_digit()) {
            break;
        }
        s = head;
    }
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c));
    let extension = [".rs", ".toml", ".md", ".csv", ".sh"]
        .iter()
        .any(|x| s.ends_with(x));
    if s.is_empty()
        || !plain
        || !(s.contains('/') || extension)
        || s.starts_with('.') && !s.contains('/') && s[1..].find('.').is_none()
    {
        return None;
    }
    let segments: Vec<&str> = s.split('/').filter(|x| !x.is_empty()).collect();
    let placeholder = s.contains("NN")
        || segments.iter().any(|seg| {
            !seg.contains('.')
                && seg.len() >= 2
                && seg.chars().any(|c| c.is_ascii_uppercase())
                && seg
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        });
    let first_real = segments.iter().find(|x| **x != "." && **x != "..");
    if s.starts_with('/')
        || s.starts_with('-')
        || s.contains("//")
        || placeholder
        || first_real.is_none_or(|f| *f == "target")
        || !s.chars().any(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    Some(s.to_string())
}

/// Splits a command line into words, honouring quotes (enough for the documents).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    words
}

fn is_placeholder(word: &str) -> bool {
    word.contains("NN")
        || word.contains("...")
        || word.contains(['<', '>', '{', '}', '*', '$', '…', '['])
        || (word.len() >= 2
            && word.chars().any(|c| c.is_ascii_uppercase())
            && word
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
}

/// The cargo commands of a piece of code: its `&&`/`;`/`|`-separated commands that start
/// with `cargo` (after environment assignments), each with whether an earlier
/// `cd solutions` put it in the solutions workspace.
fn check_commands(tree: &Tree, name: &str, piece: &Piece, findings: &mut Vec<String>) {
    let mut in_solutions = false;
    // A `#` starts a shell comment.
    let code = match piece.text.find(" #") {
        Some(k) => &piece.text[..k],
        None if piece.text.trim_start().starts_with('#') => "",
        None => &piece.text,
    };
    for command in code.split(['&', ';', '|']) {
        let words: Vec<String> = shell_words(command)
            .into_iter()
            .skip_while(|w| is_assignment(w))
            .collect();
        match words.first().map(String::as_str) {
            Some("cd") => {
                in_solutions = words
                    .get(1)
                    .is_some_and(|d| d.trim_end_matches('/').ends_with("solutions"));
            }
            Some("cargo") => {
                let at = format!("{name}:{}: `{}`", piece.line, command.trim());
                for problem in check_cargo(tree, &words[1..], in_solutions) {
                    findings.push(format!("{at}: {problem}"));
                }
            }
            _ => {}
        }
    }
}

/// What is wrong with `cargo ARGS`.
fn check_cargo(tree: &Tree, args: &[String], mut in_solutions: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .skip_while(|a| a.starts_with('+'))
        .collect();
    let Some((&sub, rest)) = args.split_first() else {
        return problems;
    };
    let rest: Vec<&str> = rest.iter().copied().take_while(|a| *a != "--").collect();
    if sub == "xtask" {
        return check_xtask(&rest);
    }
    let mut packages = Vec::new();
    let mut targets = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        let a = rest[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (a, None),
        };
        let value = || inline.or_else(|| rest.get(i + 1).copied().filter(|v| !v.starts_with('-')));
        let kind = match flag {
            "--bin" => Some(Kind::Bin),
            "--example" => Some(Kind::Example),
            "--test" => Some(Kind::Test),
            "--bench" => Some(Kind::Bench),
            _ => None,
        };
        if flag == "-p" || flag == "--package" {
            packages.extend(value());
        } else if let Some(p) = flag
            .strip_prefix("-p")
            .filter(|p| !p.is_empty() && !flag.starts_with("--"))
        {
            packages.push(p);
        } else if flag == "--manifest-path" {
            in_solutions = value().is_some_and(|p| p.starts_with("solutions/"));
        } else if let Some(kind) = kind {
            targets.extend(value().map(|v| (kind, v)));
        }
        i += 1;
    }
    let workspace = if in_solutions {
        match tree.solutions() {
            Some(w) => w,
            None => {
                problems.push(
                    "runs in solutions/, which the student release does not have".to_string(),
                );
                return problems;
            }
        }
    } else {
        &tree.workspaces[0]
    };
    // Each named package, in the workspace the command runs in (a package only the
    // solutions have, named without `cd solutions`, in theirs).
    let mut chosen: Vec<(&str, &Package, &str)> = Vec::new();
    for p in packages.into_iter().filter(|p| !is_placeholder(p)) {
        let found = std::iter::once(workspace)
            .chain(tree.solutions().filter(|_| !in_solutions))
            .find_map(|w| {
                w.packages
                    .get_key_value(p)
                    .map(|(n, pkg)| (n.as_str(), pkg, w.label))
            });
        match found {
            Some(f) => chosen.push(f),
            None => {
                let all: BTreeSet<&str> = tree
                    .workspaces
                    .iter()
                    .flat_map(|w| w.packages.keys().map(String::as_str))
                    .collect();
                let labels: Vec<&str> = tree.workspaces.iter().map(|w| w.label).collect();
                problems.push(format!(
                    "no package `{p}` in the {} (packages: {})",
                    labels.join(" or the "),
                    Vec::from_iter(all).join(", ")
                ));
            }
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    // Without `-p`, any package of the workspace will do.
    let any_package = chosen.is_empty();
    if any_package {
        chosen = workspace
            .packages
            .iter()
            .map(|(n, p)| (n.as_str(), p, workspace.label))
            .collect();
    }
    for (kind, target) in targets.into_iter().filter(|(_, t)| !is_placeholder(t)) {
        if chosen
            .iter()
            .any(|(_, p, _)| p.targets.contains(&(kind, target.to_string())))
        {
            continue;
        }
        let flag = kind.flag();
        problems.push(if any_package {
            format!(
                "no package of the {} has a {flag} target `{target}`",
                workspace.label
            )
        } else {
            let have: Vec<String> = chosen
                .iter()
                .map(|(n, p, w)| format!("package `{n}` ({w}): {}", p.names(kind).join(", ")))
                .collect();
            format!(
                "no {flag} `{target}` in the package (its {flag}s: {})",
                have.join("; ")
            )
        });
    }
    problems
}

/// What is wrong with `cargo xtask ARGS`: an unknown subcommand or option.
fn check_xtask(args: &[&str]) -> Vec<String> {
    let g = grader();
    let mut problems = Vec::new();
    let mut i = 0;
    let mut sub = None;
    while i < args.len() {
        let a = args[i];
        let flag = a.split_once('=').map_or(a, |(f, _)| f);
        match sub {
            None if a.starts_with('-') => match g.global.get(flag) {
                Some(valued) => i += usize::from(*valued && !a.contains('=')),
                None => problems.push(format!("the grader has no option {flag}")),
            },
            None => {
                if is_placeholder(a) {
                    return problems;
                }
                if !g.subcommands.contains_key(a) {
                    problems.push(format!(
                        "the grader has no subcommand `{a}` (xtask --help lists: {})",
                        g.subcommands.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                    return problems;
                }
                sub = Some(a);
            }
            Some(s) if a.starts_with('-') && a.len() > 1 => match g.subcommands[s].get(flag) {
                Some(valued) => i += usize::from(*valued && !a.contains('=')),
                None => problems.push(format!(
                    "`xtask {s}` has no option {flag} (its options: {})",
                    g.subcommands[s]
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
            Some(_) => {}
        }
        i += 1;
    }
    problems
}

// ---------------------------------------------------------------------------------------
// The finance crate.

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The inline code spans of one line, with their byte offsets.
fn line_spans(line: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut parts = line.split('`');
    let mut offset = 0;
    let mut inside = false;
    for part in parts.by_ref() {
        if inside {
            out.push((offset, part.to_string()));
        }
        offset += part.len() + 1;
        inside = !inside;
    }
    out
}

/// The words of a line (split at spaces and punctuation other than `.`, `-`, `+`), with
/// their byte offsets and a final `.` or `:` removed.
fn words_at(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut out = Vec::new();
    for (i, c) in line.char_indices().chain([(line.len(), ' ')]) {
        let part = c.is_alphanumeric() || ".-+_".contains(c);
        match (start, part) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((s, line[s..i].trim_end_matches(['.', ':'])));
                start = None;
            }
            _ => {}
        }
    }
    out.into_iter()
}

/// The doc comment (`///` lines) of the public item or method `path` (`cdf`,
/// `Contract::call`: its last name) in a module's source.
fn item_doc(src: &str, path: &str) -> String {
    let name = path.rsplit("::").next().unwrap();
    let lines: Vec<&str> = src.lines().map(str::trim_start).collect();
    let mut doc = String::new();
    for (i, l) in lines.iter().enumerate() {
        let declares = l.starts_with("pub ")
            && l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .skip_while(|w| {
                    !matches!(
                        *w,
                        "fn" | "struct" | "enum" | "const" | "static" | "type" | "trait"
                    )
                })
                .nth(1)
                .is_some_and(|w| w == name || l.starts_with(&format!("pub const {name}")));
        if !declares {
            continue;
        }
        for above in lines[..i].iter().rev() {
            if let Some(d) = above.strip_prefix("///") {
                doc.insert_str(0, &format!("{d}\n"));
            } else if !(above.starts_with("#[") || above.starts_with("//")) {
                break;
            }
        }
    }
    doc
}

/// The module's own documentation (`//!` lines).
fn module_doc(src: &str) -> String {
    src.lines()
        .filter_map(|l| l.trim_start().strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_scientific(w: &str) -> bool {
    let Some((mantissa, exp)) = w.split_once('e') else {
        return false;
    };
    let digits = exp.strip_prefix(['-', '+']).unwrap_or(exp);
    mantissa.starts_with(|c: char| c.is_ascii_digit())
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
}

fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
}

fn join<'a>(xs: impl IntoIterator<Item = &'a String>) -> String {
    xs.into_iter().cloned().collect::<Vec<_>>().join(", ")
}

/// The `pub mod NAME;` of a crate root.
fn pub_mods(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').trim().to_string())
        .collect()
}

/// The names of a module's public items (`pub fn`, `pub struct`, ...), at any depth.
fn pub_items(src: &str) -> BTreeSet<String> {
    let mut items = BTreeSet::new();
    for line in src.lines() {
        let Some(rest) = line.trim_start().strip_prefix("pub ") else {
            continue;
        };
        let mut ws = rest.split(|c: char| !(c.is_alphanumeric() || c == '_'));
        while let Some(w) = ws.next() {
            match w {
                "const" | "unsafe" | "async" | "extern" => continue,
                "fn" | "struct" | "enum" | "static" | "type" | "trait" | "mod" | "union" => {
                    items.extend(ws.find(|w| !w.is_empty()).map(str::to_string));
                    break;
                }
                // `pub const NAME: ...`
                w if !w.is_empty() => {
                    if rest.starts_with("const ") {
                        items.insert(w.to_string());
                    }
                    break;
                }
                _ => {}
            }
        }
    }
    items
}

/// Whether `member` is a public method or field, or a variant, in `src`.
fn has_member(src: &str, member: &str) -> bool {
    src.lines().map(str::trim_start).any(|l| {
        let variant = l
            .strip_prefix(member)
            .is_some_and(|r| r.starts_with([',', ' ', '{', '(']) || r.is_empty());
        variant
            || l.starts_with(&format!("pub fn {member}("))
            || l.starts_with(&format!("pub fn {member}<"))
            || l.starts_with(&format!("pub const fn {member}("))
            || l.starts_with(&format!("pub {member}:"))
    })
}

/// For each module of `finance`, the labs whose code uses it: the tracked `.rs` files of a
/// root-workspace package under `labs/`, and the `src/` of the solutions' package of the
/// same name.
fn finance_usage(tree: &Tree, modules: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut dirs: Vec<(String, PathBuf)> = Vec::new();
    for (name, p) in &tree.workspaces[0].packages {
        if p.dir.starts_with(tree.root.join("labs")) {
            dirs.push((name.clone(), p.dir.clone()));
        }
    }
    if let Some(s) = tree.solutions() {
        for (name, p) in &s.packages {
            dirs.push((name.clone(), p.dir.join("src")));
        }
    }
    let mut usage: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rel in tracked_files(&tree.root)
        .iter()
        .filter(|r| r.ends_with(".rs"))
    {
        let path = tree.root.join(rel);
        let Some((lab, _)) = dirs.iter().find(|(_, d)| path.starts_with(d)) else {
            continue;
        };
        for m in finance_modules_used(&read(&path)) {
            if modules.contains(&m) {
                usage.entry(m).or_default().insert(lab.clone());
            }
        }
    }
    usage
}

/// The modules of `finance` a source file names: `finance::m`, `finance::{m, n::x}`.
fn finance_modules_used(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = src;
    while let Some(k) = rest.find("finance::") {
        let before = rest[..k].chars().next_back();
        rest = &rest[k + "finance::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        at_start = true;
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && at_start {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        out.insert(std::mem::take(&mut item));
                        at_start = false;
                    }
                }
            }
            if at_start && !item.is_empty() {
                out.insert(item);
            }
        } else {
            let m: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !m.is_empty() {
                out.insert(m);
            }
        }
    }
    out
}

/// The *Full credit* cell of a handout's timing table for one `[[timing]]` entry of a spec,
/// with the grader's defaults (`min_fraction` 0.75, `max_ratio` 2, `cutoff` twice it).
fn full_credit(check: &toml::Value) -> String {
    let get = |key: &str| {
        let v = check.get(key)?;
        v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
    };
    match check["kind"].as_str() {
        Some("speedup") => format!(
            "{} of the machine's speedup",
            get("min_fraction").unwrap_or(0.75)
        ),
        _ => {
            let max = get("max_ratio").unwrap_or(2.0);
            let cutoff = get("cutoff").unwrap_or(2.0 * max);
            format!("within {max}× the reference's time, none past {cutoff}×")
        }
    }
}

/// Each handout's *Timing checks on your machine* table has one row per timing check of the
/// lab (the instructor's spec), states the check's full-credit rule as the spec sets it, and
/// names as each row's benchmark a `benchmark_group` of the lab's benches: a renamed check
/// or benchmark, or a threshold changed in one place only, fails here.
#[test]
fn handouts_map_every_timing_check_to_a_benchmark() {
    let root = root();
    let Ok(entries) = fs::read_dir(root.join("labs")) else {
        panic!("no labs/ folder");
    };
    let mut labs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    labs.sort();
    let mut findings = Vec::new();
    let mut checked = 0;
    for dir in labs.iter().filter(|d| d.join("grading.toml").is_file()) {
        let lab = manifest(&dir.join("grading.toml"))["lab"]
            .as_str()
            .unwrap()
            .to_string();
        let spec = root.join("solutions").join(&lab).join("grading.toml");
        if !spec.is_file() {
            continue; // a student release: the checks were read in the instructor checkout
        }
        // Each check's name and the full-credit rule its row must state.
        let checks: BTreeMap<String, String> = manifest(&spec)
            .get("timing")
            .and_then(|t| t.as_array())
            .into_iter()
            .flatten()
            .filter_map(|t| Some((t["name"].as_str()?.to_string(), full_credit(t))))
            .collect();
        let benches: String = fs::read_dir(dir.join("benches"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| read(&e.path()))
            .collect();
        let handout = read(&dir.join("README.md"));
        let rows: Vec<&str> = handout
            .lines()
            .skip_while(|l| !l.starts_with("| Timing check |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .collect();
        let mut named = BTreeSet::new();
        for row in &rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let name = cells.get(1).unwrap_or(&"").trim_matches('`');
            match checks.get(name) {
                None => findings.push(format!(
                    "{lab} handout: `{name}` is not a timing check of {lab}"
                )),
                Some(credit) if cells.get(3) != Some(&credit.as_str()) => findings.push(format!(
                    "{lab} handout: check `{name}` says full credit \"{}\"; its spec: \"{credit}\"",
                    cells.get(3).unwrap_or(&"")
                )),
                Some(_) => {}
            }
            named.insert(name.to_string());
            let bench = cells.get(5).unwrap_or(&"").trim_matches('`');
            let group = bench
                .strip_prefix(&format!("cargo bench -p {lab} -- "))
                .unwrap_or("");
            if group.is_empty() || !benches.contains(&format!("benchmark_group(\"{group}\")")) {
                findings.push(format!(
                    "{lab} handout: `{bench}` (check `{name}`) names no benchmark group of {lab}'s benches"
                ));
            }
        }
        for missing in checks.keys().filter(|c| !named.contains(*c)) {
            findings.push(format!(
                "{lab} handout: timing check `{missing}` has no row in *Timing checks on your machine*"
            ));
        }
        checked += 1;
    }
    assert!(
        checked > 0 || !root.join("solutions").is_dir(),
        "no lab checked"
    );
    report(findings);
}
