//! Distribution advisory sources: the Debian tracker JSON, the tracker's CVE/DSA/DLA/DTSA lists
//! and Alpine secdb, read from real excerpts (origins in testdata/debian/SOURCES.md and
//! testdata/alpine/SOURCES.md). Expected values were read off the fixtures by eye.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use seaworthy_vulndb::model::{Advisory, Affected, Event, Range, Status};
use seaworthy_vulndb::sources::{Parsed, alpine_secdb, debian_list, debian_tracker};

fn fixture(path: &str) -> String {
    let path = format!("{}/testdata/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn advisory<'p>(parsed: &'p Parsed, id: &str) -> &'p Advisory {
    parsed
        .advisories
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no advisory {id}"))
}

fn affected<'a>(advisory: &'a Advisory, ecosystem: &str, package: &str) -> &'a Affected {
    advisory
        .affected
        .iter()
        .find(|a| a.ecosystem == ecosystem && a.package == package)
        .unwrap_or_else(|| panic!("{}: nothing for {ecosystem} {package}", advisory.id))
}

/// The fixed version of an `Affected` with the usual `[0, fixed)` range.
fn fixed(affected: &Affected) -> &str {
    assert_eq!(affected.status, Status::Affected, "{affected:?}");
    match affected.ranges.as_slice() {
        [
            Range::Events {
                semver: false,
                events,
            },
        ] => match events.as_slice() {
            [Event::Introduced(zero), Event::Fixed(v)] if zero == "0" => v,
            other => panic!("unexpected events {other:?}"),
        },
        other => panic!("unexpected ranges {other:?}"),
    }
}

fn ids(parsed: &Parsed) -> Vec<&str> {
    parsed.advisories.iter().map(|a| a.id.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// Debian tracker JSON

fn tracker_sample() -> Parsed {
    let text = fixture("debian/tracker-sample.json");
    debian_tracker::parse(text.as_bytes(), "tracker-sample.json").unwrap()
}

#[test]
fn tracker_json_one_advisory_per_cve() {
    let parsed = tracker_sample();
    assert_eq!(
        ids(&parsed),
        [
            "CVE-2008-7220",
            "CVE-2007-2383",
            "CVE-2013-1444",
            "CVE-2005-3111",
            "CVE-2022-0456",
            "CVE-2025-53603",
            "CVE-2022-0358",
        ]
    );
    assert_eq!(parsed.skipped, 0, "{:?}", parsed.problems);
    assert!(
        parsed
            .advisories
            .iter()
            .all(|a| a.source == "debian-tracker")
    );
}

#[test]
fn tracker_json_resolved_releases() {
    let parsed = tracker_sample();
    let prototype = advisory(&parsed, "CVE-2008-7220");
    assert_eq!(prototype.affected.len(), 4);
    for release in ["stretch", "jessie", "buster", "sid"] {
        let a = affected(prototype, &format!("debian:{release}"), "prototypejs");
        assert_eq!(fixed(a), "1.6.0.2-1");
        // `high**`: the stars (NVD-derived) are dropped.
        assert_eq!(a.severity.as_deref(), Some("high"));
    }
    let txt2man = affected(
        advisory(&parsed, "CVE-2013-1444"),
        "debian:jessie",
        "txt2man",
    );
    assert_eq!(fixed(txt2man), "1.5.5-4.1");
    assert_eq!(txt2man.severity.as_deref(), Some("low"));

    let sope = advisory(&parsed, "CVE-2025-53603");
    assert_eq!(
        fixed(affected(sope, "debian:bookworm", "sope")),
        "5.8.0-1+deb12u1"
    );
    assert_eq!(fixed(affected(sope, "debian:trixie", "sope")), "5.12.1-2");
    // `not yet assigned` is no severity.
    assert_eq!(affected(sope, "debian:trixie", "sope").severity, None);
}

#[test]
fn tracker_json_not_affected_and_end_of_life() {
    let parsed = tracker_sample();
    let json_hijacking = advisory(&parsed, "CVE-2007-2383");
    let a = affected(json_hijacking, "debian:buster", "prototypejs");
    assert_eq!(a.status, Status::NotAffected);
    assert!(a.ranges.is_empty());
    assert_eq!(a.severity.as_deref(), Some("unimportant"));

    let chromium = advisory(&parsed, "CVE-2022-0456");
    assert_eq!(
        fixed(affected(chromium, "debian:bullseye", "chromium")),
        "98.0.4758.80-1~deb11u1"
    );
    // `open` with urgency `end-of-life`: the release is out of security support.
    for release in ["debian:buster", "debian:stretch"] {
        let a = affected(chromium, release, "chromium");
        assert_eq!(a.status, Status::EndOfLife);
        assert_eq!(a.severity, None);
    }
    // No description in the record.
    assert_eq!(chromium.summary, None);
    // `"releases": []` gives an advisory without packages, not an error.
    assert!(advisory(&parsed, "CVE-2022-0358").affected.is_empty());
}

#[test]
fn tracker_json_summary_is_shortened() {
    let parsed = tracker_sample();
    // The NVD description of CVE-2007-2383 is 372 characters.
    let summary = advisory(&parsed, "CVE-2007-2383").summary.clone().unwrap();
    assert!(summary.starts_with("The Prototype (prototypejs) framework before 1.5.1 RC3"));
    assert!(summary.ends_with('…'), "{summary}");
    assert!(summary.chars().count() <= 301);
    assert_eq!(
        advisory(&parsed, "CVE-2005-3111").summary.as_deref(),
        Some(
            "The handler code for backupninja 0.8 and earlier creates temporary files with \
             predictable filenames, which allows local users to modify arbitrary files via a \
             symlink attack."
        )
    );
}

/// The sample has no `open` records with `nodsa` and no `undetermined` ones (no corpus file
/// does). The record below has the tracker's shape for them: `openssl` in bullseye as the
/// tracker served it ("nodsa": "Minor issue", "nodsa_reason": ""), plus its `ignored`,
/// `postponed` and `undetermined` variants.
#[test]
fn tracker_json_open_states() {
    let json = r#"{"openssl": {"CVE-2023-5678": {"description": "Issue summary: …",
        "releases": {
          "bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.13-1~deb12u1"},
                       "fixed_version": "3.0.13-1~deb12u1", "urgency": "not yet assigned"},
          "bullseye": {"status": "open", "repositories": {"bullseye": "1.1.1w-0+deb11u1"},
                       "urgency": "not yet assigned", "nodsa": "Minor issue", "nodsa_reason": ""},
          "buster": {"status": "open", "repositories": {"buster": "1.1.1n-0+deb10u3"},
                     "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "ignored"},
          "trixie": {"status": "open", "repositories": {"trixie": "3.0.11-1"},
                     "urgency": "medium*", "nodsa": "Fix along in next point release",
                     "nodsa_reason": "postponed"},
          "sid": {"status": "open", "repositories": {"sid": "3.0.11-1"}, "urgency": "medium**"},
          "forky": {"status": "undetermined", "repositories": {"forky": "3.0.11-1"},
                    "urgency": "not yet assigned"}
        }}}}"#;
    let parsed = debian_tracker::parse(json.as_bytes(), "inline").unwrap();
    let a = advisory(&parsed, "CVE-2023-5678");
    assert_eq!(
        fixed(affected(a, "debian:bookworm", "openssl")),
        "3.0.13-1~deb12u1"
    );
    let bullseye = affected(a, "debian:bullseye", "openssl");
    assert_eq!(bullseye.status, Status::NoDsa);
    assert_eq!(bullseye.note.as_deref(), Some("no-dsa: Minor issue"));
    let buster = affected(a, "debian:buster", "openssl");
    assert_eq!(buster.status, Status::Ignored);
    assert_eq!(buster.severity.as_deref(), Some("low"));
    let trixie = affected(a, "debian:trixie", "openssl");
    assert_eq!(trixie.status, Status::Postponed);
    assert_eq!(
        trixie.note.as_deref(),
        Some("postponed: Fix along in next point release")
    );
    assert_eq!(trixie.severity.as_deref(), Some("medium"));
    let sid = affected(a, "debian:sid", "openssl");
    assert_eq!(sid.status, Status::Unfixed);
    assert!(sid.ranges.is_empty());
    let forky = affected(a, "debian:forky", "openssl");
    assert_eq!(forky.status, Status::Unfixed);
    assert_eq!(forky.note.as_deref(), Some("undetermined"));
}

#[test]
fn tracker_json_bad_records_are_skipped() {
    let json = r#"{"txt2man": {"CVE-2013-1444": {"releases": {
            "jessie": {"status": "resolved", "fixed_version": "1.5.5-4.1", "urgency": "low**"},
            "sid": {"status": "weird"},
            "buster": 17}},
        "CVE-2013-9999": "not an object"},
        "backupninja": [1, 2]}"#;
    let parsed = debian_tracker::parse(json.as_bytes(), "inline").unwrap();
    assert_eq!(ids(&parsed), ["CVE-2013-1444"]);
    assert_eq!(
        advisory(&parsed, "CVE-2013-1444").affected.len(),
        1,
        "only jessie is readable"
    );
    // sid (unknown status), buster (not an object), CVE-2013-9999, backupninja.
    assert_eq!(parsed.skipped, 4, "{:?}", parsed.problems);
    assert!(parsed.problems.iter().any(|p| p.contains("weird")));
}

#[test]
fn tracker_json_truncated_is_an_error() {
    let text = fixture("debian/tracker-sample.json");
    let half = &text.as_bytes()[..text.len() / 2];
    let err = debian_tracker::parse(half, "debian.json").unwrap_err();
    assert_eq!(err.file, "debian.json");
    assert!(
        err.to_string()
            .starts_with("debian.json: invalid tracker JSON")
    );
    assert!(debian_tracker::parse(b"[]", "x.json").is_err());
    assert!(debian_tracker::parse(b"{} trailing", "x.json").is_err());
    assert!(
        debian_tracker::parse(b"{}", "x.json")
            .unwrap()
            .advisories
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// Debian data/CVE/list

fn cve_list() -> Parsed {
    debian_list::parse_cve_list(&fixture("debian/excerpts/CVE.list"), "CVE/list").unwrap()
}

#[test]
fn cve_list_entries() {
    let parsed = cve_list();
    // anubis (<itp> only), NOT-FOR-US, REJECTED and TODO-only entries give no advisory and
    // are not skips.
    assert_eq!(
        ids(&parsed),
        [
            "TEMP-0000000-556898",
            "TEMP-0000000-0CA7E3",
            "CVE-2026-27205",
            "CVE-2026-27171",
            "CVE-2024-42141",
            "CVE-2024-21096",
            "CVE-2020-25670",
            "CVE-2019-25338",
            "CVE-2013-1629",
        ]
    );
    assert_eq!(parsed.skipped, 0, "{:?}", parsed.problems);
    assert!(
        parsed
            .advisories
            .iter()
            .all(|a| a.source == "debian-cve-list")
    );
}

#[test]
fn cve_list_temp_entries_are_named_like_the_tracker() {
    let parsed = cve_list();
    // The tracker names `CVE-2023-XXXX [Other security issues from wordpress 6.3.2]`
    // TEMP-0000000-556898 (as recorded in the vuls fixtures).
    let wordpress = advisory(&parsed, "TEMP-0000000-556898");
    assert_eq!(
        wordpress.summary.as_deref(),
        Some("Other security issues from wordpress 6.3.2")
    );
    assert_eq!(
        affected(wordpress, "debian:sid", "wordpress").status,
        Status::Unfixed
    );
    let xss = advisory(&parsed, "TEMP-0000000-0CA7E3");
    let a = affected(xss, "debian:sid", "wordpress");
    assert_eq!(a.status, Status::NotAffected);
    assert_eq!(
        a.note.as_deref(),
        Some("not-affected: Vulnerable code not present")
    );
}

#[test]
fn cve_list_release_lines() {
    let parsed = cve_list();
    let flask = advisory(&parsed, "CVE-2026-27205");
    assert_eq!(
        flask.summary.as_deref(),
        Some("Flask is a web server gateway interface (WSGI) web application framewo ...")
    );
    let sid = affected(flask, "debian:sid", "flask");
    assert_eq!(fixed(sid), "3.1.3-1");
    assert_eq!(sid.severity, None, "(bug #1128620) has no urgency");
    for release in ["debian:trixie", "debian:bookworm"] {
        let a = affected(flask, release, "flask");
        assert_eq!(a.status, Status::NoDsa);
        assert_eq!(a.note.as_deref(), Some("no-dsa: Minor issue"));
    }
    let bullseye = affected(flask, "debian:bullseye", "flask");
    assert_eq!(bullseye.status, Status::Postponed);
    assert_eq!(
        bullseye.note.as_deref(),
        Some("postponed: Minor issue, hard to trigger")
    );

    let zlib = advisory(&parsed, "CVE-2026-27171");
    assert_eq!(affected(zlib, "debian:sid", "zlib").status, Status::Unfixed);
    // Free text with a `;` is a note, not urgency annotations.
    assert_eq!(
        affected(zlib, "debian:bullseye", "zlib").note.as_deref(),
        Some("postponed: Minor issue; hardening of API")
    );

    let linux = advisory(&parsed, "CVE-2024-42141");
    assert_eq!(fixed(affected(linux, "debian:sid", "linux")), "6.9.9-1");
    assert_eq!(
        affected(linux, "debian:bookworm", "linux").status,
        Status::NotAffected
    );
    assert_eq!(
        affected(linux, "debian:bullseye", "linux").status,
        Status::NotAffected
    );
}

#[test]
fn cve_list_aliases_removed_and_urgency() {
    let parsed = cve_list();
    let mysql = advisory(&parsed, "CVE-2024-21096");
    assert_eq!(mysql.aliases, ["DLA-3891-1"]);
    // mariadb-10.5 and mariadb-10.3 `<removed>` lines give nothing.
    assert_eq!(mysql.affected.len(), 4);
    assert_eq!(
        fixed(affected(mysql, "debian:sid", "mysql-8.0")),
        "8.0.37-1"
    );
    assert_eq!(
        fixed(affected(mysql, "debian:sid", "mariadb")),
        "1:10.11.8-1"
    );
    assert_eq!(
        fixed(affected(mysql, "debian:bookworm", "mariadb")),
        "1:10.11.11-0+deb12u1"
    );
    assert_eq!(
        affected(mysql, "debian:bullseye", "mariadb-10.5").status,
        Status::NoDsa
    );
    assert!(!mysql.affected.iter().any(|a| a.package == "mariadb-10.3"));

    let llcp = advisory(&parsed, "CVE-2020-25670");
    assert_eq!(llcp.aliases, ["DLA-2690-1", "DLA-2689-1"]);
    assert_eq!(
        fixed(affected(llcp, "debian:buster", "linux")),
        "4.19.194-1"
    );

    let dokuwiki = affected(
        advisory(&parsed, "CVE-2019-25338"),
        "debian:sid",
        "dokuwiki",
    );
    assert_eq!(dokuwiki.status, Status::Unfixed);
    assert_eq!(dokuwiki.note.as_deref(), Some("undetermined"));

    let pip = advisory(&parsed, "CVE-2013-1629");
    assert_eq!(pip.affected.len(), 6);
    let sid = affected(pip, "debian:sid", "python-pip");
    assert_eq!(fixed(sid), "1.3.1-1");
    assert_eq!(sid.severity.as_deref(), Some("low"));
    let virtualenv = affected(pip, "debian:sid", "python-virtualenv");
    assert_eq!(virtualenv.severity.as_deref(), Some("medium"));
    assert_eq!(
        affected(pip, "debian:squeeze", "python-virtualenv").status,
        Status::NoDsa
    );
}

/// No corpus excerpt has an `<ignored>` line: the zlib entry with its bullseye line changed to
/// `<ignored>` (the tracker writes `[release] - package <ignored> (reason)`).
#[test]
fn cve_list_ignored() {
    let text = fixture("debian/excerpts/CVE.list").replace(
        "[bullseye] - zlib <postponed>",
        "[bullseye] - zlib <ignored>",
    );
    let parsed = debian_list::parse_cve_list(&text, "CVE/list").unwrap();
    let a = affected(
        advisory(&parsed, "CVE-2026-27171"),
        "debian:bullseye",
        "zlib",
    );
    assert_eq!(a.status, Status::Ignored);
    assert_eq!(
        a.note.as_deref(),
        Some("ignored: Minor issue; hardening of API")
    );
}

#[test]
fn cve_list_malformed_lines_skip_their_entry() {
    let text = fixture("debian/excerpts/CVE.list")
        .replace("\t- zlib <unfixed>", "\t- zlib <bogus>")
        .replace("\t- linux 6.9.9-1\n", "\t- linux 6.9.9-1 junk\n")
        .replace(
            "CVE-2013-1629 (pip",
            "CVE-2013-1629 garbage)\n\tGARBAGE\nCVE-2013-1629 (pip",
        );
    let parsed = debian_list::parse_cve_list(&text, "CVE/list").unwrap();
    assert_eq!(parsed.skipped, 3, "{:?}", parsed.problems);
    let found = ids(&parsed);
    assert!(!found.contains(&"CVE-2026-27171"));
    assert!(!found.contains(&"CVE-2024-42141"));
    // The entry after the broken one is read.
    assert!(found.contains(&"CVE-2013-1629"));
    assert_eq!(found.len(), 7);
    assert!(
        parsed.problems[0].starts_with("CVE-2026-27171 (line 15): line 16: unknown <kind>"),
        "{:?}",
        parsed.problems
    );
}

#[test]
fn list_that_is_not_a_list_is_an_error() {
    let html = "<html>\n<body>Service unavailable</body>\n</html>\n";
    let err = debian_list::parse_cve_list(html, "CVE/list").unwrap_err();
    assert_eq!(err.file, "CVE/list");
    assert!(debian_list::parse_advisory_list(html, "DSA/list", "debian-dsa").is_err());
    assert!(
        debian_list::parse_cve_list("", "CVE/list")
            .unwrap()
            .advisories
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// Debian DSA/DLA/DTSA lists

fn dsa_2023() -> Parsed {
    let text = fixture("debian/2023-04/DSA.list");
    debian_list::parse_advisory_list(&text, "DSA/list", "debian-dsa").unwrap()
}

#[test]
fn dsa_list_entries() {
    let parsed = dsa_2023();
    assert_eq!(
        ids(&parsed),
        [
            "DSA-5380-1",
            "DSA-5379-1",
            "DSA-5378-1",
            "DSA-5377-1",
            "DSA-5376-1",
            "DSA-5356-2",
            "DSA-4205-1",
            "DSA-1304",
            "DSA-880-1",
            "DSA-858-1",
            "DSA-736-2",
        ]
    );
    assert_eq!(parsed.skipped, 0, "{:?}", parsed.problems);
    let xorg = advisory(&parsed, "DSA-5380-1");
    assert_eq!(xorg.source, "debian-dsa");
    assert_eq!(xorg.aliases, ["CVE-2023-1393"]);
    assert_eq!(xorg.published.as_deref(), Some("2023-03-29"));
    assert_eq!(
        xorg.summary.as_deref(),
        Some("xorg-server - security update")
    );
    assert_eq!(
        fixed(affected(xorg, "debian:bullseye", "xorg-server")),
        "2:1.20.11-1+deb11u6"
    );
    assert_eq!(advisory(&parsed, "DSA-5378-1").aliases.len(), 5);

    let sox = advisory(&parsed, "DSA-5356-2");
    assert!(sox.aliases.is_empty());
    assert_eq!(
        fixed(affected(sox, "debian:bullseye", "sox")),
        "14.4.2+git20190427-2+deb11u2"
    );
    // An announcement: kept, with nothing affected.
    let eol = advisory(&parsed, "DSA-4205-1");
    assert_eq!(eol.summary.as_deref(), Some("jessie end-of-life"));
    assert!(eol.affected.is_empty());
}

#[test]
fn dsa_list_old_entries() {
    let parsed = dsa_2023();
    // Indented with spaces, id without the `-1`.
    let kernel = advisory(&parsed, "DSA-1304");
    assert_eq!(kernel.aliases.len(), 14);
    assert_eq!(kernel.published.as_deref(), Some("2007-06-16"));
    assert_eq!(
        fixed(affected(kernel, "debian:sarge", "kernel-source-2.6.8")),
        "2.6.8-16sarge7"
    );
    let phpmyadmin = advisory(&parsed, "DSA-880-1");
    assert_eq!(
        affected(phpmyadmin, "debian:woody", "phpmyadmin").status,
        Status::Unfixed
    );
    assert_eq!(
        fixed(affected(phpmyadmin, "debian:sarge", "phpmyadmin")),
        "4:2.6.2-3sarge1"
    );
    let xloadimage = advisory(&parsed, "DSA-858-1");
    let woody = affected(xloadimage, "debian:woody", "xloadimage");
    assert_eq!(fixed(woody), "4.1-10woody2");
    assert_eq!(woody.severity.as_deref(), Some("medium"));
    assert_eq!(
        affected(xloadimage, "debian:sarge", "xloadimage").severity,
        None
    );
    let spamassassin = advisory(&parsed, "DSA-736-2");
    let woody = affected(spamassassin, "debian:woody", "spamassassin");
    assert_eq!(woody.status, Status::NotAffected);
    assert_eq!(
        woody.note.as_deref(),
        Some("not-affected: not vulnerable according to DSA")
    );
    assert_eq!(
        fixed(affected(spamassassin, "debian:sarge", "spamassassin")),
        "3.0.3-2"
    );
}

#[test]
fn dsa_list_recent_releases() {
    let text = fixture("debian/excerpts/DSA.list");
    let parsed = debian_list::parse_advisory_list(&text, "DSA/list", "debian-dsa").unwrap();
    let libxml2 = advisory(&parsed, "DSA-5990-1");
    assert_eq!(libxml2.published.as_deref(), Some("2025-08-29"));
    assert_eq!(
        fixed(affected(libxml2, "debian:bookworm", "libxml2")),
        "2.9.14+dfsg-1.3~deb12u4"
    );
    assert_eq!(
        fixed(affected(libxml2, "debian:trixie", "libxml2")),
        "2.12.7+dfsg+really2.9.14-2.1+deb13u1"
    );
}

#[test]
fn dla_and_dtsa_lists() {
    let text = fixture("debian/2023-04/DLA.list");
    let parsed = debian_list::parse_advisory_list(&text, "DLA/list", "debian-dla").unwrap();
    assert_eq!(
        ids(&parsed),
        ["DLA-3380-1", "DLA-3379-1", "DLA-372-1", "DLA-179-1"]
    );
    assert_eq!(advisory(&parsed, "DLA-3380-1").aliases.len(), 11);
    let vbox = affected(
        advisory(&parsed, "DLA-372-1"),
        "debian:squeeze",
        "virtualbox-ose",
    );
    assert_eq!(vbox.status, Status::EndOfLife);
    assert_eq!(vbox.note.as_deref(), Some("end-of-life"));
    // A trailing space after the version.
    assert_eq!(
        fixed(affected(
            advisory(&parsed, "DLA-179-1"),
            "debian:squeeze",
            "tzdata"
        )),
        "2015b-0squeeze1"
    );

    let text = fixture("debian/excerpts/DLA.list");
    let parsed = debian_list::parse_advisory_list(&text, "DLA/list", "debian-dla").unwrap();
    let mariadb = advisory(&parsed, "DLA-3891-1");
    assert_eq!(mariadb.aliases, ["CVE-2024-21096"]);
    assert_eq!(
        fixed(affected(mariadb, "debian:bullseye", "mariadb-10.5")),
        "1:10.5.26-0+deb11u2"
    );
    assert_eq!(advisory(&parsed, "DLA-2690-1").aliases.len(), 31);
    assert_eq!(advisory(&parsed, "DLA-2689-1").aliases.len(), 34);

    let text = fixture("debian/excerpts/DTSA.list");
    let parsed = debian_list::parse_advisory_list(&text, "DTSA/list", "debian-dtsa").unwrap();
    let dtsa = advisory(&parsed, "DTSA-26-1");
    assert_eq!(dtsa.source, "debian-dtsa");
    assert_eq!(dtsa.published.as_deref(), Some("2005-12-05"));
    assert_eq!(dtsa.summary.as_deref(), Some("trackballs - symlink attack"));
    assert_eq!(
        fixed(affected(dtsa, "debian:etch", "trackballs")),
        "1.1.1-0.0etch1"
    );
}

#[test]
fn dsa_list_garbage_lines_skip_their_entry() {
    let text = fixture("debian/2023-04/DSA.list")
        // A package line without the dash.
        .replace(
            "\t[bullseye] - dino-im 0.2.0-3+deb11u1",
            "\t[bullseye] dino-im 0.2.0-3+deb11u1",
        )
        // A package line without a release (DSA lists always name one).
        .replace("\t[bullseye] - sox ", "\t- sox ")
        // A stray line at column 0 with an annotation under it.
        .replace(
            "[18 Apr 2018] DSA-4205-1",
            "garbage\n\t{CVE-2000-0001}\n[18 Apr 2018] DSA-4205-1",
        );
    let parsed = debian_list::parse_advisory_list(&text, "DSA/list", "debian-dsa").unwrap();
    assert_eq!(parsed.skipped, 3, "{:?}", parsed.problems);
    assert_eq!(parsed.problems.len(), 3);
    assert_eq!(parsed.advisories.len(), 9);
    let found = ids(&parsed);
    assert!(!found.contains(&"DSA-5379-1") && !found.contains(&"DSA-5356-2"));
    assert!(found.contains(&"DSA-4205-1") && found.contains(&"DSA-5378-1"));
}

// ---------------------------------------------------------------------------------------------
// Alpine secdb

fn secdb(name: &str) -> Parsed {
    let text = fixture(&format!("alpine/{name}"));
    alpine_secdb::parse(text.as_bytes(), name).unwrap()
}

#[test]
fn secdb_whole_file() {
    let parsed = secdb("v3.4-community.json");
    assert_eq!(parsed.advisories.len(), 14);
    assert_eq!(parsed.skipped, 0);
    let a = advisory(&parsed, "CVE-2016-9893");
    assert_eq!(a.source, "alpine-secdb");
    // A version without the `-rN` part, kept as written.
    assert_eq!(fixed(affected(a, "alpine:v3.4", "firefox-esr")), "45.6.0");
    assert_eq!(
        fixed(affected(
            advisory(&parsed, "CVE-2016-4590"),
            "alpine:v3.4",
            "webkit2gtk"
        )),
        "2.12.5-r0"
    );
}

#[test]
fn secdb_empty_and_null_entries() {
    // `"packages": null`
    assert!(secdb("v3.3-community.json").advisories.is_empty());
    // `"7.4.0-r0": null` lists nothing.
    let parsed = secdb("v3.6-main-excerpt.json");
    let mut found = ids(&parsed);
    found.sort_unstable();
    assert_eq!(found, ["CVE-2017-11103", "CVE-2017-17439"]);
    assert_eq!(parsed.skipped, 0);
    assert_eq!(
        fixed(affected(
            advisory(&parsed, "CVE-2017-11103"),
            "alpine:v3.6",
            "heimdal"
        )),
        "7.1.0-r1"
    );
}

#[test]
fn secdb_not_affected_and_suffixed_ids() {
    let parsed = secdb("v3.8-main-excerpt.json");
    assert_eq!(parsed.advisories.len(), 8);
    let db = affected(advisory(&parsed, "CVE-2016-0682"), "alpine:v3.8", "db");
    assert_eq!(db.status, Status::NotAffected);
    assert!(db.ranges.is_empty());
    // `CVE-2017-17434-1` and `CVE-2017-17434-2`: one CVE, one verdict.
    let rsync = advisory(&parsed, "CVE-2017-17434");
    assert_eq!(rsync.affected.len(), 1);
    assert_eq!(fixed(&rsync.affected[0]), "3.1.2-r7");
}

#[test]
fn secdb_odd_id_strings() {
    let parsed = secdb("v3.9-main-excerpt.json");
    assert_eq!(parsed.skipped, 0, "{:?}", parsed.problems);
    // 7 ansible CVEs, 3 xen CVEs with their XSAs, 12 XSAs without a CVE number.
    assert_eq!(parsed.advisories.len(), 25);
    // `CVE 2018-16859`
    assert_eq!(
        fixed(affected(
            advisory(&parsed, "CVE-2018-16859"),
            "alpine:v3.9",
            "ansible"
        )),
        "2.7.3-r0"
    );
    // `CVE-2016-6258 XSA-182`: two advisories that name each other.
    let cve = advisory(&parsed, "CVE-2016-6258");
    assert_eq!(cve.aliases, ["XSA-182"]);
    assert_eq!(fixed(affected(cve, "alpine:v3.9", "xen")), "4.7.0-r0");
    assert_eq!(advisory(&parsed, "XSA-182").aliases, ["CVE-2016-6258"]);
    // `CVE-????-?????  XSA-284`: only the XSA.
    let xsa = advisory(&parsed, "XSA-284");
    assert!(xsa.aliases.is_empty());
    assert_eq!(fixed(affected(xsa, "alpine:v3.9", "xen")), "4.11.2-r0");
    assert!(!ids(&parsed).iter().any(|id| id.contains('?')));
}

#[test]
fn secdb_comments_after_ids() {
    let parsed = secdb("v3.10-main-excerpt.json");
    assert_eq!(parsed.advisories.len(), 69);
    // `CVE-2017-16808 (AoE)`, `CVE-2018-10103 (SMB - partially fixed, …)`
    for id in ["CVE-2017-16808", "CVE-2018-10103"] {
        let a = advisory(&parsed, id);
        assert!(a.aliases.is_empty());
        assert_eq!(fixed(affected(a, "alpine:v3.10", "tcpdump")), "4.9.3-r0");
    }
    assert!(ids(&parsed).iter().all(|id| id.starts_with("CVE-")));
}

#[test]
fn secdb_broken_input() {
    let text = fixture("alpine/v3.9-main-excerpt.json");
    let err = alpine_secdb::parse(&text.as_bytes()[..text.len() - 10], "main.json").unwrap_err();
    assert!(err.to_string().starts_with("main.json: invalid secdb JSON"));
    assert!(alpine_secdb::parse(br#"{"packages": []}"#, "main.json").is_err());
    let parsed = alpine_secdb::parse(
        br#"{"distroversion": "v3.9", "packages": [
            {"pkg": {"secfixes": {"1-r0": ["CVE-2019-0001"]}}},
            {"pkg": {"name": "x", "secfixes": ["CVE-2019-0002"]}},
            {"pkg": {"name": "y", "secfixes": {"1-r0": ["fixed upstream"], "2-r0": ["CVE-2019-0003"]}}}
        ]}"#,
        "main.json",
    )
    .unwrap();
    assert_eq!(ids(&parsed), ["CVE-2019-0003"]);
    assert_eq!(parsed.skipped, 3, "{:?}", parsed.problems);
}

// ---------------------------------------------------------------------------------------------
// Hostile input

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Arbitrary text made of the characters the formats use never panics any parser.
    #[test]
    fn parsers_never_panic(text in r#"([\[\]{}()<>"':,;#*\- \t\n0-9a-zA-Z]|CVE-|DSA-|\n\t- |XXXX|é){0,200}"#) {
        let _ = debian_list::parse_cve_list(&text, "x");
        let _ = debian_list::parse_advisory_list(&text, "x", "debian-dsa");
        let _ = debian_tracker::parse(text.as_bytes(), "x");
        let _ = alpine_secdb::parse(text.as_bytes(), "x");
    }

    /// Every prefix of a real file is either read or rejected, never a panic.
    #[test]
    fn prefixes_never_panic(cut in 0usize..4000) {
        let list = fixture("debian/excerpts/CVE.list");
        let list = &list[..list.floor_char_boundary(cut.min(list.len()))];
        let _ = debian_list::parse_cve_list(list, "x");
        let json = fixture("debian/tracker-sample.json");
        let _ = debian_tracker::parse(&json.as_bytes()[..cut.min(json.len())], "x");
        let secdb = fixture("alpine/v3.9-main-excerpt.json");
        let _ = alpine_secdb::parse(&secdb.as_bytes()[..cut.min(secdb.len())], "x");
    }
}
