//! The assess HTML report: structure without snapshots (escaping, no external references, the
//! charts' numbers from the shared fixture), then the page opened in headless Chromium: the
//! script's counters must match the fixture, and a screenshot is kept under
//! `target/assess-report/`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use seaworthy_report::assess::{AreaKind, Assessment, render_html};

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// The number in the element whose opening tag ends with `id="ID">`.
fn number_in(dom: &str, id: &str) -> usize {
    between(dom, &format!("id=\"{id}\">"), "<")
        .unwrap_or_else(|| panic!("no element #{id}"))
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
}

/// What the script shows by default: every row except the waived ones.
fn expected_shown(a: &Assessment, kind: AreaKind) -> usize {
    let r = a.area(kind).unwrap();
    r.items.iter().filter(|i| !i.is_waived()).count()
}

#[test]
fn page_is_self_contained() {
    let html = render_html(&common::assess::assessment());
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
    ));
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("src="), "nothing is loaded");
    assert!(!lower.contains("<link"), "no stylesheet or preload links");
    assert!(!lower.contains("@import"), "no imported styles");
    assert!(!lower.contains("url("), "no CSS fetches");
    assert!(!lower.contains("http://") && !lower.contains("https://"));
    // Links only jump within the page.
    for href in lower.split("href=\"").skip(1) {
        assert!(href.starts_with('#'), "external link: {}", &href[..40]);
    }
    assert_eq!(lower.matches("<script").count(), 1, "one inline script");
    assert_eq!(lower.matches("<style").count(), 1, "one inline style");
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn untrusted_text_is_escaped_everywhere() {
    let evil = "<script>alert('x')</script> & \"quoted\" <a href=https://evil.test>";
    let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot; \
                   &lt;a href=https://evil.test&gt;";
    let mut a = common::assess::assessment();
    for r in &mut a.areas {
        r.targets.push(evil.to_string());
        r.notes.push(evil.to_string());
        for i in &mut r.items {
            i.finding.title = evil.to_string();
            i.finding.message = evil.to_string();
            i.finding.rule_id = evil.to_string();
            if let Some(v) = &mut i.vulnerability {
                v.package = evil.to_string();
            }
        }
        for c in &mut r.checks {
            c.message = evil.to_string();
        }
        for l in &mut r.layers {
            l.image = evil.to_string();
            l.created_by = Some(evil.to_string());
        }
    }
    a.waivers.expired[0].reason = evil.to_string();
    a.baseline.as_mut().unwrap().resolved[0].title = Some(evil.to_string());
    let html = render_html(&a);
    assert_eq!(html.matches("<script").count(), 1, "only the page's script");
    assert!(!html.contains("<a href=https"));
    assert!(!html.contains("'x'"));
    assert!(!html.contains("\"quoted\""));
    assert!(html.matches(escaped).count() > 20, "{html}");
}

#[test]
fn charts_carry_the_fixture_numbers() {
    let a = common::assess::assessment();
    let html = render_html(&a);
    let severity = between(
        &html,
        "<svg class=\"chart\" id=\"chart-severity\"",
        "</svg>",
    )
    .expect("severity chart");
    assert!(severity.contains("<title id=\"chart-severity-title\">"));
    for r in &a.areas {
        for s in seaworthy_core::Severity::ALL {
            let n = r.summary.by_severity(s);
            let title = format!("<title>{}: {n} {s}</title>", r.area.title());
            assert_eq!(severity.contains(&title), n > 0, "{title}");
        }
    }
    assert!(severity.contains("<title>Image: 2 critical</title>"));
    assert!(severity.contains(">2 critical, 1 high, 1 medium, 1 unknown</text>"));

    let layers = between(&html, "id=\"chart-layers\"", "</svg>").expect("layer chart");
    assert!(layers.contains(">layer 0 (base)<title>"));
    assert!(layers.contains(">layer 1<title>RUN apt-get update &amp;&amp; apt-get install"));
    assert!(layers.contains(">1 critical, 1 medium</text>"));
    assert_eq!(
        layers.matches("class=\"base-mark\"").count(),
        1,
        "one base layer"
    );
    // Layer 2 has nothing: no segment, and 0 as its number.
    assert!(!layers.contains("<title>layer 2: ") && layers.contains(">0</text>"));

    let baseline = between(&html, "id=\"chart-baseline\"", "</svg>").expect("trend chart");
    let b = a.baseline.as_ref().unwrap();
    let (resolved, unchanged, new) = (b.resolved.len(), a.summary.unchanged, a.summary.new);
    assert_eq!((resolved, new), (1, 3));
    assert!(baseline.contains(&format!("<title>{resolved} resolved</title>")));
    assert!(baseline.contains(&format!("<title>{unchanged} unchanged</title>")));
    assert!(baseline.contains(&format!("<title>{new} new</title>")));
    assert!(baseline.contains(&format!(
        "baseline {} → now {}",
        resolved + unchanged,
        unchanged + new
    )));

    let mut no_baseline = a.clone();
    no_baseline.baseline = None;
    let html = render_html(&no_baseline);
    assert!(!html.contains("chart-baseline") && !html.contains("What changed"));
}

#[test]
fn tables_list_every_item_with_its_state() {
    let a = common::assess::assessment();
    let html = render_html(&a);
    for r in &a.areas {
        let area = r.area.as_str();
        let table = between(&html, &format!("id=\"items-{area}\""), "</table>").unwrap();
        assert_eq!(
            table.matches("<tr data-severity=").count(),
            r.items.len(),
            "{area}"
        );
        // Without the script every row shows, and the counter says so.
        assert_eq!(number_in(&html, &format!("shown-{area}")), r.items.len());
        assert_eq!(number_in(&html, &format!("total-{area}")), r.items.len());
        let waived = r.items.iter().filter(|i| i.is_waived()).count();
        assert_eq!(table.matches("data-state=\"waived\"").count(), waived);
        let gating = r.items.iter().filter(|i| i.gating).count();
        assert_eq!(table.matches("data-gating=\"true\"").count(), gating);
        assert!(html.contains(&format!(
            "id=\"filters-{area}\" data-area=\"{area}\" hidden>"
        )));
    }
    assert!(html.contains("id=\"verdict\">FAIL</span>"));
    assert_eq!(number_in(&html, "sum-critical"), a.summary.critical);
    assert_eq!(number_in(&html, "sum-gating"), a.summary.gating);
    // Host checks, every verdict as a word.
    let checks = between(&html, "<table class=\"checks\">", "</table>").unwrap();
    for word in ["PASS", "WARN", "INFO", "N/A"] {
        assert!(checks.contains(&format!("\">{word}</span>")), "{word}");
    }
    assert!(checks.find(">2.2<").unwrap() < checks.find(">2.14<").unwrap());
    // Waivers: the expired one marked, the unused one listed.
    let expired = between(&html, "id=\"waivers-expired\"", "</table>").unwrap();
    assert!(expired.contains("<tr class=\"expired\"><td>EXPIRED</td><td><code>SW-DF-003</code>"));
    let unused = between(&html, "id=\"waivers-unused\"", "</table>").unwrap();
    assert!(unused.contains("<code>CVE-2019-*</code>"));
}

/// `target/` of this build: `CARGO_TARGET_DIR` when set, else the workspace's.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => common::crate_dir().join("../../target"),
    }
}

/// Runs `cmd`, killing it after `limit`; returns (success, stdout, stderr).
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> (bool, String, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium waits") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (
        status.success(),
        stdout.join().unwrap(),
        stderr.join().unwrap(),
    )
}

/// `file://` URL of an absolute path, with the characters a URL path cannot hold encoded.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(char::from(b));
            }
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url
}

/// Headless Chromium on `page` with our flags plus `extra`; a fresh profile each time.
fn chromium(dir: &Path, page: &Path, extra: &[String]) -> String {
    let profile = dir.join("chromium-profile");
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).unwrap();
    let mut cmd = Command::new("chromium");
    cmd.env("HOME", &profile)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(file_url(page));
    let (ok, stdout, stderr) = run_with_timeout(&mut cmd, Duration::from_secs(60));
    let _ = std::fs::remove_dir_all(&profile);
    assert!(ok, "chromium failed:\n{stderr}");
    stdout
}

fn chromium_available() -> bool {
    let found = Command::new("chromium")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let required = std::env::var_os("SEAWORTHY_REQUIRE_DOCKER").is_some_and(|v| v == "1")
            || std::env::var_os("CI").is_some();
        assert!(
            !required,
            "chromium is required here (CI installs it: apt-get install chromium)"
        );
        eprintln!("skipping: chromium not installed (apt-get install chromium)");
    }
    found
}

#[test]
fn chromium_renders_the_counts_and_a_screenshot() {
    if !chromium_available() {
        return;
    }
    let a = common::assess::assessment();
    let dir = std::fs::canonicalize(target_dir())
        .unwrap()
        .join("assess-report");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    std::fs::write(&page, render_html(&a)).unwrap();

    let dom = chromium(&dir, &page, &["--dump-dom".to_string()]);
    assert!(dom.contains("id=\"verdict\">FAIL</span>"), "{dom}");
    for r in &a.areas {
        let area = r.area.as_str();
        // The script ran: it revealed the filters and hid the waived rows.
        assert!(
            dom.contains(&format!("id=\"filters-{area}\" data-area=\"{area}\">")),
            "filters of {area} still hidden"
        );
        let shown = expected_shown(&a, r.area);
        assert_eq!(number_in(&dom, &format!("shown-{area}")), shown, "{area}");
        assert_eq!(number_in(&dom, &format!("total-{area}")), r.items.len());
        let table = between(&dom, &format!("id=\"items-{area}\""), "</table>").unwrap();
        let hidden = table
            .split("<tr ")
            .skip(1)
            .filter(|row| row.split('>').next().unwrap().contains(" hidden"))
            .count();
        assert_eq!(hidden, r.items.len() - shown, "{area}");
    }
    // The fixture's image area: seven items, two of them waived.
    assert_eq!(number_in(&dom, "shown-image"), 5);
    assert_eq!(number_in(&dom, "total-image"), 7);

    let png = dir.join("report.png");
    let _ = std::fs::remove_file(&png);
    chromium(
        &dir,
        &page,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
        ],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 20_000,
        "screenshot too small: {} bytes",
        bytes.len()
    );
}
