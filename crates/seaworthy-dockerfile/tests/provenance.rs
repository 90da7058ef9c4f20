//! History entries to Dockerfile lines, over recorded `created_by` strings.
//!
//! Classic-builder strings were recorded from Docker Engine 20.10.24 (`DOCKER_BUILDKIT=0 docker
//! build`, then the image config's `history` from `docker save`). BuildKit was not runnable
//! here (no buildx); its strings follow moby/buildkit `frontend/dockerfile/dockerfile2llb`
//! (`commitToHistory` appends ` # buildkit` to RUN/COPY/ADD, `runCommandString` writes the
//! `|N K=V` prefix, ENV/LABEL print `K=V`, EXPOSE prints the port list, WORKDIR the absolute
//! path).

use std::collections::HashMap;

use seaworthy_dockerfile::model::Model;
use seaworthy_dockerfile::parser::Dockerfile;
use seaworthy_dockerfile::parser::Keyword;
use seaworthy_dockerfile::provenance::recorded::{self, Recorded};
use seaworthy_dockerfile::provenance::{HistoryStep, Origin, Provenance, fix_hint, map_history};

fn parse(src: &str) -> Dockerfile {
    Dockerfile::parse_str(src).unwrap_or_else(|e| panic!("parse failed: {e}\n{src}"))
}

fn steps<'a>(entries: &[(&'a str, bool)]) -> Vec<HistoryStep<'a>> {
    entries
        .iter()
        .map(|&(created_by, empty_layer)| HistoryStep {
            created_by: (!created_by.is_empty()).then_some(created_by),
            empty_layer,
        })
        .collect()
}

fn map(
    src: &str,
    args: &[(&str, &str)],
    target: Option<&str>,
    entries: &[(&str, bool)],
) -> Provenance {
    let df = parse(src);
    let args: HashMap<String, String> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let model = Model::new(&df, &args, target);
    map_history(&df, &model, &steps(entries))
}

/// `(line, keyword)` of every instruction origin; `(0, "BASE")` / `(0, "?")` for the others.
fn lines(p: &Provenance) -> Vec<(u32, String)> {
    p.origins()
        .iter()
        .map(|o| match o {
            Origin::Instruction {
                line, instruction, ..
            } => (*line, instruction.clone()),
            Origin::Base { .. } => (0, "BASE".into()),
            Origin::Unknown => (0, "?".into()),
        })
        .collect()
}

fn want(items: &[(u32, &str)]) -> Vec<(u32, String)> {
    items.iter().map(|(l, k)| (*l, k.to_string())).collect()
}

const APP: &str = r#"ARG BASE=provexp-base:1
FROM ${BASE} AS build
ARG VER=1.2
RUN echo build $VER > /built.txt

FROM provexp-base:1
LABEL org.example=x \
      other="y z"
ARG VER=3.4
ARG OTHER
ENV APP_HOME=/app MODE=prod
WORKDIR $APP_HOME
COPY a.txt ./
COPY a.txt sub/b.txt /multi/
COPY sub /subdir
ADD a.txt /added.txt
COPY --from=build /built.txt /from-build.txt
RUN echo "ver=$VER" > /ver.txt && \
    echo two >> /ver.txt
RUN ["/bin/busybox", "touch", "/exec.txt"]
USER 1000:1000
EXPOSE 8080 53/udp
VOLUME /data
SHELL ["/bin/sh", "-ec"]
RUN echo shell
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s CMD ["/bin/true"]
ENTRYPOINT ["/bin/sh"]
CMD echo hi
"#;

const APP_LINES: &[(u32, &str)] = &[
    (7, "LABEL"),
    (9, "ARG"),
    (10, "ARG"),
    (11, "ENV"),
    (12, "WORKDIR"),
    (13, "COPY"),
    (14, "COPY"),
    (15, "COPY"),
    (16, "ADD"),
    (17, "COPY"),
    (18, "RUN"),
    (20, "RUN"),
    (21, "USER"),
    (22, "EXPOSE"),
    (23, "VOLUME"),
    (24, "SHELL"),
    (25, "RUN"),
    (26, "STOPSIGNAL"),
    (27, "HEALTHCHECK"),
    (28, "ENTRYPOINT"),
    (29, "CMD"),
];

/// Recorded from the classic builder (`--build-arg OTHER=o`), image config order.
const CLASSIC: &[(&str, bool)] = &[
    ("", false),
    ("/bin/sh -c #(nop)  LABEL org.example=x other=y z", true),
    ("/bin/sh -c #(nop)  ARG VER=3.4", true),
    ("/bin/sh -c #(nop)  ARG OTHER", true),
    ("/bin/sh -c #(nop)  ENV APP_HOME=/app MODE=prod", true),
    ("/bin/sh -c #(nop) WORKDIR /app", false),
    (
        "/bin/sh -c #(nop) COPY file:a596f0888def06c3cad1442667ede22d419985a1c8a3155b838b650c4cf52ecc in ./ ",
        false,
    ),
    (
        "/bin/sh -c #(nop) COPY multi:74209ca17a9fb69c852f1ac6e8d846704299e12bda8859fefb00295bef178156 in /multi/ ",
        false,
    ),
    (
        "/bin/sh -c #(nop) COPY dir:7ca3c89ab5935971df469cea90de592301517cfc30624fe713abf4f2536bb595 in /subdir ",
        false,
    ),
    (
        "/bin/sh -c #(nop) ADD file:a596f0888def06c3cad1442667ede22d419985a1c8a3155b838b650c4cf52ecc in /added.txt ",
        false,
    ),
    (
        "/bin/sh -c #(nop) COPY file:65929e91f5f1add6dda7702ba46bdb379e7cde2dec279738c953ebc3f960c048 in /from-build.txt ",
        false,
    ),
    (
        "|2 OTHER=o VER=3.4 /bin/sh -c echo \"ver=$VER\" > /ver.txt &&     echo two >> /ver.txt",
        false,
    ),
    ("|2 OTHER=o VER=3.4 /bin/busybox touch /exec.txt", false),
    ("/bin/sh -c #(nop)  USER 1000:1000", true),
    ("/bin/sh -c #(nop)  EXPOSE 53/udp 8080", true),
    ("/bin/sh -c #(nop)  VOLUME [/data]", true),
    ("/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]", true),
    ("|2 OTHER=o VER=3.4 /bin/sh -ec echo shell", false),
    ("/bin/sh -ec #(nop)  STOPSIGNAL SIGTERM", true),
    (
        "/bin/sh -ec #(nop)  HEALTHCHECK &{[\"CMD\" \"/bin/true\"] \"30s\" \"0s\" \"0s\" '\\x00'}",
        true,
    ),
    ("/bin/sh -ec #(nop)  ENTRYPOINT [\"/bin/sh\"]", true),
    (
        "/bin/sh -ec #(nop)  CMD [\"/bin/sh\" \"-ec\" \"echo hi\"]",
        true,
    ),
];

/// The same build as BuildKit records it, on a base with its own two-entry history.
const BUILDKIT: &[(&str, bool)] = &[
    (
        "/bin/sh -c #(nop) ADD file:6cccb5f0a3b3947116a0c0f55d071980d94427ba0d6dad17bc68ead832cc0a8f in / ",
        false,
    ),
    ("/bin/sh -c #(nop)  CMD [\"sh\"]", true),
    ("LABEL org.example=x other=y z", true),
    ("ARG VER=3.4", true),
    ("ARG OTHER=o", true),
    ("ENV APP_HOME=/app MODE=prod", true),
    ("WORKDIR /app", false),
    ("COPY a.txt ./ # buildkit", false),
    ("COPY a.txt sub/b.txt /multi/ # buildkit", false),
    ("COPY sub /subdir # buildkit", false),
    ("ADD a.txt /added.txt # buildkit", false),
    ("COPY /built.txt /from-build.txt # buildkit", false),
    (
        "RUN |2 VER=3.4 OTHER=o /bin/sh -c echo \"ver=$VER\" > /ver.txt &&     echo two >> /ver.txt # buildkit",
        false,
    ),
    (
        "RUN |2 VER=3.4 OTHER=o /bin/busybox touch /exec.txt # buildkit",
        false,
    ),
    ("USER 1000:1000", true),
    ("EXPOSE [8080/tcp 53/udp]", true),
    ("VOLUME [/data]", true),
    ("SHELL [/bin/sh -ec]", true),
    (
        "RUN |2 VER=3.4 OTHER=o /bin/sh -ec echo shell # buildkit",
        false,
    ),
    ("STOPSIGNAL SIGTERM", true),
    (
        "HEALTHCHECK {Test:[CMD /bin/true] Interval:30s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}",
        true,
    ),
    ("ENTRYPOINT [\"/bin/sh\"]", true),
    ("CMD [\"/bin/sh\" \"-ec\" \"echo hi\"]", true),
];

#[test]
fn classic_builder_history_maps_to_the_final_stage_lines() {
    let p = map(APP, &[("OTHER", "o")], None, CLASSIC);
    let mut expected = want(&[(0, "BASE")]);
    expected.extend(want(APP_LINES));
    assert_eq!(lines(&p), expected);
    assert_eq!(p.mismatch(), None);
    assert_eq!(
        p.origin(0),
        &Origin::Base {
            from: "provexp-base:1".into(),
            line: 6
        }
    );
    assert!(p.is_base(0) && !p.is_base(1));
}

#[test]
fn buildkit_history_maps_to_the_final_stage_lines() {
    let p = map(APP, &[("OTHER", "o")], None, BUILDKIT);
    let mut expected = want(&[(0, "BASE"), (0, "BASE")]);
    expected.extend(want(APP_LINES));
    assert_eq!(lines(&p), expected);
    assert_eq!(p.mismatch(), None);
}

#[test]
fn continuation_lines_give_the_end_line() {
    let p = map(APP, &[("OTHER", "o")], None, CLASSIC);
    let Origin::Instruction {
        line,
        end_line,
        stage,
        stage_name,
        ..
    } = p.origin(11)
    else {
        panic!("entry 11 is not an instruction: {:?}", p.origin(11));
    };
    assert_eq!(
        (*line, *end_line, *stage, stage_name.as_deref()),
        (18, 19, 1, None)
    );
    let Origin::Instruction { line, end_line, .. } = p.origin(1) else {
        panic!("entry 1 is not an instruction");
    };
    assert_eq!((*line, *end_line), (7, 8));
}

#[test]
fn layers_skip_empty_entries() {
    let p = map(APP, &[("OTHER", "o")], None, CLASSIC);
    // Layers: import, WORKDIR, 5 copies/adds, 3 RUNs.
    assert_eq!(p.layer_count(), 10);
    assert!(p.is_base_layer(0));
    let keyword_line = |layer: usize| match p.origin_of_layer(layer) {
        Origin::Instruction {
            line, instruction, ..
        } => (*line, instruction.clone()),
        other => panic!("layer {layer}: {other:?}"),
    };
    assert_eq!(keyword_line(1), (12, "WORKDIR".into()));
    assert_eq!(keyword_line(6), (17, "COPY".into()));
    assert_eq!(keyword_line(9), (25, "RUN".into()));
    assert_eq!(p.origin_of_layer(10), &Origin::Unknown);
    assert_eq!(p.history_index_of_layer(2), Some(6));
}

#[test]
fn stage_chain_maps_parent_stage_instructions() {
    let src = "ARG DEBIAN=debian:12\n\
               FROM ${DEBIAN} AS deps\n\
               RUN apt-get update && apt-get install -y curl\n\
               FROM deps AS app\n\
               COPY --from=deps /usr/bin/curl /opt/curl\n\
               COPY app /app\n\
               FROM alpine AS unrelated\n\
               RUN echo not in the chain\n";
    let history = [
        ("/bin/sh -c #(nop) ADD file:1111 in / ", false),
        ("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
        (
            "RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
            false,
        ),
        ("COPY /usr/bin/curl /opt/curl # buildkit", false),
        ("COPY app /app # buildkit", false),
    ];
    let p = map(src, &[("DEBIAN", "debian:12.5")], Some("app"), &history);
    assert_eq!(
        lines(&p),
        want(&[
            (0, "BASE"),
            (0, "BASE"),
            (3, "RUN"),
            (5, "COPY"),
            (6, "COPY")
        ])
    );
    assert_eq!(
        p.origin(0),
        &Origin::Base {
            from: "debian:12.5".into(),
            line: 2
        }
    );
    match p.origin(2) {
        Origin::Instruction {
            stage, stage_name, ..
        } => assert_eq!((*stage, stage_name.as_deref()), (0, Some("deps"))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn heredoc_run_as_buildkit_records_it() {
    let src = "FROM alpine:3.20\nRUN <<EOT\napk add --no-cache curl\necho done\nEOT\nRUN <<EOF\n#!/bin/sh\necho hi\nEOF\n";
    let history = [
        ("ADD alpine-minirootfs.tar.gz / # buildkit", false),
        ("CMD [\"/bin/sh\"]", true),
        (
            "RUN /bin/sh -c apk add --no-cache curl\necho done\n # buildkit",
            false,
        ),
        ("RUN /dev/pipes/EOF # buildkit", false),
    ];
    let p = map(src, &[], None, &history);
    assert_eq!(
        lines(&p),
        want(&[(0, "BASE"), (0, "BASE"), (2, "RUN"), (6, "RUN")])
    );
    let Origin::Instruction { end_line, .. } = p.origin(2) else {
        panic!("not an instruction");
    };
    assert_eq!(*end_line, 5);
}

#[test]
fn edited_dockerfile_stops_at_the_first_disagreement() {
    // The image was built before `RUN make` was added: the newest entries still match, the
    // rest is Unknown rather than called base.
    let src = "FROM debian:12\nRUN apt-get update\nRUN make\nCOPY . /src\n";
    let history = [
        ("/bin/sh -c #(nop) ADD file:1111 in / ", false),
        ("/bin/sh -c apt-get update", false),
        ("/bin/sh -c #(nop) COPY dir:2222 in /src ", false),
    ];
    let p = map(src, &[], None, &history);
    assert_eq!(lines(&p), want(&[(0, "?"), (0, "?"), (4, "COPY")]));
    let m = p.mismatch().unwrap_or_else(|| panic!("no mismatch"));
    assert_eq!(
        (m.line, m.instruction.as_str(), m.history_index),
        (3, "RUN", Some(1))
    );
}

#[test]
fn keyword_alone_is_not_enough_for_run_and_copy() {
    let src = "FROM debian:12\nRUN true\n";
    // Same keyword, different command: not a match.
    let p = map(
        src,
        &[],
        None,
        &[("", false), ("/bin/sh -c make true", false)],
    );
    assert_eq!(lines(&p), want(&[(0, "?"), (0, "?")]));
    let src = "FROM debian:12\nCOPY a /etc/a\n";
    let p = map(
        src,
        &[],
        None,
        &[("", false), ("COPY a /etc/b # buildkit", false)],
    );
    assert!(p.mismatch().is_some());
    assert_eq!(p.origin(1), &Origin::Unknown);
}

#[test]
fn env_expanded_copy_destination_and_relative_workdir() {
    let src = "FROM debian:12\nENV DIR=/srv\nWORKDIR $DIR\nWORKDIR app\nCOPY x $DIR/x\n";
    let classic = [
        ("", false),
        ("/bin/sh -c #(nop)  ENV DIR=/srv", true),
        ("/bin/sh -c #(nop) WORKDIR /srv", false),
        ("/bin/sh -c #(nop) WORKDIR app", false),
        ("/bin/sh -c #(nop) COPY file:ab in /srv/x ", false),
    ];
    let buildkit = [
        ("", false),
        ("ENV DIR=/srv", true),
        ("WORKDIR /srv", false),
        ("WORKDIR /srv/app", false),
        ("COPY x /srv/x # buildkit", false),
    ];
    for history in [&classic, &buildkit] {
        let p = map(src, &[], None, history);
        assert_eq!(
            lines(&p),
            want(&[
                (0, "BASE"),
                (2, "ENV"),
                (3, "WORKDIR"),
                (4, "WORKDIR"),
                (5, "COPY")
            ]),
            "{history:?}"
        );
    }
}

#[test]
fn scratch_images_have_no_base_entries() {
    let src = "FROM scratch\nCOPY app /app\n";
    let p = map(src, &[], None, &[("COPY app /app # buildkit", false)]);
    assert_eq!(lines(&p), want(&[(2, "COPY")]));
    let p = map(
        src,
        &[],
        None,
        &[("", false), ("COPY app /app # buildkit", false)],
    );
    assert_eq!(lines(&p), want(&[(0, "?"), (2, "COPY")]));
}

#[test]
fn onbuild_and_missing_arg_entries_are_tolerated() {
    let src = "FROM debian:12\nARG X=1\nONBUILD RUN make\nRUN echo $X\n";
    // BuildKit writes no ONBUILD entry; this history also lacks the ARG.
    let p = map(
        src,
        &[],
        None,
        &[
            ("", false),
            ("RUN |1 X=1 /bin/sh -c echo $X # buildkit", false),
        ],
    );
    assert_eq!(lines(&p), want(&[(0, "BASE"), (4, "RUN")]));
    assert_eq!(p.mismatch(), None);
}

#[test]
fn custom_shell_prefix_and_windows_cmd() {
    let src =
        "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl x | sh\n";
    let history = [
        ("", false),
        ("/bin/sh -c #(nop)  SHELL [/bin/bash -o pipefail -c]", true),
        ("/bin/bash -o pipefail -c curl x | sh", false),
    ];
    let p = map(src, &[], None, &history);
    assert_eq!(lines(&p), want(&[(0, "BASE"), (2, "SHELL"), (3, "RUN")]));
    let src = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo hi\n";
    let p = map(src, &[], None, &[("", false), ("cmd /S /C echo hi", false)]);
    assert_eq!(lines(&p), want(&[(0, "BASE"), (2, "RUN")]));
}

#[test]
fn empty_and_hostile_histories_do_not_panic() {
    let p = map("FROM debian:12\nRUN x\n", &[], None, &[]);
    assert!(p.origins().is_empty());
    assert_eq!(p.origin(5), &Origin::Unknown);
    assert_eq!(p.origin_of_layer(0), &Origin::Unknown);
    let long = format!("/bin/sh -c {}", "é".repeat(400_000));
    let p = map(
        "FROM debian:12\nRUN x\n",
        &[],
        None,
        &[(long.as_str(), false), ("#(nop)", true), ("   ", false)],
    );
    assert_eq!(p.origins().len(), 3);
    assert!(p.mismatch().is_some());
}

#[test]
fn recorded_forms() {
    let r = |s: &str| recorded::parse(s);
    let rec = |k: Keyword, args: &str, nop: bool| {
        Some(Recorded {
            keyword: k,
            args: args.into(),
            classic_nop: nop,
        })
    };
    assert_eq!(
        r("/bin/sh -c #(nop)  CMD [\"x\"]"),
        rec(Keyword::Cmd, "[\"x\"]", true)
    );
    assert_eq!(
        r("/bin/sh -c #(nop) COPY file:ab in /x "),
        rec(Keyword::Copy, "file:ab in /x", true)
    );
    assert_eq!(
        r("|2 A=1 B=2 /bin/sh -c apt-get  install\tx"),
        rec(
            Keyword::Run,
            "|2 A=1 B=2 /bin/sh -c apt-get install x",
            false
        )
    );
    assert_eq!(
        r("RUN /bin/sh -c make # buildkit"),
        rec(Keyword::Run, "/bin/sh -c make", false)
    );
    assert_eq!(
        r("EXPOSE map[80/tcp:{}]"),
        rec(Keyword::Expose, "map[80/tcp:{}]", false)
    );
    assert_eq!(r("ARG X=1"), rec(Keyword::Arg, "X=1", false));
    assert_eq!(r(""), None);
    assert_eq!(r("/bin/sh -c #(nop) frob"), None);
}

#[test]
fn fix_hints_name_the_line_and_the_command() {
    let run = Origin::Instruction {
        line: 18,
        end_line: 19,
        instruction: "RUN".into(),
        stage: 1,
        stage_name: None,
        index: 9,
    };
    assert_eq!(
        fix_hint(&run, "openssl", Some("3.0.15-1~deb12u1"), "deb").as_deref(),
        Some(
            "upgrade openssl to 3.0.15-1~deb12u1 in the RUN at line 18 (`apt-get install openssl=3.0.15-1~deb12u1`)"
        )
    );
    assert_eq!(
        fix_hint(&run, "requests", Some("2.32.0"), "PyPI").as_deref(),
        Some("upgrade requests to 2.32.0 in the RUN at line 18 (`pip install 'requests>=2.32.0'`)")
    );
    assert_eq!(
        fix_hint(&run, "musl", Some("1.2.5-r1"), "apk").as_deref(),
        Some("upgrade musl to 1.2.5-r1 in the RUN at line 18 (`apk add 'musl>=1.2.5-r1'`)")
    );
    let copy = Origin::Instruction {
        line: 13,
        end_line: 13,
        instruction: "COPY".into(),
        stage: 1,
        stage_name: None,
        index: 6,
    };
    assert_eq!(
        fix_hint(&copy, "lodash", Some("4.17.21"), "npm").as_deref(),
        Some("upgrade lodash to 4.17.21 in the COPY at line 13")
    );
    let base = Origin::Base {
        from: "debian:12".into(),
        line: 1,
    };
    assert_eq!(
        fix_hint(&base, "libc6", Some("2.36-9+deb12u9"), "deb").as_deref(),
        Some(
            "bump the base image `FROM debian:12` (line 1) to a release that ships libc6 2.36-9+deb12u9"
        )
    );
    assert_eq!(fix_hint(&base, "libc6", None, "deb"), None);
    assert_eq!(fix_hint(&Origin::Unknown, "libc6", Some("1"), "deb"), None);
    assert_eq!(
        fix_hint(&run, "x", Some("1.0"), "unknown-eco").as_deref(),
        Some("upgrade x to 1.0 in the RUN at line 18")
    );
}

#[test]
fn env_that_names_itself_sees_the_arg_before_it() {
    // Recorded from the classic builder: `ENV APP_DIR=$APP_DIR` keeps the ARG's value, so
    // `WORKDIR $APP_DIR` is /srv/app.
    let src = "FROM debian:12\nARG APP_DIR=/srv/app\nENV APP_DIR=$APP_DIR\nWORKDIR $APP_DIR\n";
    let history = [
        ("", false),
        ("/bin/sh -c #(nop)  ARG APP_DIR=/srv/app", true),
        ("/bin/sh -c #(nop)  ENV APP_DIR=/srv/app", true),
        ("/bin/sh -c #(nop) WORKDIR /srv/app", false),
    ];
    let p = map(src, &[], None, &history);
    assert_eq!(
        lines(&p),
        want(&[(0, "BASE"), (2, "ARG"), (3, "ENV"), (4, "WORKDIR")])
    );
    let df = parse(src);
    let model = Model::new(&df, &HashMap::new(), None);
    assert_eq!(model.expand(&df, 3, "$APP_DIR"), "/srv/app");
}

#[test]
fn quoted_label_keys_legacy_env_and_copy_chown() {
    // Recorded from the classic builder; note the missing space after `--chown=1:1`.
    let src = "FROM debian:12\nLABEL \"com.example.vendor\"=\"ACME Inc\" version=1\nENV LEGACY some value\nCOPY --chown=1:1 Dockerfile /df\n";
    let classic = [
        ("", false),
        (
            "/bin/sh -c #(nop)  LABEL com.example.vendor=ACME Inc version=1",
            true,
        ),
        ("/bin/sh -c #(nop)  ENV LEGACY=some value", true),
        (
            "/bin/sh -c #(nop) COPY --chown=1:1file:d510aefe46a2303ef5449720126e0b92c845a45974cf94d46822249f61d777b7 in /df ",
            false,
        ),
    ];
    let buildkit = [
        ("", false),
        ("LABEL com.example.vendor=ACME Inc version=1", true),
        ("ENV LEGACY=some value", true),
        ("COPY --chown=1:1 Dockerfile /df # buildkit", false),
    ];
    for history in [&classic, &buildkit] {
        let p = map(src, &[], None, history);
        assert_eq!(
            lines(&p),
            want(&[(0, "BASE"), (2, "LABEL"), (3, "ENV"), (4, "COPY")]),
            "{history:?}"
        );
    }
}
