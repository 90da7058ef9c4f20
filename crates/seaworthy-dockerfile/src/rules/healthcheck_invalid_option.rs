use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags HEALTHCHECK options Docker rejects: an unknown option, a duration without a unit
    /// (`--interval=30`), a duration under 1ms, or a retry count that is not a whole number.
    ///
    /// ## Why
    /// BuildKit stops the build on these ("time: missing unit in duration"). The durations are Go
    /// durations: `30s`, `1m30s`, `500ms`.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// HEALTHCHECK --interval=30 --timeout=5 CMD ["curl", "-f", "http://localhost/"]
    /// # good
    /// HEALTHCHECK --interval=30s --timeout=5s CMD ["curl", "-f", "http://localhost/"]
    /// ```
    HealthcheckInvalidOption {
        id: "SW-DF-092",
        name: "healthcheck-invalid-option",
        title: "HEALTHCHECK option Docker rejects",
        area: Dockerfile,
        group: "correctness",
        severity: Medium,
        remediation: "Use --interval, --timeout, --start-period, --start-interval with units (30s, 1m) and a whole --retries.",
        refs: [],
        fire: [
            "FROM nginx:1.27\nHEALTHCHECK --interval=30 --timeout=5s CMD [\"curl\", \"-f\", \"http://localhost/\"]\n",
            "FROM nginx:1.27\nhealthcheck --retries=three --start_period=10s CMD curl -f http://localhost/\n",
        ],
        quiet: [
            "FROM nginx:1.27\nHEALTHCHECK --interval=1m30s --timeout=500ms --start-period=0 --start-interval=2.5s --retries=3 CMD [\"curl\", \"-f\", \"http://localhost/\"]\n",
            "FROM nginx:1.27\nARG INTERVAL=30s\nHEALTHCHECK --interval=$INTERVAL CMD [\"true\"]\nHEALTHCHECK NONE\n",
        ],
    }
}

/// Parses a Go duration (`1h2m3.5s`, `300ms`, `0`) into nanoseconds.
fn go_duration(s: &str) -> Option<f64> {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return Some(0.0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number: f64 = rest.get(..num_len)?.parse().ok()?;
        rest = rest.get(num_len..)?;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match rest.get(..unit_len)? {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = rest.get(unit_len..)?;
        total += number * scale;
    }
    Some(total)
}

impl Check for HealthcheckInvalidOption {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !matches!(ins.kind, Kind::Healthcheck(_)) {
                continue;
            }
            for flag in &ins.flags {
                let value = flag.value.as_deref().unwrap_or("");
                if value.contains('$') {
                    continue;
                }
                let problem = match flag.name.as_str() {
                    "interval" | "timeout" | "start-period" | "start-interval" => {
                        match go_duration(value) {
                            None if value.chars().all(|c| c.is_ascii_digit())
                                && !value.is_empty() =>
                            {
                                format!("`{value}` has no unit (write {value}s)")
                            }
                            None => format!("`{value}` is not a duration such as 30s or 1m"),
                            Some(d) if d != 0.0 && d.abs() < 1e6 => {
                                format!("`{value}` is shorter than the 1ms minimum")
                            }
                            Some(_) => continue,
                        }
                    }
                    "retries" => match value.parse::<i64>() {
                        Ok(n) if n >= 0 => continue,
                        _ => format!("`{value}` is not a whole number of retries"),
                    },
                    _ => {
                        out.push(cx.hit_at(
                            i,
                            flag.range,
                            format!(
                                "HEALTHCHECK has no option --{} (only --interval, --timeout, --start-period, --start-interval, --retries); the build fails",
                                flag.name
                            ),
                        ));
                        continue;
                    }
                };
                out.push(cx.hit_at(
                    i,
                    flag.range,
                    format!("HEALTHCHECK --{}: {problem}; the build fails", flag.name),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::go_duration;

    #[test]
    fn durations() {
        assert_eq!(go_duration("1m30s"), Some(90e9));
        assert_eq!(go_duration("0"), Some(0.0));
        assert_eq!(go_duration("2.5s"), Some(2.5e9));
        assert_eq!(go_duration("30"), None);
        assert_eq!(go_duration("5sec"), None);
    }
}
