//! Every flag of `docker run` (Docker CLI 28), so real command lines parse: whether it takes a
//! value, its short form, and its canonical long name.

/// A `docker run` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    pub takes_value: bool,
}

const fn v(long: &'static str) -> Flag {
    Flag {
        long,
        short: None,
        takes_value: true,
    }
}
const fn vs(long: &'static str, short: char) -> Flag {
    Flag {
        long,
        short: Some(short),
        takes_value: true,
    }
}
const fn b(long: &'static str) -> Flag {
    Flag {
        long,
        short: None,
        takes_value: false,
    }
}
const fn bs(long: &'static str, short: char) -> Flag {
    Flag {
        long,
        short: Some(short),
        takes_value: false,
    }
}

/// Aliases map to the canonical name: `--net` is `--network`, `--net-alias` `--network-alias`,
/// `--dns-option` `--dns-opt`.
pub const ALIASES: &[(&str, &str)] = &[
    ("net", "network"),
    ("net-alias", "network-alias"),
    ("dns-option", "dns-opt"),
];

#[rustfmt::skip]
pub const FLAGS: &[Flag] = &[
    v("add-host"), v("annotation"), vs("attach", 'a'), v("blkio-weight"),
    v("blkio-weight-device"), v("cap-add"), v("cap-drop"), v("cgroup-parent"), v("cgroupns"),
    v("cidfile"), v("cpu-count"), v("cpu-percent"), v("cpu-period"), v("cpu-quota"),
    v("cpu-rt-period"), v("cpu-rt-runtime"), vs("cpu-shares", 'c'), v("cpus"), v("cpuset-cpus"),
    v("cpuset-mems"), bs("detach", 'd'), v("detach-keys"), v("device"), v("device-cgroup-rule"),
    v("device-read-bps"), v("device-read-iops"), v("device-write-bps"), v("device-write-iops"),
    b("disable-content-trust"), v("dns"), v("dns-opt"), v("dns-search"), v("domainname"),
    v("entrypoint"), vs("env", 'e'), v("env-file"), v("expose"), v("gpus"), v("group-add"),
    v("health-cmd"), v("health-interval"), v("health-retries"), v("health-start-interval"),
    v("health-start-period"), v("health-timeout"), b("help"), vs("hostname", 'h'), b("init"),
    bs("interactive", 'i'), v("io-maxbandwidth"), v("io-maxiops"), v("ip"), v("ip6"), v("ipc"),
    v("isolation"), v("kernel-memory"), vs("label", 'l'), v("label-file"), v("link"),
    v("link-local-ip"), v("log-driver"), v("log-opt"), v("mac-address"), vs("memory", 'm'),
    v("memory-reservation"), v("memory-swap"), v("memory-swappiness"), v("mount"), v("name"),
    v("network"), v("network-alias"), b("no-healthcheck"), b("oom-kill-disable"),
    v("oom-score-adj"), v("pid"), v("pids-limit"), v("platform"), b("privileged"),
    vs("publish", 'p'), bs("publish-all", 'P'), v("pull"), bs("quiet", 'q'), b("read-only"),
    v("restart"), b("rm"), v("runtime"), v("security-opt"), v("shm-size"), b("sig-proxy"),
    v("stop-signal"), v("stop-timeout"), v("storage-opt"), v("sysctl"), v("tmpfs"), bs("tty", 't'),
    v("ulimit"), b("use-api-socket"), vs("user", 'u'), v("userns"), v("uts"), vs("volume", 'v'),
    v("volume-driver"), v("volumes-from"), vs("workdir", 'w'),
];

/// The flag of a long name (without `--`), aliases resolved.
pub fn long(name: &str) -> Option<&'static Flag> {
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, canonical)| canonical);
    FLAGS.iter().find(|f| f.long == name)
}

/// The flag of a short letter.
pub fn short(letter: char) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.short == Some(letter))
}
