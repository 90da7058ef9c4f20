//! Errors said once: clients wrap a cause in layers that repeat it (`error sending request …:
//! client error (Connect): … : Connection refused`); a person needs the outer context and the
//! innermost cause.

use std::error::Error;

/// Deepest cause followed.
const MAX_DEPTH: usize = 16;

/// The innermost cause of `e` (`e` itself when it has none).
pub fn innermost(e: &(dyn Error + 'static)) -> String {
    let mut cause = e.to_string();
    let mut source = e.source();
    for _ in 0..MAX_DEPTH {
        let Some(s) = source else { break };
        cause = s.to_string();
        source = s.source();
    }
    cause
}

/// `e` and its innermost cause, the cause left out when `e` already says it.
pub fn outer_and_innermost(e: &(dyn Error + 'static)) -> String {
    let outer = e.to_string();
    let cause = innermost(e);
    if outer.contains(&cause) {
        outer
    } else {
        format!("{outer}: {cause}")
    }
}

/// Why a Docker daemon cannot be reached, from a client error: its innermost cause
/// ("Connection refused (os error 111)") and what to check.
pub fn unreachable_daemon(e: &(dyn Error + 'static)) -> String {
    let cause = innermost(e);
    let cause = cause
        .trim_start_matches("Error in the hyper legacy client: ")
        .trim_start_matches("client error (Connect)")
        .trim_start_matches(": ");
    let cause = if cause.is_empty() {
        "cannot connect"
    } else {
        cause
    };
    format!("{cause} (is dockerd running and listening there? check DOCKER_HOST)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|l| l as &(dyn Error + 'static))
        }
    }

    #[test]
    fn wrapping_is_said_once() {
        let e = Layer(
            "error sending request for url (http://x/)",
            Some(Box::new(Layer(
                "client error (Connect)",
                Some(Box::new(Layer("Connection refused (os error 111)", None))),
            ))),
        );
        assert_eq!(
            outer_and_innermost(&e),
            "error sending request for url (http://x/): Connection refused (os error 111)"
        );
        assert_eq!(
            unreachable_daemon(&e),
            "Connection refused (os error 111) (is dockerd running and listening there? check \
             DOCKER_HOST)"
        );
        let alone = Layer(
            "Error in the hyper legacy client: client error (Connect)",
            None,
        );
        assert!(unreachable_daemon(&alone).starts_with("cannot connect ("));
        assert_eq!(outer_and_innermost(&alone), alone.0);
    }
}
