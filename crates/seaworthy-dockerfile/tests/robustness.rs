//! Hostile input never panics: arbitrary bytes, and Dockerfile-shaped noise built from the
//! syntax that is hardest to get right (continuations, heredocs, quotes, directives, variables).

use proptest::prelude::*;
use seaworthy_dockerfile::shell::Script;
use seaworthy_dockerfile::{Config, LintOptions, lint_bytes};

fn options() -> LintOptions {
    LintOptions {
        config: Config {
            trusted_registries: vec!["docker.io".into()],
            ..Config::default()
        },
        ..LintOptions::default()
    }
}

const PIECES: &[&str] = &[
    "FROM ",
    "from ",
    "RUN ",
    "COPY ",
    "ADD ",
    "ENV ",
    "ARG ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "SHELL ",
    "EXPOSE ",
    "VOLUME ",
    "USER ",
    "WORKDIR ",
    "CMD ",
    "ENTRYPOINT ",
    "LABEL ",
    "AS ",
    "--from=",
    "--mount=type=cache,target=/x ",
    "<<EOF",
    "<<-'EOF'",
    "EOF",
    "\n",
    "\r\n",
    "\\\n",
    "`\n",
    "# ",
    "# escape=`\n",
    "# syntax=x\n",
    "\"",
    "'",
    "$",
    "${A:-",
    "${",
    "}",
    "[",
    "]",
    "\"a\", ",
    "=",
    "apt-get install ",
    "-y ",
    "| sh",
    "&& ",
    "; ",
    "$(curl x)",
    "(",
    ")",
    "{",
    "}",
    "\t",
    " ",
    "alpine:3",
    "0",
    "65536",
    "/",
    "é",
    "\u{feff}",
    "sudo ",
    "sh -c '",
    "if ",
    "then ",
    "fi",
    "<<",
    "<<-",
    "<< ''",
    "\x0c",
    "((",
    "`",
];

fn dockerfile_noise() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = lint_bytes("fuzz", &bytes, &options());
    }

    #[test]
    fn dockerfile_shaped_noise_never_panics(text in dockerfile_noise()) {
        let _ = lint_bytes("fuzz", text.as_bytes(), &options());
        let prefixed = format!("FROM alpine:3.20\n{text}");
        let _ = lint_bytes("fuzz", prefixed.as_bytes(), &options());
    }

    #[test]
    fn shell_scripts_never_panic(text in dockerfile_noise()) {
        let script = Script::parse(&text);
        for c in &script.commands {
            prop_assert!(c.start <= c.end && c.end <= text.len());
        }
    }
}
