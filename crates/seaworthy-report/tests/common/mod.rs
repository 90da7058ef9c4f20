//! A hand-built report shared by the renderer tests: findings in two files and on stdin (no
//! source), suppressed findings of both kinds, a finding of a rule missing from the registry, a
//! clean input and two input errors.

#![allow(dead_code)]

pub mod assess;

use seaworthy_core::{
    Area, CrossRef, Finding, InputError, Location, Peer, Position, Report, RuleMeta, Severity,
    Span, Suppression,
};
use seaworthy_report::{Format, RenderOptions, render};

pub const DOCKERFILE: &str = "\
FROM ubuntu:latest AS build
RUN apt-get update && apt-get install -y curl
# seaworthy ignore=SW-DF-019
RUN apt-get install -y git
COPY . /app
ENV TOKEN=ghp_0123456789abcdef \\
    MODE=prod
";

pub const API_DOCKERFILE: &str = "\
FROM node:latest
WORKDIR /srv
RUN npm install
EXPOSE 22
";

pub static BASE_LATEST: RuleMeta = RuleMeta {
    id: "SW-DF-003",
    name: "base-image-latest",
    title: "Base image uses the latest tag",
    area: Area::Dockerfile,
    group: "trust",
    severity: Severity::High,
    remediation: "Pin the base image to a version tag and a digest.",
    refs: &[
        CrossRef {
            peer: Peer::Hadolint,
            id: "DL3007",
        },
        CrossRef {
            peer: Peer::Dockle,
            id: "DKL-DI-0006",
        },
    ],
    docs: " Flags `FROM` lines whose image has no tag or the `latest` tag.\n\n ## Why\n `latest` moves: two builds of the same\n Dockerfile can start from different images.\n\n ## Fix\n ```dockerfile\n # bad\n FROM ubuntu:latest\n # good\n FROM ubuntu:24.04@sha256:0123\n ```\n",
};

pub static SSH_PORT: RuleMeta = RuleMeta {
    id: "SW-DF-012",
    name: "expose-ssh",
    title: "SSH port exposed",
    area: Area::Dockerfile,
    group: "network",
    severity: Severity::Medium,
    remediation: "Do not run sshd in a container; use `docker exec`.",
    refs: &[CrossRef {
        peer: Peer::Trivy,
        id: "DS004",
    }],
    docs: " Flags `EXPOSE 22`.\n\n ## Why\n An SSH daemon in a container is one more service to patch.\n",
};

pub static APT_UNPINNED: RuleMeta = RuleMeta {
    id: "SW-DF-019",
    name: "apt-get-unpinned",
    title: "apt-get install without package versions",
    area: Area::Dockerfile,
    group: "run",
    severity: Severity::Info,
    remediation: "Pin each package: apt-get install <package>=<version>.",
    refs: &[CrossRef {
        peer: Peer::Hadolint,
        id: "DL3008",
    }],
    docs: " Flags `apt-get install` of packages without a version (`curl` instead of\n `curl=7.88.1-10+deb12u8`).\n\n ## Why\n Builds are not reproducible.\n",
};

pub static SECRET_ENV: RuleMeta = RuleMeta {
    id: "SW-DF-031",
    name: "secret-in-env",
    title: "Secret in ENV",
    area: Area::Dockerfile,
    group: "secrets",
    severity: Severity::Critical,
    remediation: "Pass secrets at build time with `RUN --mount=type=secret`.",
    refs: &[],
    docs: " Flags credentials written into `ENV` or `ARG`: they end up in the image config.\n",
};

pub static NEVER_FIRES: RuleMeta = RuleMeta {
    id: "SW-DF-050",
    name: "healthcheck-missing",
    title: "No HEALTHCHECK",
    area: Area::Dockerfile,
    group: "runtime",
    severity: Severity::Low,
    remediation: "Add a HEALTHCHECK instruction.",
    refs: &[CrossRef {
        peer: Peer::Cis,
        id: "4.6",
    }],
    docs: " Flags images without `HEALTHCHECK`.\n",
};

/// Deliberately unsorted and with a duplicate: renderers sort and dedupe.
pub static RULES: &[&RuleMeta] = &[
    &SECRET_ENV,
    &APT_UNPINNED,
    &BASE_LATEST,
    &NEVER_FIRES,
    &SSH_PORT,
    &APT_UNPINNED,
];

fn pos(text: &str, line: u32, column: u32) -> Position {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = &text[line_start..];
    let col_bytes: usize = rest
        .chars()
        .take(column as usize - 1)
        .map(char::len_utf8)
        .sum();
    Position {
        line,
        column,
        offset: (line_start + col_bytes) as u32,
    }
}

fn at(path: &str, text: &str, start: (u32, u32), end: (u32, u32)) -> Location {
    Location::File {
        path: path.to_string(),
        span: Span {
            start: pos(text, start.0, start.1),
            end: pos(text, end.0, end.1),
        },
    }
}

fn finding(meta: &RuleMeta, location: Location, message: &str) -> Finding {
    Finding {
        rule_id: meta.id.to_string(),
        severity: meta.severity,
        title: meta.title.to_string(),
        message: message.to_string(),
        location,
        evidence: None,
        remediation: meta.remediation.to_string(),
        references: meta.references(),
        suppressed: None,
        origin: None,
    }
}

pub fn report() -> Report {
    let df = "Dockerfile";
    let api = "services/api/Dockerfile";
    let mut findings = Vec::new();

    // Pushed out of order on purpose: Report::new sorts.
    let mut secret = finding(
        &SECRET_ENV,
        at(df, DOCKERFILE, (6, 5), (7, 14)),
        "ENV TOKEN holds a GitHub token: it is stored in the image config",
    );
    secret.evidence = Some("TOKEN=ghp_************".to_string());
    findings.push(secret);

    let mut latest = finding(
        &BASE_LATEST,
        at(df, DOCKERFILE, (1, 6), (1, 19)),
        "`ubuntu:latest` is whatever the registry serves today",
    );
    latest.evidence = Some("ubuntu:latest".to_string());
    findings.push(latest);

    let mut curl = finding(
        &APT_UNPINNED,
        at(df, DOCKERFILE, (2, 23), (2, 46)),
        "curl installed without a version: 100% unpinned, pin with curl=<version>",
    );
    curl.evidence = Some("apt-get install -y curl".to_string());
    findings.push(curl);

    let mut git = finding(
        &APT_UNPINNED,
        at(df, DOCKERFILE, (4, 5), (4, 27)),
        "git installed without a version",
    );
    git.evidence = Some("apt-get install -y git".to_string());
    git.suppressed = Some(Suppression::at("inline", "line 3"));
    findings.push(git);

    let mut node = finding(
        &BASE_LATEST,
        at(api, API_DOCKERFILE, (1, 6), (1, 17)),
        "`node:latest` is whatever the registry serves today",
    );
    node.suppressed = Some(Suppression::at("config", "seaworthy.toml"));
    findings.push(node);

    let mut ssh = finding(
        &SSH_PORT,
        at(api, API_DOCKERFILE, (4, 8), (4, 10)),
        "port 22 (SSH) is exposed",
    );
    ssh.evidence = Some("22".to_string());
    findings.push(ssh);

    // A rule the registry does not know (e.g. from a newer area).
    let mut npm = Finding {
        rule_id: "SW-DF-099".to_string(),
        severity: Severity::Low,
        title: "npm install without a lockfile".to_string(),
        message: "`npm install` ignores package-lock.json; use `npm ci`".to_string(),
        location: at(api, API_DOCKERFILE, (3, 5), (3, 16)),
        evidence: Some("npm install".to_string()),
        remediation: "Use npm ci.".to_string(),
        references: vec![],
        suppressed: None,
        origin: None,
    };
    npm.references.push("hadolint:DL3016".to_string());
    findings.push(npm);

    findings.push(finding(
        &SSH_PORT,
        Location::File {
            path: "<stdin>".to_string(),
            span: Span {
                start: Position {
                    line: 2,
                    column: 8,
                    offset: 20,
                },
                end: Position {
                    line: 2,
                    column: 10,
                    offset: 22,
                },
            },
        },
        "port 22 (SSH) is exposed",
    ));

    let errors = vec![
        InputError {
            path: "missing/Dockerfile".into(),
            line: None,
            column: None,
            message: "cannot read: No such file or directory (os error 2)".into(),
        },
        InputError {
            path: "broken/Dockerfile".into(),
            line: Some(3),
            column: Some(1),
            message: "unterminated heredoc `EOF`".into(),
        },
    ];
    let inputs = [
        "services/api/Dockerfile",
        "Dockerfile",
        "<stdin>",
        "clean/Dockerfile",
        "broken/Dockerfile",
        "missing/Dockerfile",
    ]
    .map(String::from)
    .to_vec();
    Report::new("0.1.0", Severity::High, inputs, findings, errors)
}

pub fn source(path: &str) -> Option<String> {
    match path {
        "Dockerfile" => Some(DOCKERFILE.to_string()),
        "services/api/Dockerfile" => Some(API_DOCKERFILE.to_string()),
        _ => None,
    }
}

pub fn render_with(report: &Report, format: Format, color: bool) -> String {
    let opts = RenderOptions {
        color,
        rules: RULES,
        source: &source,
    };
    render(report, format, &opts)
}

pub fn render_fixture(format: Format) -> String {
    render_with(&report(), format, false)
}

/// The directory of this crate, for vendored schemas and docs.
pub fn crate_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Validates `instance` against the JSON schema at `schema_path` (offline: the schemas have no
/// remote references). Returns the errors, one line each.
pub fn schema_errors(schema_path: &std::path::Path, instance: &serde_json::Value) -> Vec<String> {
    let text = std::fs::read_to_string(schema_path)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    // Formats (uri, date-time, …) are checked, and every schema is evaluated under draft 2020-12
    // (the report schema's own draft). The official SARIF schema says draft-07, whose meta-schema
    // asserts `format: regex`, and its `language` pattern has a stray `]` that only ECMA-262
    // accepts, so it would not compile as draft-07. For that schema 2020-12 changes nothing: its
    // `$ref`s have no sibling but `description`, and the other keywords it uses mean the same.
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The first ```json block of a document under docs/, parsed.
pub fn doc_json_example(doc: &str) -> serde_json::Value {
    let path = crate_dir().join("../../docs").join(doc);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = text.find("```json\n").expect("a json example") + "```json\n".len();
    let len = text[start..].find("```").expect("end of the example");
    serde_json::from_str(&text[start..start + len]).expect("example is JSON")
}

/// docs/report-schema.json: the findings report and the assessment.
pub fn report_schema() -> std::path::PathBuf {
    crate_dir().join("../../docs/report-schema.json")
}
