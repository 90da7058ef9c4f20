use crate::context::{Context, Hit};
use crate::parser::{Kind, TextRange, Word};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags VOLUME on system paths: `/`, `/etc`, `/root`, `/boot`, `/usr`, `/bin`, `/sbin`,
    /// `/lib`, `/lib64`, `/var`, and anything under `/proc`, `/sys` or `/dev`. Sub-directories
    /// such as `/etc/app` are fine. Docker and containerd sockets are SW-DF-056.
    ///
    /// ## Why
    /// VOLUME marks the path as a mount point: a named volume or a host directory is expected
    /// there and shadows what the image ships. On a system directory that either hides the
    /// image's own binaries and configuration (later image updates never reach the container)
    /// or invites `-v /etc:/etc`-style host mounts that hand the host to the container.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// VOLUME /etc
    /// # good
    /// VOLUME /etc/myapp
    /// ```
    SensitiveVolume {
        id: "SW-DF-055",
        name: "sensitive-volume",
        title: "VOLUME on a system path",
        area: Dockerfile,
        group: "volume",
        severity: High,
        remediation: "Declare volumes only for the application's own data directories (e.g. /var/lib/app), never for system paths.",
        refs: [Dockle("DKL-DI-0002")],
        fire: [
            "FROM debian:12\nVOLUME [\"/data\", \"/etc/\"]\n",
            "FROM debian:12\nENV HOME=/root\nVOLUME $HOME /proc/sys\n",
        ],
        quiet: [
            "FROM debian:12\nVOLUME /var/lib/postgresql/data /etc/netdata /root/.cache\n",
            "FROM debian:12\nARG DATA\nVOLUME $DATA\n",
        ],
    }
}

/// `/etc/` → `/etc`, `//usr//` → `/usr`, `` → `/`.
pub(crate) fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// One VOLUME path: instruction, where it is written, the word as written and the path after
/// expansion.
pub(crate) struct VolumePath<'a> {
    pub instr: usize,
    pub range: TextRange,
    pub word: &'a Word,
    pub path: String,
}

/// The range of a JSON-form element inside the array's range (all elements share it).
fn element_range(cx: &Context<'_>, word: &Word) -> TextRange {
    let text = cx.df.slice(word.range);
    if !text.starts_with('[') {
        return word.range;
    }
    let quoted = format!("\"{}\"", word.raw);
    match text.find(&quoted) {
        Some(at) => TextRange::new(
            word.range.start as usize + at,
            word.range.start as usize + at + quoted.len(),
        ),
        None => word.range,
    }
}

/// Every VOLUME path after expansion (unset variables skipped).
pub(crate) fn volumes<'a>(cx: &Context<'a>) -> Vec<VolumePath<'a>> {
    let mut out = Vec::new();
    for (i, ins) in cx.instructions() {
        let Kind::Volume(words) = &ins.kind else {
            continue;
        };
        for word in words {
            let expanded = cx.model.expand_full(cx.df, i, &word.raw);
            if !expanded.unresolved.is_empty() {
                continue;
            }
            let paths: Vec<&str> = if ins.args().trim_start().starts_with('[') {
                vec![expanded.value.as_str()]
            } else {
                expanded.value.split_whitespace().collect()
            };
            for p in paths {
                if p.starts_with('/') {
                    out.push(VolumePath {
                        instr: i,
                        range: element_range(cx, word),
                        word,
                        path: normalize(p),
                    });
                }
            }
        }
    }
    out
}

const SYSTEM: &[(&str, &str)] = &[
    ("/", "the whole filesystem"),
    ("/etc", "system configuration"),
    ("/root", "root's home directory"),
    ("/boot", "the boot directory"),
    ("/usr", "system programs and libraries"),
    ("/bin", "system programs"),
    ("/sbin", "system programs"),
    ("/lib", "system libraries"),
    ("/lib64", "system libraries"),
    ("/var", "all variable system state"),
];

const KERNEL: &[&str] = &["/proc", "/sys", "/dev"];

pub(crate) fn why(path: &str) -> Option<String> {
    if let Some((_, what)) = SYSTEM.iter().find(|(p, _)| *p == path) {
        return Some((*what).to_string());
    }
    KERNEL
        .iter()
        .find(|k| path == **k || path.strip_prefix(**k).is_some_and(|r| r.starts_with('/')))
        .map(|k| format!("a kernel interface ({k})"))
}

impl Check for SensitiveVolume {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for v in volumes(cx) {
            if let Some(what) = why(&v.path) {
                let shown = if v.word.raw.contains('$') {
                    format!("`{}` (= {})", v.word.raw, v.path)
                } else {
                    format!("`{}`", v.path)
                };
                out.push(cx.hit_at(
                    v.instr,
                    v.range,
                    format!("VOLUME {shown} turns {what} into a mount point"),
                ));
            }
        }
    }
}
