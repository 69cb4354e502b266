//! The class page of `grade --class`: one self-contained HTML file (no script, no external
//! asset; the plots are inline SVG) beside the gradebook, made from the students' reports.
//!
//! Every figure in it also sits in a `data-*` attribute of its element, so a test (or a
//! script of the instructor's) reads the numbers back without scraping the text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::course::TimingKind;
use crate::report::{Report, TimingStatus};
use crate::runner::Status;

/// The page's file name in the output folder.
pub const FILE: &str = "class-report.html";

/// What the page says about the grading run itself.
pub struct Summary {
    /// The course checkout graded against.
    pub course: String,
    /// The labs graded.
    pub labs: Vec<String>,
    /// Submissions in the class folder (the page may be written before all are graded).
    pub students: usize,
    /// `--jobs`.
    pub jobs: usize,
    /// Wall time of the grading so far.
    pub seconds: f64,
}

/// HTML-escapes `s` (text and attribute values).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number as the page shows it and its attributes hold it: at most two decimals.
fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Bins of a score distribution: 10 bins of 10% of the maximum, the last one closed.
pub const BINS: usize = 10;

/// The bin of `score` out of `max`.
pub fn bin(score: f64, max: f64) -> usize {
    if max <= 0.0 {
        return 0;
    }
    ((score / max * BINS as f64).floor().max(0.0) as usize).min(BINS - 1)
}

/// The first line of a test's message, the part worth grouping students by.
pub fn first_line(message: &str) -> String {
    let line = message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("(no message)");
    crate::util::truncate(line, 160)
}

/// The page for the reports graded so far (`rows`: student, report).
pub fn render(summary: &Summary, rows: &[(String, Report)]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Class report</title>\n<style>{CSS}</style></head><body>\n"
    );
    let per = if rows.is_empty() {
        0.0
    } else {
        summary.seconds / 60.0 / rows.len() as f64
    };
    let _ = write!(
        h,
        "<h1>Class report</h1>\n<p id=\"summary\" data-students=\"{}\" data-graded=\"{}\" data-jobs=\"{}\" data-seconds=\"{}\" data-minutes-per-submission=\"{}\">{} of {} submissions graded against <code>{}</code> ({}), {} job(s), {} min in all, {} min per submission.</p>\n",
        summary.students,
        rows.len(),
        summary.jobs,
        num(summary.seconds),
        num(per),
        rows.len(),
        summary.students,
        esc(&summary.course),
        esc(&summary.labs.join(", ")),
        summary.jobs,
        num(summary.seconds / 60.0),
        num(per),
    );
    // What needs the instructor's action first; the long table of every test last.
    h.push_str("<nav><a href=\"#scores\">Scores</a> · <a href=\"#problems\">Problems</a> · <a href=\"#timing\">Timing</a> · <a href=\"#times\">Grading time</a> · <a href=\"#tests\">Tests</a></nav>\n");
    scores(&mut h, summary, rows);
    problems(&mut h, rows);
    timing(&mut h, rows);
    times(&mut h, rows);
    tests(&mut h, rows);
    h.push_str("</body></html>\n");
    h
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}\
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}\
.plots{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-size:90%;color:#555}\
ul.lines{margin:0;padding-left:1.2em;font-family:monospace;font-size:85%}.bad{color:#b00}.warn{color:#a60}\
svg text{font-size:10px;fill:#333}";

/// Score per lab and in total: a histogram each and a table.
fn scores(h: &mut String, summary: &Summary, rows: &[(String, Report)]) {
    h.push_str("<h2 id=\"scores\">Score distribution</h2>\n<div class=\"plots\">\n");
    let mut series: Vec<(String, Vec<(f64, f64)>)> = summary
        .labs
        .iter()
        .map(|lab| {
            let scores = rows
                .iter()
                .filter_map(|(_, r)| r.labs.iter().find(|l| &l.lab == lab))
                .map(|l| (l.score, l.max_score))
                .collect();
            (lab.clone(), scores)
        })
        .collect();
    series.push((
        "total".into(),
        rows.iter().map(|(_, r)| (r.score, r.max_score)).collect(),
    ));
    for (name, scores) in &series {
        let mut counts = [0usize; BINS];
        for &(s, m) in scores {
            counts[bin(s, m)] += 1;
        }
        histogram(h, name, &counts);
    }
    h.push_str("</div>\n<table><tr><th>lab</th><th>graded</th><th>max</th><th>mean</th><th>median</th><th>min</th><th>max seen</th><th>full marks</th></tr>\n");
    for (name, scores) in &series {
        let s: Vec<f64> = scores.iter().map(|x| x.0).collect();
        let max = scores.iter().map(|x| x.1).fold(0.0, f64::max);
        let mean = if s.is_empty() {
            0.0
        } else {
            s.iter().sum::<f64>() / s.len() as f64
        };
        let lo = s.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if s.is_empty() { (0.0, 0.0) } else { (lo, hi) };
        let full = scores.iter().filter(|x| x.1 > 0.0 && x.0 >= x.1).count();
        let _ = writeln!(
            h,
            "<tr class=\"score-row\" data-lab=\"{n}\" data-graded=\"{}\" data-max=\"{}\" data-mean=\"{}\" data-median=\"{}\" data-min=\"{}\" data-max-seen=\"{}\" data-full=\"{full}\"><td>{n}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{full}</td></tr>",
            s.len(),
            num(max),
            num(mean),
            num(median(&s)),
            num(lo),
            num(hi),
            s.len(),
            num(max),
            num(mean),
            num(median(&s)),
            num(lo),
            num(hi),
            n = esc(name),
        );
    }
    h.push_str("</table>\n");
}

/// One histogram: `counts` per 10% bin.
fn histogram(h: &mut String, name: &str, counts: &[usize; BINS]) {
    let (w, ht, left, bottom) = (300.0, 150.0, 28.0, 22.0);
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bw = (w - left - 4.0) / BINS as f64;
    let _ = write!(
        h,
        "<figure><svg class=\"histogram\" data-lab=\"{}\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"><title>{} score distribution</title>",
        esc(name),
        esc(name)
    );
    let plot_h = ht - bottom - 8.0;
    let _ = write!(
        h,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/><text x=\"2\" y=\"12\">{}</text><text x=\"2\" y=\"{}\">0</text>",
        ht - bottom,
        w - 4.0,
        ht - bottom,
        top,
        ht - bottom
    );
    for (i, &c) in counts.iter().enumerate() {
        let bh = plot_h * c as f64 / top;
        let x = left + i as f64 * bw;
        let _ = write!(
            h,
            "<rect class=\"bin\" data-bin=\"{i}\" data-count=\"{c}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#4a7fb5\"><title>{}–{}%: {c}</title></rect>",
            x + 1.0,
            ht - bottom - bh,
            bw - 2.0,
            i * 10,
            i * 10 + 10
        );
        if i % 2 == 0 {
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"{}\">{}%</text>",
                x,
                ht - 8.0,
                i * 10
            );
        }
    }
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"{}\">100%</text></svg><figcaption>{}: students per 10% of the maximum</figcaption></figure>",
        w - 26.0,
        ht - 8.0,
        esc(name)
    );
}

/// Every test, the ones fewest students pass first, with the commonest first lines of their
/// messages.
fn tests(h: &mut String, rows: &[(String, Report)]) {
    struct Row {
        passed: usize,
        graded: usize,
        lines: BTreeMap<String, usize>,
        hidden: bool,
    }
    let mut all: BTreeMap<(String, String, String), Row> = BTreeMap::new();
    for (_, r) in rows {
        for lab in &r.labs {
            for t in &lab.tests {
                let row = all
                    .entry((lab.lab.clone(), t.target.clone(), t.name.clone()))
                    .or_insert(Row {
                        passed: 0,
                        graded: 0,
                        lines: BTreeMap::new(),
                        hidden: t.visibility == crate::course::Visibility::Hidden,
                    });
                row.graded += 1;
                if t.status == Status::Passed {
                    row.passed += 1;
                } else {
                    *row.lines.entry(first_line(&t.message)).or_default() += 1;
                }
            }
        }
    }
    let mut sorted: Vec<_> = all.into_iter().collect();
    sorted.sort_by_key(|(key, row)| (row.passed * 1000 / row.graded.max(1), key.clone()));
    h.push_str("<h2 id=\"tests\">Tests, the hardest first</h2>\n<table><tr><th>lab</th><th>test</th><th>passed</th><th>most common first lines of the messages</th></tr>\n");
    for ((lab, target, name), row) in &sorted {
        let mut lines: Vec<_> = row.lines.iter().collect();
        lines.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let _ = write!(
            h,
            "<tr class=\"test-row\" data-lab=\"{}\" data-target=\"{}\" data-test=\"{}\" data-passed=\"{}\" data-graded=\"{}\"><td>{}</td><td>{}{}<br><small>{}</small></td><td class=n>{} / {}</td><td><ul class=\"lines\">",
            esc(lab),
            esc(target),
            esc(name),
            row.passed,
            row.graded,
            esc(lab),
            esc(name),
            if row.hidden { " (hidden)" } else { "" },
            esc(target),
            row.passed,
            row.graded
        );
        for (line, count) in lines.iter().take(3) {
            let _ = write!(h, "<li data-count=\"{count}\">{count}× {}</li>", esc(line));
        }
        h.push_str("</ul></td></tr>\n");
    }
    h.push_str("</table>\n");
}

/// Timing checks: each student's measured value against their threshold.
fn timing(h: &mut String, rows: &[(String, Report)]) {
    h.push_str("<h2 id=\"timing\">Timing checks</h2>\n");
    let mut checks: BTreeMap<(String, String), Vec<(&str, &crate::report::TimingResult)>> =
        BTreeMap::new();
    for (student, r) in rows {
        for lab in &r.labs {
            for t in &lab.timing {
                checks
                    .entry((lab.lab.clone(), t.name.clone()))
                    .or_default()
                    .push((student, t));
            }
        }
    }
    if checks.is_empty() {
        h.push_str("<p>No timing checks ran.</p>\n");
        return;
    }
    h.push_str("<p>Each dot is a student: the value measured (vertical) against the threshold for full credit (horizontal; it follows each grading's calibration). On the diagonal, the student just made full credit: above it is better for a speedup, below it for a ratio. Hollow dots were measured after attempts discarded on a busy machine.</p>\n<div class=\"plots\">\n");
    for ((lab, name), results) in &checks {
        scatter(h, lab, name, results);
    }
    h.push_str("</div>\n<table><tr><th>lab</th><th>check</th><th>student</th><th>status</th><th>measured</th><th>threshold</th><th>points</th><th>busy attempts</th></tr>\n");
    for ((lab, name), results) in &checks {
        for (student, t) in results {
            let status = format!("{:?}", t.status).to_lowercase();
            let opt = |x: Option<f64>| x.map_or(String::new(), num);
            let _ = writeln!(
                h,
                "<tr class=\"timing-row\" data-lab=\"{}\" data-check=\"{}\" data-student=\"{}\" data-status=\"{status}\" data-measured=\"{}\" data-threshold=\"{}\" data-points=\"{}\" data-max-points=\"{}\" data-disturbed=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td{}>{status}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{} / {}</td><td class=n>{}</td></tr>",
                esc(lab),
                esc(name),
                esc(student),
                opt(t.measured),
                opt(t.threshold),
                num(t.points),
                num(t.max_points),
                t.disturbed_attempts,
                esc(lab),
                esc(name),
                esc(student),
                if t.status == TimingStatus::Disturbed {
                    " class=warn"
                } else {
                    ""
                },
                opt(t.measured),
                opt(t.threshold),
                num(t.points),
                num(t.max_points),
                t.disturbed_attempts
            );
        }
    }
    h.push_str("</table>\n");
}

fn scatter(
    h: &mut String,
    lab: &str,
    name: &str,
    results: &[(&str, &crate::report::TimingResult)],
) {
    let (w, ht, m) = (300.0, 220.0, 30.0);
    let pts: Vec<_> = results
        .iter()
        .filter_map(|(s, t)| Some((*s, t.threshold?, t.measured?, *t)))
        .collect();
    let hi = pts.iter().flat_map(|p| [p.1, p.2]).fold(1.0f64, f64::max) * 1.1;
    let x = |v: f64| m + v / hi * (w - m - 8.0);
    let y = |v: f64| ht - m - v / hi * (ht - m - 8.0);
    let _ = write!(
        h,
        "<figure><svg class=\"scatter\" data-lab=\"{}\" data-check=\"{}\" data-points=\"{}\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"><title>{} {}</title>",
        esc(lab),
        esc(name),
        pts.len(),
        esc(lab),
        esc(name)
    );
    let _ = write!(
        h,
        "<line x1=\"{m}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/><line x1=\"{m}\" y1=\"{}\" x2=\"{m}\" y2=\"8\" stroke=\"#555\"/><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{}\">threshold</text><text x=\"2\" y=\"14\">{}</text><text x=\"{}\" y=\"{}\">{}</text>",
        ht - m,
        w - 8.0,
        ht - m,
        ht - m,
        x(0.0),
        y(0.0),
        x(hi),
        y(hi),
        w / 2.0 - 20.0,
        ht - 6.0,
        num(hi),
        w - 30.0,
        ht - m + 12.0,
        num(hi)
    );
    if pts.is_empty() {
        let _ = write!(
            h,
            "<text x=\"{}\" y=\"{}\">no figure measured (see the table)</text>",
            m + 20.0,
            ht / 2.0
        );
    }
    for (student, threshold, measured, t) in &pts {
        let good = match t.kind {
            TimingKind::Speedup => measured >= threshold,
            TimingKind::Ratio => measured <= threshold,
        };
        let colour = if good { "#2a8a3a" } else { "#c0392b" };
        let fill = if t.disturbed_attempts > 0 || t.status == TimingStatus::Disturbed {
            "none"
        } else {
            colour
        };
        let _ = write!(
            h,
            "<circle class=\"dot\" data-student=\"{}\" data-measured=\"{}\" data-threshold=\"{}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{fill}\" stroke=\"{colour}\"><title>{}: {} (threshold {})</title></circle>",
            esc(student),
            num(*measured),
            num(*threshold),
            x(*threshold),
            y(*measured),
            esc(student),
            num(*measured),
            num(*threshold)
        );
    }
    let _ = writeln!(
        h,
        "</svg><figcaption>{} · {}: measured against threshold</figcaption></figure>",
        esc(lab),
        esc(name)
    );
}

/// Kinds of trouble the problems table lists, in its order.
pub const PROBLEMS: [&str; 8] = [
    "timeout",
    "crashed",
    "grader_error",
    "refused",
    "leftover_processes",
    "disturbed",
    "isolation",
    "interrupted",
];

/// What went wrong while grading `report`, by kind: the tests or checks concerned.
pub fn problems_of(report: &Report) -> Vec<(&'static str, Vec<String>)> {
    let mut found: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for lab in &report.labs {
        for t in &lab.tests {
            let kind = match t.status {
                Status::Timeout => "timeout",
                Status::Crashed => "crashed",
                Status::GraderError => "grader_error",
                _ => continue,
            };
            found
                .entry(kind)
                .or_default()
                .push(format!("{}/{}", lab.lab, t.name));
        }
        for t in &lab.timing {
            let kind = match t.status {
                TimingStatus::Disturbed => "disturbed",
                TimingStatus::GraderError => "grader_error",
                _ => continue,
            };
            found
                .entry(kind)
                .or_default()
                .push(format!("{}/{} (timing)", lab.lab, t.name));
        }
    }
    for lab in &report.labs {
        for note in &lab.notes {
            // The notes `grade` writes when it refuses a lab's src/ (escape, outside reads)
            // and when tests leave processes behind.
            let kind = if note.starts_with("the grader refused") {
                "refused"
            } else if note.starts_with("tests left ") {
                "leftover_processes"
            } else {
                continue;
            };
            found
                .entry(kind)
                .or_default()
                .push(format!("{}: {}", lab.lab, first_line(note)));
        }
    }
    if !report.isolation_warnings.is_empty() {
        found.insert("isolation", report.isolation_warnings.clone());
    }
    if report.interrupted {
        found.insert("interrupted", vec!["the grader was stopped".into()]);
    }
    PROBLEMS
        .iter()
        .filter_map(|k| found.remove(k).map(|v| (*k, v)))
        .collect()
}

/// Students whose grading hit a timeout, a crash, a grader error, a busy machine, weaker
/// isolation or an interruption.
fn problems(h: &mut String, rows: &[(String, Report)]) {
    h.push_str("<h2 id=\"problems\">Timeouts, crashes and notes</h2>\n");
    let listed: Vec<_> = rows
        .iter()
        .flat_map(|(s, r)| problems_of(r).into_iter().map(move |p| (s, p)))
        .collect();
    if listed.is_empty() {
        h.push_str("<p id=\"no-problems\">No submission hit a timeout, a crash, a grader error, a busy machine or an isolation note.</p>\n");
        return;
    }
    h.push_str("<p><b>disturbed</b>: a timing check measured on a busy machine, with no points at stake: grade the student again on a quiet machine. <b>isolation</b>: student code ran with less isolation than full (see GRADING.md).</p>\n<table><tr><th>student</th><th>what</th><th>count</th><th>where</th></tr>\n");
    for (student, (kind, items)) in listed {
        let class = if kind == "isolation" || kind == "disturbed" {
            "warn"
        } else {
            "bad"
        };
        let shown: Vec<String> = items.iter().take(8).map(|i| esc(i)).collect();
        let _ = writeln!(
            h,
            "<tr class=\"problem-row\" data-student=\"{}\" data-kind=\"{kind}\" data-count=\"{}\"><td>{}</td><td class={class}>{kind}</td><td class=n>{}</td><td>{}{}</td></tr>",
            esc(student),
            items.len(),
            esc(student),
            items.len(),
            shown.join("<br>"),
            if items.len() > 8 { "<br>…" } else { "" }
        );
    }
    h.push_str("</table>\n");
}

/// `s` cut to `n` characters, with an ellipsis when cut.
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// How long each submission took.
fn times(h: &mut String, rows: &[(String, Report)]) {
    h.push_str("<h2 id=\"times\">Grading time</h2>\n");
    let secs: Vec<(&str, f64)> = rows
        .iter()
        .map(|(s, r)| (s.as_str(), r.seconds.unwrap_or(0.0)))
        .collect();
    let top = secs.iter().map(|s| s.1).fold(1.0, f64::max);
    let (w, bar_h) = (600.0, 14.0);
    // Names of up to 26 characters (10 px text: about 6 px each) fit left of the bars.
    let left = 170.0;
    let ht = bar_h * secs.len() as f64 + 10.0;
    let _ = write!(
        h,
        "<figure><svg class=\"times\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"><title>seconds per submission</title>"
    );
    for (i, (student, s)) in secs.iter().enumerate() {
        let y = 5.0 + i as f64 * bar_h;
        let bw = (w - left - 60.0) * s / top;
        let _ = write!(
            h,
            "<text x=\"2\" y=\"{:.1}\">{}</text><rect x=\"{left}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"#888\"/><text x=\"{:.1}\" y=\"{:.1}\">{} s</text>",
            y + bar_h - 4.0,
            esc(&short(student, 26)),
            bar_h - 3.0,
            left + bw + 4.0,
            y + bar_h - 4.0,
            num(*s)
        );
    }
    h.push_str("</svg><figcaption>wall time per submission (with --jobs, its tests ran beside others' and its timing checks alone)</figcaption></figure>\n<table><tr><th>student</th><th>seconds</th><th>score</th></tr>\n");
    for ((student, s), (_, r)) in secs.iter().zip(rows) {
        let _ = writeln!(
            h,
            "<tr class=\"time-row\" data-student=\"{}\" data-seconds=\"{}\" data-score=\"{}\" data-max-score=\"{}\"><td>{}</td><td class=n>{}</td><td class=n>{} / {}</td></tr>",
            esc(student),
            num(*s),
            num(r.score),
            num(r.max_score),
            esc(student),
            num(*s),
            num(r.score),
            num(r.max_score)
        );
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::Visibility;
    use crate::report::{LabReport, TestResult, TimingResult};
    use serde_json::Value;

    /// The `data-*` attributes of every element of class `class` in `html`, in order: a
    /// small reader for the page's own markup (attributes quoted with `"`, escaped by `esc`).
    fn elements(html: &str, class: &str) -> Vec<BTreeMap<String, String>> {
        let needle = format!("class=\"{class}\"");
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find(&needle) {
            let start = rest[..at].rfind('<').unwrap();
            let end = at + rest[at..].find('>').unwrap();
            let tag = &rest[start..end];
            let mut attrs = BTreeMap::new();
            let mut t = tag;
            while let Some(d) = t.find(" data-") {
                t = &t[d + 6..];
                let eq = t.find("=\"").unwrap();
                let name = t[..eq].to_string();
                t = &t[eq + 2..];
                let close = t.find('"').unwrap();
                let value = t[..close]
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&");
                attrs.insert(name, value);
                t = &t[close + 1..];
            }
            found.push(attrs);
            rest = &rest[end..];
        }
        found
    }

    fn test(name: &str, status: Status, points: f64, message: &str) -> TestResult {
        TestResult {
            name: name.into(),
            target: "basics".into(),
            visibility: Visibility::Visible,
            status,
            points: if status == Status::Passed {
                points
            } else {
                0.0
            },
            max_points: points,
            message: message.into(),
            duration_ms: 3,
        }
    }

    fn timing(measured: f64, threshold: f64, status: TimingStatus, busy: u32) -> TimingResult {
        TimingResult {
            name: "grid_speedup".into(),
            description: "grid".into(),
            kind: TimingKind::Speedup,
            status,
            measured: Some(measured),
            threshold: Some(threshold),
            points: if status == TimingStatus::Passed {
                2.0
            } else {
                0.0
            },
            max_points: if status == TimingStatus::Disturbed {
                0.0
            } else {
                2.0
            },
            message: String::new(),
            kernel: Some(1.9),
            disturbed_attempts: busy,
            estimate: false,
            withheld_by: Vec::new(),
        }
    }

    fn report(who: &str, tests: Vec<TestResult>, timing: Vec<TimingResult>) -> Report {
        let notes = if who == "dave" {
            vec!["tests left 2 process(es) running after they ended; the grader killed them".into()]
        } else {
            vec![]
        };
        let mut lab = LabReport::empty("lab02", notes);
        lab.tests = tests;
        lab.timing = timing;
        lab.total();
        let mut r = Report {
            submission: who.into(),
            score: 0.0,
            max_score: 0.0,
            labs: vec![lab],
            calibration: None,
            isolation: "full".into(),
            isolation_warnings: if who == "carol" {
                vec!["runs as the grader's uid".into()]
            } else {
                vec![]
            },
            interrupted: false,
            seconds: Some(12.5 + who.len() as f64),
        };
        r.total();
        r
    }

    fn class() -> Vec<(String, Report)> {
        use Status::*;
        let t = |a, b, c| {
            vec![
                test("adds", a, 2.0, "assertion `left == right` failed\n left: 1"),
                test(
                    "splits",
                    b,
                    3.0,
                    "assertion `left == right` failed: the split\nmore",
                ),
                test("joins <&>", c, 1.0, "test ran past its 10 s limit"),
            ]
        };
        vec![
            (
                "alice".into(),
                report(
                    "alice",
                    t(Passed, Passed, Passed),
                    vec![timing(1.8, 1.46, TimingStatus::Passed, 0)],
                ),
            ),
            (
                "bob".into(),
                report("bob", t(Passed, Failed, Timeout), vec![]),
            ),
            (
                "carol".into(),
                report(
                    "carol",
                    t(Failed, Failed, Passed),
                    vec![timing(1.2, 1.46, TimingStatus::Disturbed, 6)],
                ),
            ),
            (
                "dave".into(),
                report("dave", t(Crashed, Failed, Timeout), vec![]),
            ),
        ]
    }

    fn f(v: &Value) -> f64 {
        v.as_f64().unwrap()
    }

    #[test]
    fn the_page_holds_the_numbers_of_the_json_reports() {
        let rows = class();
        let summary = Summary {
            course: "/course".into(),
            labs: vec!["lab02".into()],
            students: 5,
            jobs: 2,
            seconds: 600.0,
        };
        let html = render(&summary, &rows);
        // The numbers below come from the reports as JSON, the format graders read.
        let json: Vec<Value> = rows
            .iter()
            .map(|(_, r)| {
                serde_json::from_str(
                    &crate::report::render(r, crate::report::Format::Json).unwrap(),
                )
                .unwrap()
            })
            .collect();

        let summary_attrs = {
            let at = html.find("id=\"summary\"").unwrap();
            let tag = &html[html[..at].rfind('<').unwrap()..at + html[at..].find('>').unwrap()];
            tag.to_string()
        };
        assert!(
            summary_attrs.contains("data-graded=\"4\"")
                && summary_attrs.contains("data-students=\"5\"")
        );
        assert!(
            summary_attrs.contains("data-minutes-per-submission=\"2.5\""),
            "{summary_attrs}"
        );

        // Score distribution: per lab and in total, against the reports' scores.
        let scores = elements(&html, "score-row");
        assert_eq!(scores.len(), 2);
        for row in &scores {
            let values: Vec<f64> = json
                .iter()
                .map(|r| {
                    if row["lab"] == "total" {
                        f(&r["score"])
                    } else {
                        f(&r["labs"][0]["score"])
                    }
                })
                .collect();
            let max = if row["lab"] == "total" {
                f(&json[0]["max_score"])
            } else {
                f(&json[0]["labs"][0]["max_score"])
            };
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            assert_eq!(row["graded"], values.len().to_string());
            assert_eq!(row["max"], num(max));
            assert_eq!(row["mean"], num(mean));
            assert_eq!(row["median"], num(median(&values)));
            assert_eq!(
                row["full"],
                values.iter().filter(|&&v| v >= max).count().to_string()
            );
        }
        let bins = elements(&html, "bin");
        assert_eq!(bins.len(), 2 * BINS);
        let total_bins = &bins[BINS..];
        for r in &json {
            let b = bin(f(&r["score"]), f(&r["max_score"]));
            let expected = json
                .iter()
                .filter(|o| bin(f(&o["score"]), f(&o["max_score"])) == b)
                .count();
            assert_eq!(total_bins[b]["count"], expected.to_string());
        }
        assert_eq!(
            total_bins
                .iter()
                .map(|b| b["count"].parse::<usize>().unwrap())
                .sum::<usize>(),
            json.len()
        );

        // Tests: every test, fewest passes first, counts from the reports.
        let tests = elements(&html, "test-row");
        let names: Vec<&str> = tests.iter().map(|t| t["test"].as_str()).collect();
        assert_eq!(names, ["splits", "adds", "joins <&>"]);
        for t in &tests {
            let passed = json
                .iter()
                .flat_map(|r| r["labs"][0]["tests"].as_array().unwrap())
                .filter(|x| x["name"] == t["test"].as_str() && x["status"] == "passed")
                .count();
            assert_eq!(t["passed"], passed.to_string(), "{t:?}");
            assert_eq!(t["graded"], "4");
        }
        assert!(
            html.contains(
                "<li data-count=\"3\">3× assertion `left == right` failed: the split</li>"
            )
        );
        assert!(html.contains("joins &lt;&amp;&gt;"));

        // Timing: one row per student and check, the reports' figures.
        let timing = elements(&html, "timing-row");
        assert_eq!(timing.len(), 2);
        for row in &timing {
            let r = json
                .iter()
                .find(|r| r["submission"] == row["student"].as_str())
                .unwrap();
            let t = &r["labs"][0]["timing"][0];
            assert_eq!(row["measured"], num(f(&t["measured"])));
            assert_eq!(row["threshold"], num(f(&t["threshold"])));
            assert_eq!(row["status"], t["status"].as_str().unwrap());
            assert_eq!(row["disturbed"], t["disturbed_attempts"].to_string());
        }
        assert_eq!(elements(&html, "dot").len(), 2);

        // Problems: timeouts, crashes, busy machines and isolation notes, per student.
        let problems: Vec<(String, String, String)> = elements(&html, "problem-row")
            .into_iter()
            .map(|p| (p["student"].clone(), p["kind"].clone(), p["count"].clone()))
            .collect();
        let mut expected = Vec::new();
        for r in &json {
            let tests = r["labs"][0]["tests"].as_array().unwrap();
            let count = |status: &str| tests.iter().filter(|t| t["status"] == status).count();
            let who = r["submission"].as_str().unwrap().to_string();
            for (kind, n) in [("timeout", count("timeout")), ("crashed", count("crashed"))] {
                if n > 0 {
                    expected.push((who.clone(), kind.to_string(), n.to_string()));
                }
            }
            let busy = r["labs"][0]["timing"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["status"] == "disturbed")
                .count();
            if busy > 0 {
                expected.push((who.clone(), "disturbed".into(), busy.to_string()));
            }
            let left = r["labs"][0]["notes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n.as_str().unwrap().starts_with("tests left "))
                .count();
            if left > 0 {
                expected.push((who.clone(), "leftover_processes".into(), left.to_string()));
            }
            let iso = r["isolation_warnings"].as_array().unwrap().len();
            if iso > 0 {
                expected.push((who.clone(), "isolation".into(), iso.to_string()));
            }
        }
        assert_eq!(problems, expected);

        // Grading time, per submission.
        let times = elements(&html, "time-row");
        for (row, r) in times.iter().zip(&json) {
            assert_eq!(row["student"], r["submission"].as_str().unwrap());
            assert_eq!(row["seconds"], num(f(&r["seconds"])));
            assert_eq!(row["score"], num(f(&r["score"])));
        }
        assert_eq!(times.len(), json.len());
    }

    #[test]
    fn the_page_is_self_contained() {
        let html = render(
            &Summary {
                course: "/c".into(),
                labs: vec!["lab02".into()],
                students: 4,
                jobs: 1,
                seconds: 1.0,
            },
            &class(),
        );
        for external in ["<script", "<link", "src=", "@import", "url("] {
            assert!(!html.contains(external), "{external}");
        }
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    }

    #[test]
    fn bins_cover_the_range_and_first_lines_skip_blanks() {
        assert_eq!(
            (
                bin(0.0, 10.0),
                bin(9.99, 10.0),
                bin(10.0, 10.0),
                bin(1.0, 0.0)
            ),
            (0, 9, 9, 0)
        );
        assert_eq!(bin(5.0, 10.0), 5);
        assert_eq!(first_line("\n  boom\nmore"), "boom");
        assert_eq!(first_line(""), "(no message)");
    }
}
