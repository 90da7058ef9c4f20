//! What the CLI tests share: the binary, the vulndb fixtures, and a run of seaworthy that sees
//! none of the caller's `SEAWORTHY_*` variables, with its cache and home in the test's directory.
#![allow(dead_code, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

pub fn vulndb_testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seaworthy-vulndb/testdata")
        .join(rel)
}

pub fn run(args: &[&str], home: &Path) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("NO_COLOR");
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(home);
    cmd.output().expect("run seaworthy")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
