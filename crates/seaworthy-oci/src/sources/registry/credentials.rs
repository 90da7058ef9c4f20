//! Registry credentials: explicit ones first, else Docker's `config.json` (`auths`, `credsStore`,
//! `credHelpers`; helpers run through the `docker_credential` crate).

use std::path::{Path, PathBuf};

use docker_credential::{CredentialRetrievalError, DockerCredential};

use crate::error::{ImageError, Result};

/// Largest `config.json` read.
const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// What was found for a registry. `note` says why nothing usable was found, for error messages.
/// (No `Debug`: it holds a password.)
#[derive(Default)]
pub(crate) struct Found {
    pub basic: Option<(String, String)>,
    pub note: Option<String>,
}

/// Looks up credentials for `auth_key` (see [`super::name::ImageName::auth_key`]).
pub(crate) fn lookup(
    auth_key: &str,
    explicit: Option<&(String, String)>,
    docker_config: Option<&Path>,
) -> Result<Found> {
    if let Some((user, pass)) = explicit {
        return Ok(Found {
            basic: Some((user.clone(), pass.clone())),
            note: None,
        });
    }
    let Some(dir) = docker_config.map(Path::to_path_buf).or_else(default_dir) else {
        return Ok(Found::default());
    };
    let path = dir.join("config.json");
    let Some(bytes) = read_config(&path)? else {
        return Ok(Found::default());
    };
    let what = path.display().to_string();
    match docker_credential::get_credential_from_reader(&bytes[..], auth_key) {
        Ok(DockerCredential::UsernamePassword(user, pass)) => Ok(Found {
            basic: Some((user, pass)),
            note: None,
        }),
        Ok(DockerCredential::IdentityToken(_)) => Ok(Found {
            basic: None,
            note: Some(format!(
                "{what} holds an identity token for {auth_key}, which seaworthy cannot use; \
                 pass a username and password instead"
            )),
        }),
        Err(CredentialRetrievalError::NoCredentialConfigured) => Ok(Found::default()),
        Err(CredentialRetrievalError::ConfigReadError) => {
            Err(ImageError::bad(what, "not a valid Docker config file"))
        }
        Err(
            e @ (CredentialRetrievalError::CredentialDecodingError
            | CredentialRetrievalError::CredentialMismatchError),
        ) => Err(ImageError::bad(
            what,
            format!("credentials for {auth_key}: {e}"),
        )),
        // A helper that has nothing for this registry, or cannot run: try anonymously.
        Err(CredentialRetrievalError::HelperFailure {
            helper,
            stderr,
            stdout,
        }) => Ok(Found {
            basic: None,
            note: Some(format!(
                "credential helper {helper} failed: {}",
                first_line(if stderr.trim().is_empty() {
                    &stdout
                } else {
                    &stderr
                })
            )),
        }),
        Err(CredentialRetrievalError::HelperCommunicationError) => Ok(Found {
            basic: None,
            note: Some(match helper_for(&bytes, auth_key) {
                Some(name) => {
                    format!("credential helper docker-credential-{name} could not be run")
                }
                None => format!("{what}: the credential helper could not be run"),
            }),
        }),
        Err(e) => Ok(Found {
            basic: None,
            note: Some(format!("{what}: {e}")),
        }),
    }
}

/// The helper `config.json` names for `auth_key` (`credHelpers`, else `credsStore`).
fn helper_for(config: &[u8], auth_key: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Helpers {
        #[serde(default, rename = "credsStore")]
        creds_store: Option<String>,
        #[serde(default, rename = "credHelpers")]
        cred_helpers: std::collections::HashMap<String, String>,
    }
    let helpers: Helpers = serde_json::from_slice(config).ok()?;
    helpers
        .cred_helpers
        .get(auth_key)
        .cloned()
        .or(helpers.creds_store)
        .filter(|h| !h.is_empty())
}

/// `$DOCKER_CONFIG`, else `~/.docker`.
fn default_dir() -> Option<PathBuf> {
    std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".docker")))
}

/// The config file's bytes, `None` when there is none.
fn read_config(path: &Path) -> Result<Option<Vec<u8>>> {
    use seaworthy_core::files::{self, Links};
    // A regular file only: a FIFO or device is refused, never opened for a blocking read.
    files::read_optional(path, MAX_CONFIG_BYTES, Links::Follow).map_err(crate::store::file_error)
}

fn first_line(s: &str) -> String {
    let line = s.trim().lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_config(json: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("config.json"), json).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn explicit_credentials_win() {
        let dir = write_config(r#"{"auths":{"r:1":{"auth":"YTpi"}}}"#);
        let pair = ("u".to_string(), "p".to_string());
        let found = lookup("r:1", Some(&pair), Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.basic, Some(pair));
    }

    #[test]
    fn auths_entries_decode_and_docker_hub_key_matches() {
        // "a:b" and "hub:secret" in base64.
        let dir = write_config(
            r#"{"auths":{"r:1":{"auth":"YTpi"},"https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="}}}"#,
        );
        let get = |key| lookup(key, None, Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get("r:1").basic, Some(("a".into(), "b".into())));
        assert_eq!(
            get("https://index.docker.io/v1/").basic,
            Some(("hub".into(), "secret".into()))
        );
        assert_eq!(get("other:2").basic, None);
    }

    #[test]
    fn missing_config_is_anonymous_and_broken_config_is_an_error() {
        let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let found = lookup("r:1", None, Some(empty.path())).unwrap_or_else(|e| panic!("{e}"));
        assert!(found.basic.is_none() && found.note.is_none());
        let broken = write_config("{not json");
        assert!(lookup("r:1", None, Some(broken.path())).is_err());
        let bad_b64 = write_config(r#"{"auths":{"r:1":{"auth":"!!!"}}}"#);
        assert!(lookup("r:1", None, Some(bad_b64.path())).is_err());
    }

    #[test]
    fn missing_helper_falls_back_with_a_note() {
        let dir = write_config(r#"{"credHelpers":{"r:1":"seaworthy-test-no-such-helper"}}"#);
        let found = lookup("r:1", None, Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        assert!(found.basic.is_none());
        let note = found.note.unwrap_or_default();
        assert!(
            note.contains("docker-credential-seaworthy-test-no-such-helper"),
            "note names the helper: {note}"
        );
    }
}
