//! Sizes (`512m`, `1.5g`, `1024`) and CPU counts (`0.5`), parsed the way the Docker CLI does
//! (`go-units.RAMInBytes`: binary multiples, optional `b`/`ib`).

/// Bytes of a size such as `512m`, `1g`, `1.5GiB`, `100000`.
pub fn parse_bytes(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad = || {
        format!("invalid size `{text}` (expected a number with an optional unit b, k, m, g, t, p)")
    };
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() || num.len() > 32 {
        return Err(bad());
    }
    let n: f64 = num.parse().map_err(|_| bad())?;
    let unit = unit.trim_start().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let mult: f64 = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        "p" => 1024f64.powi(5),
        _ => return Err(bad()),
    };
    let bytes = n * mult;
    if !bytes.is_finite() || bytes >= i64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as i64)
}

/// Billionths of a CPU of `--cpus` / compose `cpus` (`1.5` → 1_500_000_000).
pub fn parse_cpus(text: &str) -> Result<i64, String> {
    let n: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("invalid CPU count `{text}` (expected a decimal number)"))?;
    if !n.is_finite() || !(0.0..=1.0e9).contains(&n) {
        return Err(format!("invalid CPU count `{text}`"));
    }
    Ok((n * 1e9).round() as i64)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(parse_bytes("512m").unwrap(), 512 << 20);
        assert_eq!(parse_bytes("1g").unwrap(), 1 << 30);
        assert_eq!(parse_bytes("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_bytes("1.5k").unwrap(), 1536);
        assert_eq!(parse_bytes("100000").unwrap(), 100_000);
        assert_eq!(parse_bytes("0").unwrap(), 0);
        for bad in ["", "m", "12x", "-1", "1e400", "99999999999999999999p"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cpus_are_nano() {
        assert_eq!(parse_cpus("1.5").unwrap(), 1_500_000_000);
        assert_eq!(parse_cpus("0.25").unwrap(), 250_000_000);
        assert!(parse_cpus("lots").is_err());
        assert!(parse_cpus("NaN").is_err());
    }
}
