//! dockerd command-line flags → daemon.json keys: `--flag=value` and `--flag value`, repeated
//! list flags, `--log-opt k=v` into the `log-opts` map, bool flags (`--icc=false`, bare
//! `--live-restore`), short aliases (`-H`, `-D`, `-l`, `-s`, `-g`).

use serde_json::{Map, Value};

/// Flags that are booleans (never take the next word as their value).
const BOOL_FLAGS: &[&str] = &[
    "icc",
    "iptables",
    "ip6tables",
    "ip-forward",
    "ip-masq",
    "ipv6",
    "live-restore",
    "userland-proxy",
    "no-new-privileges",
    "experimental",
    "tls",
    "tlsverify",
    "debug",
    "selinux-enabled",
    "init",
    "raw-logs",
    "rootless",
    "validate",
];

/// Flags whose daemon.json key is a list (the flag may repeat).
const LIST_FLAGS: &[(&str, &str)] = &[
    ("host", "hosts"),
    ("insecure-registry", "insecure-registries"),
    ("registry-mirror", "registry-mirrors"),
    ("storage-opt", "storage-opts"),
    ("authorization-plugin", "authorization-plugins"),
    ("exec-opt", "exec-opts"),
    ("dns", "dns"),
    ("dns-opt", "dns-opts"),
    ("dns-search", "dns-search"),
    ("label", "labels"),
    (
        "allow-nondistributable-artifacts",
        "allow-nondistributable-artifacts",
    ),
];

/// Flags whose daemon.json key is a map of `k=v` words.
const MAP_FLAGS: &[(&str, &str)] = &[
    ("log-opt", "log-opts"),
    ("default-ulimit", "default-ulimits"),
];

/// Other flags whose daemon.json key differs.
const RENAMED: &[(&str, &str)] = &[("graph", "data-root")];

const SHORT: &[(&str, &str)] = &[
    ("H", "host"),
    ("D", "debug"),
    ("l", "log-level"),
    ("s", "storage-driver"),
    ("g", "data-root"),
    ("G", "group"),
    ("b", "bridge"),
    ("p", "pidfile"),
];

/// The daemon.json key a flag sets.
pub fn key_of(flag: &str) -> String {
    let name = SHORT
        .iter()
        .find(|(s, _)| *s == flag)
        .map_or(flag, |(_, l)| l);
    if let Some((_, k)) = LIST_FLAGS
        .iter()
        .chain(MAP_FLAGS)
        .chain(RENAMED)
        .find(|(f, _)| *f == name)
    {
        return (*k).to_string();
    }
    name.to_string()
}

fn is_bool(name: &str) -> bool {
    BOOL_FLAGS.contains(&name)
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "t" | "true" => Some(true),
        "0" | "f" | "false" => Some(false),
        _ => None,
    }
}

/// Parses dockerd's arguments (without the program name) into daemon.json-shaped settings.
/// Words that are not flags (e.g. a stray `dockerd` or `daemon` subcommand) are ignored.
pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Map<String, Value> {
    let mut out = Map::new();
    let mut i = 0;
    while i < args.len() {
        let word = args[i].as_ref();
        i += 1;
        let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
            continue;
        };
        if flag.is_empty() {
            break;
        }
        let (raw_name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (flag, None),
        };
        let name = SHORT
            .iter()
            .find(|(s, _)| *s == raw_name)
            .map_or(raw_name, |(_, l)| l);
        let key = key_of(name);
        if is_bool(name) {
            let v = inline.as_deref().map_or(Some(true), parse_bool);
            if let Some(v) = v {
                out.insert(key, Value::Bool(v));
            }
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => match args.get(i) {
                Some(next) => {
                    i += 1;
                    next.as_ref().to_string()
                }
                None => continue,
            },
        };
        if LIST_FLAGS.iter().any(|(f, _)| *f == name) {
            let entry = out.entry(key).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                items.push(Value::String(value));
            }
        } else if MAP_FLAGS.iter().any(|(f, _)| *f == name) {
            let (k, v) = value.split_once('=').unwrap_or((value.as_str(), ""));
            let entry = out.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = entry {
                map.insert(k.to_string(), Value::String(v.to_string()));
            }
        } else {
            out.insert(key, Value::String(value));
        }
    }
    out
}

/// Splits a shell-like line (ExecStart, DOCKER_OPTS) into words: single and double quotes,
/// backslash escapes; no expansion.
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_value_forms_repeats_maps_and_bools() {
        let args = split_words(
            "-H fd:// --host=tcp://0.0.0.0:2376 --icc=false --live-restore --log-opt max-size=10m \
             --log-opt=max-file=3 --log-level warn -D --userland-proxy=false --insecure-registry r:5000 \
             --tlsverify=0 daemon",
        );
        let m = parse_args(&args);
        assert_eq!(m["hosts"], json!(["fd://", "tcp://0.0.0.0:2376"]));
        assert_eq!(m["icc"], json!(false));
        assert_eq!(m["live-restore"], json!(true));
        assert_eq!(m["log-opts"], json!({"max-size": "10m", "max-file": "3"}));
        assert_eq!(m["log-level"], json!("warn"));
        assert_eq!(m["debug"], json!(true));
        assert_eq!(m["userland-proxy"], json!(false));
        assert_eq!(m["insecure-registries"], json!(["r:5000"]));
        assert_eq!(m["tlsverify"], json!(false));
    }

    #[test]
    fn bool_flags_do_not_eat_the_next_word() {
        let m = parse_args(&["--icc", "--iptables=false", "--storage-driver", "overlay2"]);
        assert_eq!(m["icc"], json!(true));
        assert_eq!(m["iptables"], json!(false));
        assert_eq!(m["storage-driver"], json!("overlay2"));
    }

    #[test]
    fn words_with_quotes() {
        assert_eq!(
            split_words(r#"/usr/bin/dockerd --label "a b" 'c d' e\ f"#),
            ["/usr/bin/dockerd", "--label", "a b", "c d", "e f"]
        );
    }
}
