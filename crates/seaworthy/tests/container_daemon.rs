//! `seaworthy container` against the real Docker daemon: a tiny image made here (Debian's
//! busybox-static plus a dpkg status), containers started with each bad setting and one
//! hardened one, drift inside a running container, and vulnerabilities of the live package
//! list. Every container carries this run's label and is removed on drop, even on failure.
//! Without a daemon the tests return early, unless SEAWORTHY_REQUIRE_DOCKER=1 (then they fail).
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

#[path = "../../seaworthy-oci/tests/support/daemon_util.rs"]
mod daemon_util;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use daemon_util::{DaemonImage, TarEntryKind, docker, docker_import, docker_ready, layer_tar};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

const STATUS: &str = "Package: busybox-static\nStatus: install ok installed\nVersion: 1:1.35.0-4+b3\n\
Architecture: amd64\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\
Architecture: amd64\nSource: zlib\n\n";

const OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";

/// A static program that sleeps forever, built with the C compiler when there is one, to run
/// as `/usr/sbin/sshd` (busybox cannot run under another name). `None` without `cc -static`.
fn fake_sshd() -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let src = dir.path().join("sshd.c");
    std::fs::write(
        &src,
        "#include <unistd.h>\nint main(void) { for (;;) pause(); }\n",
    )
    .ok()?;
    let bin = dir.path().join("sshd");
    let built = Command::new("cc")
        .args(["-static", "-Os", "-o"])
        .arg(&bin)
        .arg(&src)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    built.then(|| std::fs::read(&bin).ok()).flatten()
}

/// A one-layer image: busybox with a few applet links, a dpkg status, and a fake `sshd` when
/// one can be built.
fn tiny_image(label: &str) -> (DaemonImage, bool) {
    let busybox = std::fs::read("/bin/busybox").expect("busybox-static installed (/bin/busybox)");
    let mut entries: Vec<(&str, TarEntryKind)> = vec![
        ("bin/", TarEntryKind::Dir),
        ("bin/busybox", TarEntryKind::Exe(busybox)),
        ("etc/", TarEntryKind::Dir),
        ("etc/os-release", TarEntryKind::File(OS_RELEASE.into())),
        (
            "etc/passwd",
            TarEntryKind::File(b"root:x:0:0:root:/root:/bin/sh\n".to_vec()),
        ),
        ("tmp/", TarEntryKind::Dir),
        ("usr/", TarEntryKind::Dir),
        ("usr/bin/", TarEntryKind::Dir),
        ("usr/sbin/", TarEntryKind::Dir),
        ("var/", TarEntryKind::Dir),
        ("var/lib/", TarEntryKind::Dir),
        ("var/lib/dpkg/", TarEntryKind::Dir),
        ("var/lib/dpkg/status", TarEntryKind::File(STATUS.into())),
    ];
    for applet in ["sh", "sleep", "cp", "cat", "sed", "true"] {
        entries.push((
            Box::leak(format!("bin/{applet}").into_boxed_str()),
            TarEntryKind::Symlink("busybox".into()),
        ));
    }
    let sshd = fake_sshd();
    let has_sshd = sshd.is_some();
    if let Some(bin) = sshd {
        entries.push(("usr/sbin/sshd", TarEntryKind::Exe(bin)));
    }
    let image = docker_import(&layer_tar(&entries), &daemon_util::unique_name(label));
    (image, has_sshd)
}

/// Containers of one test, found by a label unique to the run; removed on drop.
struct Containers {
    label: String,
    image: DaemonImage,
    /// The image has a `/usr/sbin/sshd` to run.
    has_sshd: bool,
}

impl Containers {
    fn new(test: &str) -> Containers {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let (image, has_sshd) = tiny_image(test);
        Containers {
            label: format!("seaworthy.test.run={test}-{}-{nanos}", std::process::id()),
            image,
            has_sshd,
        }
    }

    /// `docker run -d` (or `create` when `start` is false) with the label and `args`. A
    /// container the host cannot start (a host port already taken) is created instead: the
    /// checks read the same inspect data.
    fn run(&self, name: &str, args: &[&str], start: bool) -> String {
        let full = format!("{}-{name}", self.label.replace(['=', '.'], "-"));
        let with = |verb: &'static str| {
            let mut cmd: Vec<&str> = vec![verb];
            if verb == "run" {
                cmd.push("-d");
            }
            cmd.extend(["--label", &self.label, "--name", &full]);
            cmd.extend(args);
            cmd.push(&self.image.name);
            if !args.contains(&"/usr/sbin/sshd") {
                cmd.extend(["/bin/sleep", "3600"]);
            }
            cmd.iter().map(|s| s.to_string()).collect::<Vec<String>>()
        };
        if start {
            let run = with("run");
            let out = Command::new("docker").args(&run).output().unwrap();
            if out.status.success() {
                return full;
            }
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("already allocated") || err.contains("address already in use"),
                "docker {run:?}: {err}"
            );
            let _ = Command::new("docker").args(["rm", "-f", &full]).output();
        }
        let create = with("create");
        let create: Vec<&str> = create.iter().map(String::as_str).collect();
        docker(&create);
        full
    }

    fn seaworthy(&self, extra: &[&str], home: &Path) -> Output {
        let filter = format!("label={}", self.label);
        let mut args = vec!["container", "--all", "--filter", &filter, "-f", "json"];
        args.extend(extra);
        seaworthy(&args, home)
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        let filter = format!("label={}", self.label);
        let ids = Command::new("docker")
            .args(["ps", "-aq", "--filter", &filter])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        for id in ids.split_whitespace() {
            let _ = Command::new("docker")
                .args(["rm", "-f", "-v", id])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn seaworthy(args: &[&str], home: &Path) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .current_dir(home);
    cmd.output().expect("run seaworthy")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Rule ids of the findings, by container name.
fn by_container(report: &serde_json::Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in report["inputs"].as_array().unwrap() {
        out.entry(name.as_str().unwrap().to_string()).or_default();
    }
    for f in report["findings"].as_array().unwrap() {
        let c = f["location"]["container"].as_str().unwrap().to_string();
        out.entry(c)
            .or_default()
            .insert(f["rule_id"].as_str().unwrap().to_string());
    }
    out
}

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| format!("SW-CTR-{s}")).collect()
}

/// Security modules the daemon runs with (`apparmor`, `selinux`, `seccomp`).
fn security_options() -> String {
    docker(&["info", "--format", "{{json .SecurityOptions}}"])
}

/// (name, docker run flags, started?, findings expected beyond the plain container's, findings
/// that may also appear).
type Case<'a> = (&'a str, Vec<&'a str>, bool, &'a [&'a str], &'a [&'a str]);

#[test]
fn each_bad_setting_is_found_and_the_hardened_container_passes() {
    if !docker_ready("each_bad_setting_is_found_and_the_hardened_container_passes") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let set = Containers::new("ctr-settings");
    let plain = set.run("plain", &[], true);
    // (name, docker run flags, started?, findings expected beyond the plain container's,
    //  findings that may also appear)
    let mut cases: Vec<Case> = vec![
        // Privileged containers cannot start on every host (nested VMs): inspect data is the same.
        (
            "privileged",
            vec!["--privileged"],
            false,
            &["5.5"],
            &["5.4"],
        ),
        ("host-root", vec!["-v", "/:/host"], true, &["5.6"], &[]),
        ("host-net", vec!["--net", "host"], true, &["5.10"], &[]),
        ("host-pid", vec!["--pid", "host"], true, &["5.16"], &[]),
        ("host-ipc", vec!["--ipc", "host"], true, &["5.17"], &[]),
        ("host-uts", vec!["--uts", "host"], true, &["5.21"], &[]),
        (
            "docker-sock",
            vec!["-v", "/var/run/docker.sock:/var/run/docker.sock"],
            true,
            &["5.32"],
            &["5.6"],
        ),
        (
            "sys-admin",
            vec!["--cap-add", "SYS_ADMIN"],
            true,
            &["5.4"],
            &[],
        ),
        ("ssh-port", vec!["-p", "22:22"], true, &["5.8", "5.14"], &[]),
        ("sshd", vec!["/usr/sbin/sshd"], true, &["5.7"], &[]),
        (
            "seccomp",
            vec!["--security-opt", "seccomp=unconfined"],
            true,
            &["5.22"],
            &[],
        ),
        (
            "restart-always",
            vec!["--restart", "always"],
            true,
            &["5.15"],
            &[],
        ),
    ];
    if !set.has_sshd {
        eprintln!("no `cc -static` here: the sshd case (5.7) is left out");
        cases.retain(|c| c.0 != "sshd");
    }
    let mut names = Vec::new();
    for (name, flags, start, _, _) in &cases {
        let mut flags = flags.clone();
        let sshd = flags.contains(&"/usr/sbin/sshd");
        flags.retain(|f| *f != "/usr/sbin/sshd");
        if sshd {
            flags.extend(["--entrypoint", "/usr/sbin/sshd"]);
        }
        names.push(set.run(name, &flags, *start));
    }
    let hardened = set.run(
        "hardened",
        &[
            "--read-only",
            "--cap-drop",
            "ALL",
            "--memory",
            "64m",
            "--cpu-shares",
            "512",
            "--pids-limit",
            "100",
            "--user",
            "65534:65534",
            "--security-opt",
            "no-new-privileges",
            "--health-cmd",
            "true",
            "--restart",
            "on-failure:5",
        ],
        true,
    );
    let out = set.seaworthy(&["--no-vulns"], home.path());
    let report = json(&out);
    let found = by_container(&report);
    assert_eq!(found.len(), cases.len() + 2, "{found:#?}");

    let baseline = &found[&plain];
    let defaults = ids(&["5.11", "5.12", "5.13", "5.26", "5.27", "5.29"]);
    assert!(
        baseline.is_superset(&defaults),
        "plain container: {baseline:?}"
    );
    for ((case, _, _, expected, allowed), name) in cases.iter().zip(&names) {
        let extra: BTreeSet<String> = found[name].difference(baseline).cloned().collect();
        let expected = ids(expected);
        let allowed: BTreeSet<String> = expected.union(&ids(allowed)).cloned().collect();
        assert!(
            extra.is_superset(&expected),
            "{case}: expected {expected:?}, got {extra:?}"
        );
        assert!(
            extra.is_subset(&allowed),
            "{case}: unexpected {:?}",
            extra.difference(&allowed)
        );
    }

    // The hardened container passes, except what this host cannot offer (no AppArmor/SELinux).
    let modules = security_options();
    let mut tolerated = BTreeSet::new();
    if !modules.contains("apparmor") {
        tolerated.insert("SW-CTR-5.2".to_string());
    }
    if !modules.contains("selinux") {
        tolerated.insert("SW-CTR-5.3".to_string());
    }
    let left: BTreeSet<_> = found[&hardened].difference(&tolerated).collect();
    assert!(left.is_empty(), "hardened container: {left:?}");
    // Findings name the container, its image and the inspect field.
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "SW-CTR-5.5")
        .expect("privileged finding");
    assert_eq!(f["location"]["field"], "HostConfig.Privileged");
    assert_eq!(f["location"]["image"], set.image.name.as_str());
    assert_eq!(out.status.code(), Some(1), "high findings fail the run");
}

/// Containers removed (with their volumes) when dropped.
struct RemovedOnDrop(Vec<String>);

impl Drop for RemovedOnDrop {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("docker")
                .args(["rm", "-f", "-v", name])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Issue 19 item 14 on real containers: root when neither the run nor the image sets a user,
/// or `--user 0` over an image's non-root USER; not with `--user 1000` or that image's USER.
/// Secrets given with `-e` are found in `Config.Env` and never shown in full.
#[test]
fn root_user_and_environment_secrets_of_real_containers() {
    if !docker_ready("root_user_and_environment_secrets_of_real_containers") {
        return;
    }
    const AWS_KEY: &str = "AKIAZ7QWERTYUIOPASDF";
    const PASSWORD: &str = "hunter2-prod-Pa55";
    let home = tempfile::tempdir().unwrap();
    let set = Containers::new("ctr-root-env");
    let root = set.run("root", &[], true);
    let user = set.run("user", &["--user", "1000"], true);
    let aws = format!("AWS_ACCESS_KEY_ID={AWS_KEY}");
    let password = format!("DB_PASSWORD={PASSWORD}");
    let secret = set.run(
        "secret",
        &[
            "--user",
            "1000",
            "-e",
            &aws,
            "--env",
            &password,
            "-e",
            "DB_HOST=db",
        ],
        true,
    );
    // The same image with `USER 1000` in its config (committed from a container of it).
    let prefix = set.label.replace(['=', '.'], "-");
    let source = format!("{prefix}-source");
    docker(&[
        "create",
        "--label",
        &set.label,
        "--name",
        &source,
        &set.image.name,
        "/bin/true",
    ]);
    let user_image = DaemonImage {
        name: daemon_util::unique_name("ctr-user-image"),
    };
    docker(&["commit", "--change", "USER 1000", &source, &user_image.name]);
    // Its containers go first (dropped before the image, which goes before `set`'s image, its
    // parent): an image with containers or children is not removed.
    let mut of_user_image = RemovedOnDrop(Vec::new());
    let mut started = |name: &str, flags: &[&str]| {
        let full = format!("{prefix}-{name}");
        of_user_image.0.push(full.clone());
        let mut args = vec!["run", "-d", "--label", &set.label, "--name", &full];
        args.extend(flags);
        args.extend([user_image.name.as_str(), "/bin/sleep", "3600"]);
        docker(&args);
        full
    };
    let image_user = started("image-user", &[]);
    let image_user_as_root = started("image-user-as-root", &["--user", "0"]);

    let out = set.seaworthy(&["--no-vulns"], home.path());
    let report = json(&out);
    let found = by_container(&report);
    let has = |name: &str, id: &str| found[name].contains(id);
    for (name, root_expected) in [
        (&root, true),
        (&user, false),
        (&secret, false),
        (&image_user, false),
        (&image_user_as_root, true),
    ] {
        assert_eq!(
            has(name, "SW-CTR-USER-001"),
            root_expected,
            "{name}: {found:#?}"
        );
        assert_eq!(
            has(name, "SW-CTR-SECRET-001"),
            name == &secret,
            "{name}: {found:#?}"
        );
    }
    let finding = |name: &str, id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["location"]["container"] == name && f["rule_id"] == id)
            .unwrap()
            .clone()
    };
    let f = finding(&root, "SW-CTR-USER-001");
    assert_eq!(f["severity"], "medium");
    assert_eq!(f["location"]["field"], "Config.User");
    assert_eq!(
        f["evidence"],
        format!("Config.User not set (docker inspect {root})")
    );
    let f = finding(&image_user_as_root, "SW-CTR-USER-001");
    assert_eq!(
        f["evidence"],
        format!("Config.User=0 (docker inspect {image_user_as_root})")
    );
    let f = finding(&secret, "SW-CTR-SECRET-001");
    let evidence = f["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("AWS_ACCESS_KEY_ID=AKIA****")
            && evidence.contains("DB_PASSWORD=hunt****")
            && !evidence.contains("DB_HOST"),
        "{evidence}"
    );
    assert!(
        f["location"]["field"]
            .as_str()
            .unwrap()
            .starts_with("Config.Env["),
        "{f:#}"
    );
    for format in ["json", "table", "sarif", "junit", "github", "markdown"] {
        let filter = format!("label={}", set.label);
        let out = seaworthy(
            &[
                "container",
                "--all",
                "--filter",
                &filter,
                "--no-vulns",
                "-f",
                format,
            ],
            home.path(),
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("SW-CTR-SECRET-001"), "{format}: {text}");
        for plain in [AWS_KEY, PASSWORD] {
            assert!(!text.contains(plain), "{format}: {plain} shown in {text}");
        }
    }
}

/// A Debian tracker excerpt: CVE-2099-0001 in openssl (fixed in 3.0.99-1), CVE-2099-0002 in
/// zlib (fixed in 1:1.2.13.dfsg-2).
fn database(home: &Path) -> String {
    let feed = home.join("CVE.list");
    std::fs::write(
        &feed,
        "CVE-2099-0001 (test advisory for a package installed at runtime)\n\t- openssl 3.0.99-1\n\
         CVE-2099-0002 (test advisory for a package upgraded at runtime)\n\t- zlib 1:1.2.13.dfsg-2\n",
    )
    .unwrap();
    let db = home.join("vuln.db");
    let out = seaworthy(
        &[
            "db",
            "import",
            feed.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        home,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db.to_str().unwrap().to_string()
}

#[test]
fn drift_and_the_vulnerabilities_of_the_live_package_list() {
    if !docker_ready("drift_and_the_vulnerabilities_of_the_live_package_list") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let db = database(home.path());
    let set = Containers::new("ctr-drift");
    let untouched = set.run("untouched", &[], true);
    let drifted = set.run("drifted", &[], true);
    set.run("ignored", &["--label", "seaworthy.ignore=true"], true);
    docker(&[
        "exec",
        &drifted,
        "sh",
        "-c",
        "cp /bin/busybox /usr/bin/dropped && \
         sed -i 's/^Version: 1:1.2.13.dfsg-1$/Version: 1:1.2.13.dfsg-2/' /var/lib/dpkg/status && \
         printf 'Package: openssl\\nStatus: install ok installed\\nVersion: 3.0.11-1\\nArchitecture: amd64\\n\\n' \
         >> /var/lib/dpkg/status && echo note > /tmp/note",
    ]);
    let out = set.seaworthy(&["--db", &db], home.path());
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    let of = |name: &str| -> Vec<(String, String, String)> {
        findings
            .iter()
            .filter(|f| f["location"]["container"] == name)
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["location"]["field"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        inputs.len(),
        2,
        "the ignored container is skipped: {inputs:?}"
    );

    let mut drift: Vec<_> = of(&drifted)
        .into_iter()
        .filter(|(id, _, _)| id.starts_with("SW-CTR-DRIFT") || id.starts_with("CVE-"))
        .collect();
    drift.sort();
    let keys: Vec<(&str, &str)> = drift
        .iter()
        .map(|(i, f, _)| (i.as_str(), f.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("CVE-2099-0001", "packages:deb:openssl"),
            ("SW-CTR-DRIFT-001", "changes:/usr/bin/dropped"),
            ("SW-CTR-DRIFT-002", "packages:deb:openssl"),
            ("SW-CTR-DRIFT-002", "packages:deb:zlib1g"),
        ],
        "{drift:#?}"
    );
    assert!(
        drift[0].2.contains("installed or changed at runtime"),
        "{}",
        drift[0].2
    );
    assert!(
        drift[3]
            .2
            .contains("no longer has the image's CVE-2099-0002"),
        "{}",
        drift[3].2
    );

    let plain: Vec<_> = of(&untouched)
        .into_iter()
        .filter(|(id, _, _)| id.starts_with("SW-CTR-DRIFT") || id.starts_with("CVE-"))
        .map(|(i, f, _)| (i, f))
        .collect();
    assert_eq!(
        plain,
        [(
            "CVE-2099-0002".to_string(),
            "packages:deb:zlib1g".to_string()
        )],
        "the image's vulnerability stays reported for the untouched container"
    );
}

#[test]
fn named_containers_exit_codes_and_an_unreachable_daemon() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["container", "--no-vulns"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .current_dir(home.path());
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/docker.sock"));

    let out = seaworthy(
        &["container", "--no-vulns", "--filter", "colour=red"],
        home.path(),
    );
    if !docker_ready("named_containers_exit_codes_and_an_unreachable_daemon") {
        return;
    }
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = seaworthy(
        &["container", "--no-vulns", "seaworthy-no-such-container-h3"],
        home.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such container"));
}
