#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::{render_fixture, render_with, report};
use seaworthy_core::{Location, Position, Report, Severity, Span};
use seaworthy_report::{Format, RenderOptions, render};

#[test]
fn table() {
    insta::assert_snapshot!(render_fixture(Format::Table));
}

#[test]
fn no_escape_codes_without_color() {
    let out = render_fixture(Format::Table);
    assert!(!out.contains('\u{1b}'), "escape code in plain output");
}

#[test]
fn color_adds_only_styling() {
    let colored = render_with(&report(), Format::Table, true);
    assert!(colored.contains("\u{1b}["));
    assert_eq!(strip_ansi(&colored), render_fixture(Format::Table));
}

#[test]
fn secrets_get_no_code_frame() {
    let out = render_fixture(Format::Table);
    assert!(!out.contains("ghp_0123456789abcdef"), "{out}");
    assert!(out.contains("evidence: TOKEN=ghp_************"));
}

#[test]
fn stale_source_falls_back_to_the_position() {
    let report = report();
    let short = |p: &str| (p == "Dockerfile").then(|| "FROM ubuntu:latest AS build\n".to_string());
    let opts = RenderOptions {
        color: false,
        rules: common::RULES,
        source: &short,
    };
    let out = render(&report, Format::Table, &opts);
    // Line 1 still gets its frame; line 2 is past the end of the text.
    assert!(out.contains("1 | FROM ubuntu:latest AS build"), "{out}");
    assert!(out.contains("  --> Dockerfile:2:23"), "{out}");
}

#[test]
fn hostile_text_cannot_reach_the_terminal() {
    let mut report = report();
    report.findings[0].message =
        "evil \u{1b}]0;title\u{7} \u{9b}2J\n::error file=x::forged\r\u{202e}".to_string();
    report.findings[0].title = "t\n::warning::forged".to_string();
    let hostile = |_: &str| Some("FROM ubuntu:\u{1b}[2Jlatest\r::error::x\r\n".to_string());
    let opts = RenderOptions {
        color: false,
        rules: common::RULES,
        source: &hostile,
    };
    let out = render(&report, Format::Table, &opts);
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{9b}') && !out.contains('\u{7}'),
        "{out}"
    );
    assert!(!out.contains(['\r', '\u{202e}']), "{out}");
    assert!(
        out.lines().all(|l| !l.trim_start().starts_with("::")),
        "no line of input text of its own:\n{out}"
    );
    assert!(
        out.contains("2J\\n::error file=x::forged\\r\\u{202e}"),
        "{out}"
    );
}

#[test]
fn multi_line_and_empty_spans() {
    let text = "FROM alpine\nRUN apk add \\\n      curl \\\n      git\nUSER\n";
    let f = |line, (l1, c1), (l2, c2)| {
        let mut f = report().findings[1].clone();
        f.location = Location::File {
            path: "x/Dockerfile".into(),
            span: Span {
                start: position(text, l1, c1),
                end: position(text, l2, c2),
            },
        };
        f.message = format!("finding {line}");
        f
    };
    let findings = vec![
        f(1, (2, 5), (4, 10)),
        // Ends at the start of the next line: shown as ending with line 5.
        f(2, (5, 1), (6, 1)),
        // Empty span at the end of a line.
        f(3, (5, 5), (5, 5)),
    ];
    let report = Report::new(
        "0.1.0",
        Severity::Critical,
        vec!["x/Dockerfile".into()],
        findings,
        vec![],
    );
    let src = |_: &str| Some(text.to_string());
    let opts = RenderOptions {
        color: false,
        rules: common::RULES,
        source: &src,
    };
    insta::assert_snapshot!(render(&report, Format::Table, &opts));
}

fn position(text: &str, line: u32, column: u32) -> Position {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    Position {
        line,
        column,
        offset: (start + column as usize - 1) as u32,
    }
}

#[test]
fn clean_run() {
    let report = Report::new(
        "0.1.0",
        Severity::High,
        vec!["Dockerfile".into()],
        vec![],
        vec![],
    );
    insta::assert_snapshot!(render_with(&report, Format::Table, false), @"No findings in 1 input, 0 suppressed, 0 errors: PASSED");
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
