//! Whole-file scanning: credential files recognised by their path, binary and size limits.

use std::path::Path;

use seaworthy_secrets::{Limits, Skip, is_binary, is_candidate_path, scan_file, scan_file_with};

fn read(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(id, line)` of every secret in the test file `rel` scanned as image path `path`, after
/// checking that no masked value shows its secret.
fn found(rel: &str, path: &str) -> Vec<(&'static str, u32)> {
    let bytes = read(rel);
    let text = String::from_utf8_lossy(&bytes);
    scan_file(path, &bytes)
        .iter()
        .map(|s| {
            let value = text.get(s.start..s.end).unwrap_or_default();
            assert!(
                !value.is_empty() && !s.masked.contains(value),
                "{rel}: {}",
                s.masked
            );
            (s.id(), s.line)
        })
        .collect()
}

#[test]
fn docker_config_json() {
    assert_eq!(
        found("home/.docker/config.json", "root/.docker/config.json"),
        vec![
            ("docker-config-auth", 4),
            ("docker-config-identity-token", 8)
        ]
    );
}

#[test]
fn npmrc() {
    assert_eq!(
        found("home/.npmrc", "home/app/.npmrc"),
        vec![("npmrc-auth", 3), ("npmrc-auth", 6)]
    );
}

#[test]
fn pypirc() {
    assert_eq!(
        found("home/.pypirc", "root/.pypirc"),
        vec![("pypi-token", 8), ("pypirc-password", 13)]
    );
    // Outside a `.pypirc` a bare `password = …` line is not reported.
    assert_eq!(
        found("home/.pypirc", "srv/notes.txt"),
        vec![("pypi-token", 8)]
    );
}

#[test]
fn git_credentials() {
    assert_eq!(
        found("home/.git-credentials", "root/.git-credentials"),
        vec![("git-credentials", 1), ("gitlab-pat", 2)]
    );
}

#[test]
fn netrc() {
    assert_eq!(
        found("home/.netrc", "root/.netrc"),
        vec![("netrc-password", 3), ("netrc-password", 5)]
    );
    assert!(found("home/.netrc", "srv/netrc.txt").is_empty());
}

#[test]
fn dotenv() {
    assert_eq!(
        found("app/.env", "srv/app/.env"),
        vec![
            ("url-password", 4),
            ("dotenv-secret", 6),
            ("dotenv-secret", 7)
        ]
    );
}

#[test]
fn gcp_service_account_file() {
    assert_eq!(
        found("app/gcp-sa.json", "srv/app/credentials.json"),
        vec![("gcp-service-account", 5)]
    );
}

#[test]
fn openssh_key_file() {
    let bytes = read("home/id_ed25519");
    let found = scan_file("root/.ssh/id_ed25519", &bytes);
    assert_eq!(found.len(), 1);
    let key = &found[0];
    assert_eq!(key.id(), "openssh-private-key");
    assert_eq!(key.masked, "-----BEGIN OPENSSH PRIVATE KEY-----****");
    // The whole block, END line included.
    assert_eq!(
        bytes.get(key.start..key.end).map(<[u8]>::len),
        Some(bytes.len() - 1)
    );
}

#[test]
fn binary_files_are_skipped() {
    let mut bytes = b"\x7fELF\x02\x01\x01\0".to_vec();
    bytes.extend_from_slice(b"AKIAZ7QWERTYUIOPASDF ghp_aB3dE6gH9jK2mN5pQ8rS1tU4vW7xY0zC3eF6");
    assert!(is_binary(&bytes));
    let scan = scan_file_with("usr/bin/tool", &bytes, &Limits::DEFAULT);
    assert_eq!(scan.skipped, Some(Skip::Binary));
    assert!(scan.secrets.is_empty());
    // A NUL past the sniffed head does not make a text file binary.
    let mut text = "AKIAZ7QWERTYUIOPASDF\n".repeat(500).into_bytes();
    text.push(0);
    assert!(!is_binary(&text));
    // Latin-1 text with a few invalid bytes is still scanned.
    let latin1 = b"caf\xe9 cr\xe8me\nAWS=AKIAZ7QWERTYUIOPASDF\n";
    assert_eq!(scan_file("etc/app.conf", latin1).len(), 1);
    // Random high bytes are binary.
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 0x80)
        .collect();
    assert!(is_binary(&noise));
}

#[test]
fn large_files_are_skipped() {
    let limits = Limits {
        max_file_size: 1024,
        ..Limits::DEFAULT
    };
    let mut bytes = b"AKIAZ7QWERTYUIOPASDF\n".to_vec();
    assert_eq!(scan_file_with("etc/a", &bytes, &limits).secrets.len(), 1);
    bytes.resize(1025, b' ');
    let scan = scan_file_with("etc/a", &bytes, &limits);
    assert_eq!(scan.skipped, Some(Skip::TooLarge));
    assert!(scan.secrets.is_empty());
    assert_eq!(Limits::DEFAULT.max_file_size, 2 * 1024 * 1024);
}

#[test]
fn findings_per_file_are_bounded() {
    let line = "ghp_aB3dE6gH9jK2mN5pQ8rS1tU4vW7xY0zC3eF6\n";
    let bytes = line.repeat(1000).into_bytes();
    assert_eq!(
        scan_file("etc/tokens", &bytes).len(),
        Limits::DEFAULT.max_findings
    );
    let limits = Limits {
        max_findings: 3,
        ..Limits::DEFAULT
    };
    let lines: Vec<u32> = scan_file_with("etc/tokens", &bytes, &limits)
        .secrets
        .iter()
        .map(|s| s.line)
        .collect();
    assert_eq!(lines, vec![1, 2, 3]);
}

#[test]
fn adversarial_anchor_floods_finish() {
    // Every anchor repeated: the scan stays bounded and does not panic.
    let mut text = String::new();
    for p in seaworthy_secrets::patterns() {
        for a in p.anchors() {
            text.push_str(a);
        }
    }
    let flood = text.repeat(2000);
    let started = std::time::Instant::now();
    let _ = scan_file("etc/flood", flood.as_bytes());
    let keys = "-----BEGIN RSA PRIVATE KEY-----\n".repeat(20_000);
    let _ = scan_file("etc/keys", keys.as_bytes());
    let sa = "{\"type\": \"service_account\", ".repeat(40_000);
    let _ = scan_file("etc/sa.json", sa.as_bytes());
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn candidate_paths() {
    for p in [
        "root/.netrc",
        "home/app/.npmrc",
        "root/.docker/config.json",
        "srv/app/.env.production",
        "etc/ssl/private/server.key",
        "app/settings.py",
        "usr/share/doc/app/credentials",
        "/etc/shadow",
        "./opt/app/config.yaml",
    ] {
        assert!(is_candidate_path(p), "{p}");
    }
    for p in [
        "usr/share/doc/bash/README.gz",
        "usr/share/man/man1/ls.1.gz",
        "usr/share/locale/de/LC_MESSAGES/apt.mo",
        "usr/lib/x86_64-linux-gnu/libssl.so.3",
        "usr/lib/python3/dist-packages/yaml/__pycache__/parser.cpython-311.pyc",
        "usr/share/icons/hicolor/48x48/apps/app.png",
        "usr/share/zoneinfo/Europe/Paris",
        "opt/app/lib/app.jar",
    ] {
        assert!(!is_candidate_path(p), "{p}");
    }
}
