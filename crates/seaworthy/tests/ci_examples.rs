//! The CI templates in examples/ci: the GitHub Actions workflow and the GitLab job parse as
//! YAML, and every `seaworthy …` command line of the three files (the Jenkinsfile's `sh` steps
//! too) runs against a fixture repository with its image built by `docker build`: `db update`
//! from a local server serving the recorded Debian tracker sample, then `assess` writing the
//! reports the pipelines upload.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

#[path = "support/assess_project.rs"]
mod assess_project;
#[path = "../../seaworthy-oci/tests/support/daemon_util.rs"]
mod daemon_util;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use assess_project::{BIN, Project, WAIVER_RENEWED, vulndb_testdata};
use serde_json::Value;

fn example(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/ci")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Shell lines of a script, `\` continuations joined.
fn lines(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        let t = line.trim();
        if let Some(head) = t.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(t);
            out.push(std::mem::take(&mut current));
        }
    }
    out.into_iter().filter(|l| !l.is_empty()).collect()
}

fn seaworthy_lines(scripts: &[String]) -> Vec<String> {
    scripts
        .iter()
        .flat_map(|s| lines(s))
        .filter(|l| l.starts_with("seaworthy "))
        .collect()
}

fn github_commands() -> Vec<String> {
    let doc: Value = serde_saphyr::from_str(&example("github-actions.yml")).unwrap();
    assert!(doc["on"].is_object() && doc["permissions"]["security-events"] == "write");
    let steps = doc["jobs"]["assess"]["steps"].as_array().unwrap();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(
        uses.iter()
            .any(|u| u.starts_with("github/codeql-action/upload-sarif")),
        "{uses:?}"
    );
    let scripts: Vec<String> = steps
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_string))
        .collect();
    assert!(scripts.iter().any(|s| s.contains("GITHUB_STEP_SUMMARY")));
    seaworthy_lines(&scripts)
}

fn gitlab_commands() -> Vec<String> {
    let doc: Value = serde_saphyr::from_str(&example("gitlab-ci.yml")).unwrap();
    let job = &doc["seaworthy"];
    assert_eq!(job["artifacts"]["reports"]["junit"], "seaworthy.junit.xml");
    let scripts: Vec<String> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    seaworthy_lines(&scripts)
}

/// The single-quoted `sh '…'` steps of the Jenkinsfile.
fn jenkins_commands() -> Vec<String> {
    let text = example("Jenkinsfile");
    assert!(text.contains("junit ") && text.contains("seaworthy.junit.xml"));
    let scripts: Vec<String> = text
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("sh '")?
                .strip_suffix('\'')
                .map(str::to_string)
        })
        .collect();
    seaworthy_lines(&scripts)
}

/// Serves the files of `dir` over HTTP/1.1 on 127.0.0.1 until the test ends (GET only).
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let file = dir.join(path.trim_start_matches('/'));
            let mut stream = stream;
            let _ = match std::fs::read(&file) {
                Ok(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|_| stream.write_all(&body)),
                Err(_) => stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    url
}

#[test]
fn every_seaworthy_command_of_the_ci_templates_runs() {
    let test = "ci_examples";
    let github = github_commands();
    let gitlab = gitlab_commands();
    let jenkins = jenkins_commands();
    for (name, commands) in [
        ("github", &github),
        ("gitlab", &gitlab),
        ("jenkins", &jenkins),
    ] {
        assert!(
            commands
                .iter()
                .any(|c| c.starts_with("seaworthy db update"))
                && commands.iter().any(|c| c.starts_with("seaworthy assess")),
            "{name}: {commands:?}"
        );
    }
    if !daemon_util::docker_ready(test) {
        return;
    }
    let project = Project::new("ci-examples");
    let www = project.path().join("www");
    std::fs::create_dir_all(www.join("tracker/data")).unwrap();
    std::fs::copy(
        vulndb_testdata("debian/tracker-sample.json"),
        www.join("tracker/data/json"),
    )
    .unwrap();
    // The KEV catalogue too; NVD's yearly feeds and EPSS are left out (empty URLs).
    std::fs::copy(
        vulndb_testdata("intel/known_exploited_vulnerabilities.json"),
        www.join("kev.json"),
    )
    .unwrap();
    let url = serve(www);
    project.write_config_with(
        WAIVER_RENEWED,
        &format!(
            "debian-tracker-url = \"{url}/tracker/data/json\"\nalpine-secdb-url = \"\"\n\
             osv-url = \"\"\nrustsec-url = \"\"\nkev-url = \"{url}/kev.json\"\n\
             wolfi-url = \"\"\nchainguard-url = \"\"\n\
             nvd-url = \"\"\nepss-url = \"\"\n"
        ),
    );
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (name, commands) in [("github", github), ("gitlab", gitlab), ("jenkins", jenkins)] {
        for command in commands {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", &command]);
            for (k, _) in std::env::vars() {
                if k.starts_with("SEAWORTHY_") {
                    cmd.env_remove(k);
                }
            }
            let out = cmd
                .env("PATH", &path)
                .env("IMAGE", &project.app.name)
                .env("SEAWORTHY_DB", project.path().join(".seaworthy/vuln.db"))
                .env("XDG_CACHE_HOME", project.path().join("cache"))
                .env("HOME", project.path())
                .env("CI", "true")
                .current_dir(project.path())
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{name}: `{command}`:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            if command.starts_with("seaworthy assess") {
                for written in command
                    .split_whitespace()
                    .filter_map(|w| w.split_once('=').map(|(_, f)| f))
                {
                    let file = project.path().join(written);
                    let len = std::fs::metadata(&file)
                        .unwrap_or_else(|e| panic!("{name}: {}: {e}", file.display()))
                        .len();
                    assert!(len > 0, "{name}: {written} is empty");
                    if written.ends_with(".json") {
                        let report: Value =
                            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
                        let image = report["areas"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|a| a["area"] == "image")
                            .expect("image area");
                        assert_eq!(
                            image["targets"][0],
                            format!("docker:{}", project.app.name),
                            "--image replaces the configured reference"
                        );
                        assert_eq!(report["passed"], true, "{name}");
                    }
                    std::fs::remove_file(&file).unwrap();
                }
            }
        }
    }
}
