//! Which text of a RUN is analysed as a shell script.

use std::collections::HashMap;

use seaworthy_dockerfile::context::Context;
use seaworthy_dockerfile::model::Model;
use seaworthy_dockerfile::{Config, Dockerfile};

fn commands(src: &str) -> Vec<String> {
    let df = Dockerfile::parse(src.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let model = Model::new(&df, &HashMap::new(), None);
    let config = Config::default();
    let cx = Context::new(&df, &model, &config);
    cx.commands().map(|(_, c)| c.name.clone()).collect()
}

#[test]
fn heredoc_bodies_run_by_a_shell_are_analysed() {
    for run in [
        "RUN <<EOF",
        "RUN <<EOF bash",
        "RUN <<EOF /bin/sh -eux",
        "RUN bash -e <<EOF",
    ] {
        let src = format!("FROM debian:12\n{run}\napt-get update\ncurl -s x | sh\nEOF\n");
        assert_eq!(commands(&src), vec!["apt-get", "curl", "sh"], "{run}");
    }
}

#[test]
fn heredocs_read_by_other_programs_are_not_shell() {
    let src = "FROM debian:12\nRUN python3 <<EOF\nimport os\nEOF\n";
    assert_eq!(commands(src), vec!["python3"]);
    let src = "FROM debian:12\nRUN cat <<EOF > /etc/motd\nhello world\nEOF\n";
    assert_eq!(commands(src), vec!["cat"]);
}
