//! Parser tests: one per syntax item BuildKit accepts, plus the hostile-input errors.

use std::collections::HashMap;

use seaworthy_dockerfile::model::{Base, Model};
use seaworthy_dockerfile::parser::{Command, Dockerfile, Healthcheck, Keyword, Kind};

fn parse(src: &str) -> Dockerfile {
    Dockerfile::parse(src.as_bytes()).unwrap_or_else(|e| panic!("parse failed: {e}\n{src}"))
}

fn err(src: &[u8]) -> (Option<u32>, Option<u32>, String) {
    match Dockerfile::parse(src) {
        Ok(_) => panic!("expected an error for {:?}", String::from_utf8_lossy(src)),
        Err(e) => (e.line, e.column, e.message),
    }
}

fn keywords(df: &Dockerfile) -> Vec<Keyword> {
    df.instructions.iter().map(|i| i.keyword).collect()
}

#[test]
fn every_instruction() {
    let df = parse(
        "FROM alpine:3.20 AS base\nRUN true\nCMD [\"sh\"]\nLABEL a=b\nMAINTAINER me\nEXPOSE 80/tcp 443\n\
         ENV A=1\nADD a.tar /\nCOPY a /b\nENTRYPOINT [\"/bin/sh\"]\nVOLUME /data\nUSER app:app\n\
         WORKDIR /app\nARG X=1\nONBUILD RUN make\nSTOPSIGNAL SIGTERM\nHEALTHCHECK NONE\n\
         SHELL [\"/bin/bash\", \"-c\"]\n",
    );
    {
        use Keyword::*;
        assert_eq!(
            keywords(&df),
            vec![
                From,
                Run,
                Cmd,
                Label,
                Maintainer,
                Expose,
                Env,
                Add,
                Copy,
                Entrypoint,
                Volume,
                User,
                Workdir,
                Arg,
                Onbuild,
                Stopsignal,
                Healthcheck,
                Shell
            ]
        );
    }
    let Kind::Onbuild(inner) = &df.instructions[14].kind else {
        panic!()
    };
    assert!(matches!(inner.kind, Kind::Run(Command::Shell(ref s)) if s.text == "make"));
    assert!(matches!(
        df.instructions[16].kind,
        Kind::Healthcheck(Healthcheck::None)
    ));
    let Kind::Shell(shell) = &df.instructions[17].kind else {
        panic!()
    };
    assert_eq!(shell, &vec!["/bin/bash".to_string(), "-c".to_string()]);
    let Kind::Stopsignal(sig) = &df.instructions[15].kind else {
        panic!()
    };
    assert_eq!(sig.value, "SIGTERM");
}

#[test]
fn healthcheck_cmd_with_flags() {
    let df = parse("FROM a\nHEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/\n");
    let ins = &df.instructions[1];
    assert_eq!(ins.flag_value("interval"), Some("5s"));
    let Kind::Healthcheck(Healthcheck::Cmd(Command::Shell(s))) = &ins.kind else {
        panic!()
    };
    assert_eq!(s.text, "curl -f http://localhost/");
}

#[test]
fn keywords_are_case_insensitive() {
    let df = parse("from alpine as Build\nrun echo hi\nCoPy --FROM=build /a /b\n");
    assert_eq!(
        keywords(&df),
        vec![Keyword::From, Keyword::Run, Keyword::Copy]
    );
    assert_eq!(df.instructions[0].keyword_text, "from");
    assert_eq!(df.instructions[2].flag_value("from"), Some("build"));
    let model = Model::new(&df, &HashMap::new(), None);
    assert_eq!(model.stages[0].name.as_deref(), Some("build"));
}

#[test]
fn heredocs_plain_dash_quoted_and_several() {
    let src = "FROM a\nRUN <<EOF\napt-get update\nEOF\nCOPY <<-'A' /a <<\"B\" /b\n\tone $X\n\tA\ntwo\nB\nRUN python3 <<PY\nprint(1)\nPY\nCMD x\n";
    let df = parse(src);
    assert_eq!(
        keywords(&df),
        vec![
            Keyword::From,
            Keyword::Run,
            Keyword::Copy,
            Keyword::Run,
            Keyword::Cmd
        ]
    );
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    assert_eq!(run.heredocs[0].body, "apt-get update\n");
    assert!(!run.heredocs[0].quoted);
    let copy = &df.instructions[2];
    assert_eq!(copy.heredocs.len(), 2);
    assert!(copy.heredocs[0].strip_tabs && copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[0].body, "one $X\n");
    assert_eq!(copy.heredocs[1].body, "two\n");
    // The body's span points at its first line.
    let body = df.span(copy.heredocs[1].body_range);
    assert_eq!(body.start.line, 8);
    // The whole instruction range ends on the last terminator.
    assert_eq!(df.span(copy.range).end.line, 9);
}

#[test]
fn escape_and_syntax_directives() {
    let src = "# syntax=docker/dockerfile:1.7\n# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\Windows\nCOPY C:\\a\\b C:\\dest\\\n";
    let df = parse(src);
    assert_eq!(df.directives.escape, '`');
    assert_eq!(
        df.directives.syntax.as_deref(),
        Some("docker/dockerfile:1.7")
    );
    let Kind::Run(Command::Shell(s)) = &df.instructions[1].kind else {
        panic!()
    };
    assert_eq!(s.text, "dir   C:\\Windows");
    let Kind::Copy(c) = &df.instructions[2].kind else {
        panic!()
    };
    assert_eq!(c.sources[0].value, "C:\\a\\b");
}

#[test]
fn directive_after_comment_is_a_comment() {
    let df = parse("# hello\n# escape=`\nFROM a\nRUN a \\\n b\n");
    assert_eq!(df.directives.escape, '\\');
    assert_eq!(df.comments.len(), 2);
}

#[test]
fn continuations_with_comments_and_spans() {
    let src = "FROM debian:12\nRUN apt-get update \\\n# comment inside\n    && apt-get install -y \\\n\n      curl\n";
    let df = parse(src);
    let ins = &df.instructions[1];
    let Kind::Run(Command::Shell(s)) = &ins.kind else {
        panic!()
    };
    assert_eq!(
        s.text,
        "apt-get update     && apt-get install -y       curl"
    );
    // `curl` maps back to line 6, column 7.
    let at = ins.text.find("curl").unwrap_or(0);
    let pos = df.index.position(&df.source, ins.map.to_source(at));
    assert_eq!((pos.line, pos.column), (6, 7));
    assert_eq!(df.comments[0].line, 3);
}

#[test]
fn exec_and_shell_forms() {
    let df =
        parse("FROM a\nCMD [\"a\", \"b c\"]\nCMD a b\nENTRYPOINT ['a']\nRUN [ -f x ] && echo\n");
    assert!(
        matches!(&df.instructions[1].kind, Kind::Cmd(Command::Exec { args, .. }) if args == &["a", "b c"])
    );
    assert!(matches!(
        &df.instructions[2].kind,
        Kind::Cmd(Command::Shell(_))
    ));
    // Not valid JSON: Docker runs it through the shell.
    assert!(matches!(
        &df.instructions[3].kind,
        Kind::Entrypoint(Command::Shell(_))
    ));
    assert!(matches!(
        &df.instructions[4].kind,
        Kind::Run(Command::Shell(_))
    ));
}

#[test]
fn flags_of_every_kind() {
    let df = parse(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS b\n\
         RUN --mount=type=secret,id=npm,target=/root/.npmrc --mount=type=cache,target=/go/pkg --mount=type=bind,source=.,target=/src --network=none make\n\
         COPY --from=b --chown=1000:1000 --chmod=0755 --link /out /usr/bin/\n\
         ADD --checksum=sha256:abc https://example.com/x.tgz /x.tgz\n",
    );
    assert_eq!(
        df.instructions[0].flag_value("platform"),
        Some("$BUILDPLATFORM")
    );
    let run = &df.instructions[1];
    let mounts: Vec<_> = run.flags.iter().filter(|f| f.name == "mount").collect();
    assert_eq!(mounts.len(), 3);
    assert!(
        mounts[0]
            .value
            .as_deref()
            .is_some_and(|v| v.starts_with("type=secret"))
    );
    assert_eq!(run.flag_value("network"), Some("none"));
    let Kind::Run(Command::Shell(s)) = &run.kind else {
        panic!()
    };
    assert_eq!(s.text, "make");
    let copy = &df.instructions[2];
    assert_eq!(copy.flag_value("chown"), Some("1000:1000"));
    assert_eq!(copy.flag_value("chmod"), Some("0755"));
    assert!(copy.flag("link").is_some_and(|f| f.value.is_none()));
    assert_eq!(
        df.instructions[3].flag_value("checksum"),
        Some("sha256:abc")
    );
}

#[test]
fn args_before_from_and_build_args() {
    let src = "ARG REGISTRY=docker.io\nARG TAG\nFROM ${REGISTRY}/library/alpine:${TAG:-3.20} AS base\nFROM base\nARG TAG\nRUN echo $TAG\n";
    let df = parse(src);
    let model = Model::new(&df, &HashMap::new(), None);
    assert!(
        matches!(&model.stages[0].base, Base::Image { reference, .. } if reference == "docker.io/library/alpine:3.20")
    );
    assert_eq!(model.stages[1].base, Base::Stage(0));
    let args = HashMap::from([
        ("TAG".to_string(), "3.19".to_string()),
        ("REGISTRY".to_string(), "quay.io".to_string()),
    ]);
    let model = Model::new(&df, &args, None);
    assert!(
        matches!(&model.stages[0].base, Base::Image { reference, .. } if reference == "quay.io/library/alpine:3.19")
    );
    // A stage sees a meta ARG only after re-declaring it.
    assert_eq!(model.lookup(&df, 5, "TAG").as_deref(), Some("3.19"));
}

#[test]
fn variable_forms() {
    let df = parse(
        "FROM a\nENV A=1 B=\"two words\"\nENV C=${A:+set} D=${NOPE:-dflt} E=$A${B}\nWORKDIR /x\n",
    );
    let model = Model::new(&df, &HashMap::new(), None);
    assert_eq!(model.lookup(&df, 3, "C").as_deref(), Some("set"));
    assert_eq!(model.lookup(&df, 3, "D").as_deref(), Some("dflt"));
    assert_eq!(model.lookup(&df, 3, "E").as_deref(), Some("1two words"));
}

#[test]
fn unresolved_base_is_reported_as_such() {
    let df = parse("ARG BASE\nFROM $BASE\n");
    let model = Model::new(&df, &HashMap::new(), None);
    assert!(
        matches!(&model.stages[0].base, Base::Unresolved { missing, .. } if missing == &["BASE"])
    );
}

#[test]
fn multi_stage_aliases_indexes_and_target() {
    let df = parse(
        "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20 AS run\nCOPY --from=0 /a /a\nCOPY --from=build /b /b\nFROM run AS debug\n",
    );
    let model = Model::new(&df, &HashMap::new(), Some("run"));
    assert_eq!(model.stages.len(), 3);
    assert_eq!(model.target, 1);
    assert_eq!(model.stage_by_ref("0", 1), Some(0));
    assert_eq!(model.stage_by_ref("BUILD", 1), Some(0));
    assert_eq!(model.stage_by_ref("debug", 1), None);
    let model = Model::new(&df, &HashMap::new(), None);
    assert_eq!(model.target_chain(), vec![2, 1]);
    assert_eq!(model.stage_of[3], Some(1));
}

#[test]
fn crlf_and_bom() {
    let df = parse("\u{feff}FROM alpine\r\nRUN echo a \\\r\n  b\r\n");
    let Kind::Run(Command::Shell(s)) = &df.instructions[1].kind else {
        panic!()
    };
    assert_eq!(s.text, "echo a   b");
    assert_eq!(df.instructions.len(), 2);
}

#[test]
fn legacy_env_and_label() {
    let df = parse("FROM a\nENV PATH /usr/local/bin:$PATH\nLABEL maintainer \"Jane Doe\"\n");
    let Kind::Env { pairs, legacy } = &df.instructions[1].kind else {
        panic!()
    };
    assert!(*legacy);
    assert_eq!(
        (pairs[0].key.as_str(), pairs[0].value.as_str()),
        ("PATH", "/usr/local/bin:$PATH")
    );
    let Kind::Label(labels) = &df.instructions[2].kind else {
        panic!()
    };
    assert_eq!(labels[0].value, "Jane Doe");
}

#[test]
fn spans_point_at_words() {
    let df = parse("FROM alpine\nEXPOSE 80 22\n");
    let Kind::Expose(ports) = &df.instructions[1].kind else {
        panic!()
    };
    let span = df.span(ports[1].range);
    assert_eq!(
        (span.start.line, span.start.column, span.end.column),
        (2, 11, 13)
    );
}

#[test]
fn errors_carry_line_and_column() {
    assert_eq!(
        err(b"FROM a\n  BOGUS x\n"),
        (Some(2), Some(3), "unknown instruction `BOGUS`".into())
    );
    let (line, col, msg) = err(b"FROM a\nCOPY onlyone\n");
    assert_eq!((line, col), (Some(2), Some(6)));
    assert!(msg.contains("two arguments"), "{msg}");
    let (line, _, msg) = err(b"RUN x\nFROM a\n");
    assert_eq!(line, Some(1));
    assert!(msg.contains("before the first FROM"), "{msg}");
    let (line, _, msg) = err(b"FROM a\nSHELL /bin/bash -c\n");
    assert_eq!(line, Some(2));
    assert!(msg.contains("JSON"), "{msg}");
    assert!(err(b"FROM a b c d\n").2.contains("FROM"));
    assert!(
        err(b"FROM a\nONBUILD ONBUILD RUN x\n")
            .2
            .contains("ONBUILD")
    );
}

#[test]
fn hostile_inputs_are_clean_errors() {
    assert!(err(b"").2.contains("no instructions"));
    assert!(err(b"# only a comment\n\n").2.contains("no instructions"));
    assert!(err(b"FROM a\nRUN \x00\x01\x02").2.contains("binary"));
    assert_eq!(err(b"FROM a\nRUN echo \xc3\x28\n").0, Some(2));
    let mut long = b"FROM a\nRUN echo ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    let (_, _, msg) = err(&long);
    assert!(msg.contains("byte"), "{msg}");
    assert!(
        err(b"FROM a\nRUN <<EOF\nno end\n")
            .2
            .contains("unterminated heredoc")
    );
}

#[test]
fn json_elements_keep_their_own_spans() {
    let df =
        parse("FROM a\nVOLUME [\"/data\", \"/var/run/docker.sock\"]\nCOPY [\"a b\", \"/dst/\"]\n");
    let Kind::Volume(v) = &df.instructions[1].kind else {
        panic!()
    };
    let span = df.span(v[1].range);
    assert_eq!((span.start.column, span.end.column), (18, 40));
    let Kind::Copy(c) = &df.instructions[2].kind else {
        panic!()
    };
    assert_eq!(df.slice(c.dest.range), "\"/dst/\"");
}
