//! GitHub code scanning's upload rules for a SARIF file, checked on the parsed document: what
//! `github/codeql-action/upload-sarif` and the `code-scanning/sarifs` API reject or cut
//! (docs.github.com, "SARIF support for code scanning" and "SARIF results exceed limits").
//! Every SARIF seaworthy writes is checked against them in the tests.

use serde_json::Value;

/// Hard limits of an upload (beyond them the file is rejected).
pub const MAX_RUNS: usize = 20;
pub const MAX_RESULTS_PER_RUN: usize = 25_000;
pub const MAX_RULES_PER_RUN: usize = 25_000;
pub const MAX_LOCATIONS_PER_RESULT: usize = 1_000;
pub const MAX_TAGS_PER_RULE: usize = 20;
pub const MAX_EXTENSIONS_PER_RUN: usize = 100;

/// Every way `doc` breaks the upload rules, one line each (empty: it uploads).
pub fn github_upload_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if doc["version"] != "2.1.0" {
        problems.push("`version` is not 2.1.0".to_string());
    }
    let Some(runs) = doc["runs"].as_array() else {
        problems.push("`runs` is not an array".to_string());
        return problems;
    };
    if runs.is_empty() || runs.len() > MAX_RUNS {
        problems.push(format!("{} runs (1 to {MAX_RUNS} allowed)", runs.len()));
    }
    for (r, run) in runs.iter().enumerate() {
        check_run(r, run, &mut problems);
    }
    problems
}

fn check_run(r: usize, run: &Value, problems: &mut Vec<String>) {
    let mut say = |what: String| problems.push(format!("runs[{r}]: {what}"));
    if text(&run["tool"]["driver"]["name"]).is_none() {
        say("tool.driver.name is missing".to_string());
    }
    let rules = array(&run["tool"]["driver"]["rules"]);
    if rules.len() > MAX_RULES_PER_RUN {
        say(format!(
            "{} rules (at most {MAX_RULES_PER_RUN})",
            rules.len()
        ));
    }
    let extensions = array(&run["tool"]["extensions"]).len();
    if extensions > MAX_EXTENSIONS_PER_RUN {
        say(format!("{extensions} tool extensions"));
    }
    for (n, rule) in rules.iter().enumerate() {
        if text(&rule["id"]).is_none() {
            say(format!("rules[{n}] has no id"));
        }
        if text(&rule["help"]["text"]).is_none() {
            say(format!("rules[{n}] has no help.text"));
        }
        let tags = array(&rule["properties"]["tags"]).len();
        if tags > MAX_TAGS_PER_RULE {
            say(format!("rules[{n}] has {tags} tags"));
        }
    }
    let results = array(&run["results"]);
    if results.len() > MAX_RESULTS_PER_RUN {
        say(format!(
            "{} results (at most {MAX_RESULTS_PER_RUN})",
            results.len()
        ));
    }
    for (n, result) in results.iter().enumerate() {
        for p in result_problems(result, rules) {
            say(format!("results[{n}]: {p}"));
        }
    }
}

fn result_problems(result: &Value, rules: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    let rule_id = text(&result["ruleId"]);
    if rule_id.is_none() {
        problems.push("no ruleId".to_string());
    }
    if let Some(index) = result["ruleIndex"].as_u64() {
        let named = usize::try_from(index)
            .ok()
            .and_then(|i| rules.get(i))
            .and_then(|r| text(&r["id"]));
        if named != rule_id {
            problems.push(format!("ruleIndex {index} names another rule"));
        }
    } else if rule_id.is_some_and(|id| !rules.iter().any(|r| text(&r["id"]) == Some(id))) {
        problems.push("ruleId is not among the run's rules".to_string());
    }
    if text(&result["message"]["text"]).is_none() {
        problems.push("no message.text".to_string());
    }
    if result["partialFingerprints"]
        .as_object()
        .is_none_or(|m| m.is_empty())
    {
        problems.push("no partialFingerprints".to_string());
    }
    let locations = array(&result["locations"]);
    if locations.is_empty() || locations.len() > MAX_LOCATIONS_PER_RESULT {
        problems.push(format!("{} locations", locations.len()));
    }
    for (n, l) in locations.iter().enumerate() {
        let physical = &l["physicalLocation"];
        match text(&physical["artifactLocation"]["uri"]) {
            None => problems.push(format!("locations[{n}] has no physical location")),
            Some(uri) if !is_relative_reference(uri) => problems.push(format!(
                "locations[{n}]: `{uri}` is not a repository-relative URI"
            )),
            Some(_) => {}
        }
        let region = &physical["region"];
        if !region.is_null() && region["startLine"].as_u64().is_none_or(|l| l == 0) {
            problems.push(format!("locations[{n}]: region without a startLine ≥ 1"));
        }
    }
    problems
}

/// A relative URI reference that stays inside the repository: no scheme, no leading `/`, no
/// `..` segment, no backslash.
fn is_relative_reference(uri: &str) -> bool {
    let first = uri.split('/').next().unwrap_or("");
    !uri.starts_with('/')
        && !first.contains(':')
        && !uri.contains('\\')
        && uri.split('/').all(|s| s != "..")
}

fn text(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.trim().is_empty())
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(result: Value) -> Value {
        json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "t", "rules": [{"id": "R1", "help": {"text": "h"}}]}},
                "results": [result]
            }]
        })
    }

    #[test]
    fn a_good_result_uploads_and_each_defect_is_named() {
        let good = json!({
            "ruleId": "R1", "ruleIndex": 0, "message": {"text": "m"},
            "partialFingerprints": {"k": "v"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a/Dockerfile"},
                                                "region": {"startLine": 3}}}]
        });
        assert!(github_upload_problems(&log(good.clone())).is_empty());
        let broken = |path: &str, value: Value| {
            let mut r = good.clone();
            if let Some(v) = r.pointer_mut(path) {
                *v = value;
            }
            github_upload_problems(&log(r)).join("\n")
        };
        assert!(broken("/locations/0/physicalLocation", Value::Null).contains("no physical"));
        for uri in ["file:///src/Dockerfile", "/etc/passwd", "../x", "a\\b"] {
            let p = broken(
                "/locations/0/physicalLocation/artifactLocation/uri",
                json!(uri),
            );
            assert!(p.contains("not a repository-relative"), "{uri}: {p}");
        }
        assert!(broken("/partialFingerprints", json!({})).contains("partialFingerprints"));
        assert!(broken("/ruleIndex", json!(5)).contains("names another rule"));
        assert!(
            broken("/locations/0/physicalLocation/region/startLine", json!(0))
                .contains("startLine")
        );
        let mut no_help = log(good);
        no_help["runs"][0]["tool"]["driver"]["rules"][0]["help"] = Value::Null;
        assert!(
            github_upload_problems(&no_help)
                .join("\n")
                .contains("help.text")
        );
    }
}
