//! Arbitrary requirement expressions and versions in every range syntax.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_vulndb::ReqSyntax;
use seaworthy_vulndb::ranges::{lowest_fix, requirement_matches};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (expr, version) = text.split_once('\n').unwrap_or((text, "1.2.3"));
    for syntax in [ReqSyntax::Npm, ReqSyntax::Cargo, ReqSyntax::Gem, ReqSyntax::Composer] {
        let _ = requirement_matches(syntax, expr, version);
        let _ = lowest_fix(syntax, &[expr.to_string()], version);
    }
});
