//! The registry's HTTP API (distribution v2): ping, authentication (anonymous, Basic, and the
//! Bearer token flow through `oci-client`), manifest and blob requests with bounded bodies.

use std::io;
use std::sync::RwLock;
use std::time::Duration;

use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client as OciClient, RegistryOperation};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, WWW_AUTHENTICATE};
use reqwest::{Response, StatusCode};

use super::credentials::Found;
use super::name::{DOCKER_HUB, ImageName, is_loopback_host};
use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::manifest::{DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST};

/// Most bytes of an error response read to explain a failure.
const MAX_ERROR_BODY: u64 = 16 << 10;

/// How the registry asked to be authenticated, from `GET /v2/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Challenge {
    None,
    Basic,
    Bearer,
}

#[derive(Clone)]
enum Authorization {
    None,
    Basic(String, String),
    Bearer(String),
}

/// A manifest as the registry sent it.
pub(crate) struct FetchedManifest {
    pub bytes: Vec<u8>,
    pub media_type: Option<String>,
    /// The `Docker-Content-Digest` header, when sent.
    pub digest_header: Option<String>,
}

pub(crate) struct RegistryClient {
    http: reqwest::Client,
    oci: OciClient,
    oci_ref: oci_client::Reference,
    base: String,
    name: ImageName,
    /// The reference as the user gave it: names the image in errors.
    reference: String,
    credentials: Found,
    authorization: RwLock<Authorization>,
    /// What a Bearer token is asked for: pull, or push (`db push`).
    pub(super) operation: RegistryOperation,
}

impl RegistryClient {
    pub fn new(name: ImageName, reference: &str, insecure: bool) -> Result<RegistryClient> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("seaworthy/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(120))
            .https_only(!insecure);
        if insecure {
            // Loopback only (checked by the caller): never through a proxy.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ImageError::io(reference, io::Error::other(describe(&e))))?;
        let protocol = if insecure {
            oci_client::client::ClientProtocol::HttpsExcept(vec![name.host.clone()])
        } else {
            oci_client::client::ClientProtocol::Https
        };
        let oci = OciClient::try_from(oci_client::client::ClientConfig {
            protocol,
            connect_timeout: Some(Duration::from_secs(30)),
            read_timeout: Some(Duration::from_secs(120)),
            ..Default::default()
        })
        .map_err(|e| ImageError::io(reference, io::Error::other(e.to_string())))?;
        let oci_ref = oci_client::Reference::with_tag(
            name.host.clone(),
            name.repository.clone(),
            name.reference(),
        );
        let scheme = if insecure { "http" } else { "https" };
        Ok(RegistryClient {
            http,
            oci,
            oci_ref,
            base: format!("{scheme}://{}", name.host),
            name,
            reference: reference.to_string(),
            credentials: Found::default(),
            authorization: RwLock::new(Authorization::None),
            operation: RegistryOperation::Pull,
        })
    }

    pub fn registry(&self) -> &str {
        &self.name.registry
    }

    /// `BASE/v2/REPOSITORY/{path}`.
    pub(super) fn repository_url(&self, path: &str) -> String {
        format!("{}/v2/{}/{path}", self.base, self.name.repository)
    }

    /// An upload `Location` (absolute, or a path on this registry) as a URL.
    pub(super) fn absolute_url(&self, location: &str) -> String {
        if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            location.to_string()
        }
    }

    /// `registry/repository`, for messages.
    pub(super) fn full_name(&self) -> String {
        format!("{}/{}", self.name.registry, self.name.repository)
    }

    /// `GET /v2/`: whether and how the registry wants credentials.
    pub async fn ping(&self) -> Result<Challenge> {
        let url = format!("{}/v2/", self.base);
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| self.network_error(&e))?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            // Any other answer: try anonymously and let the manifest request tell.
            return Ok(Challenge::None);
        }
        let schemes = challenge_schemes(resp.headers());
        if schemes.iter().any(|s| s.eq_ignore_ascii_case("bearer")) {
            Ok(Challenge::Bearer)
        } else if schemes.iter().any(|s| s.eq_ignore_ascii_case("basic")) {
            Ok(Challenge::Basic)
        } else {
            Err(ImageError::bad(
                &self.reference,
                "the registry asks for authentication without saying how (no Basic or Bearer \
                 WWW-Authenticate challenge)",
            ))
        }
    }

    /// Sets up authorization for the challenge, with the credentials found (if any).
    pub async fn authenticate(&mut self, challenge: Challenge, credentials: Found) -> Result<()> {
        self.credentials = credentials;
        let auth = match (challenge, &self.credentials.basic) {
            (Challenge::None, _) => Authorization::None,
            (Challenge::Basic, Some((user, pass))) => {
                Authorization::Basic(user.clone(), pass.clone())
            }
            (Challenge::Basic, None) => return Err(self.auth_error(None)),
            (Challenge::Bearer, _) => self.bearer_token().await?,
        };
        self.set_authorization(auth);
        Ok(())
    }

    /// A pull token from the registry's token service (`realm`, `service`, `scope`).
    async fn bearer_token(&self) -> Result<Authorization> {
        let auth = match &self.credentials.basic {
            Some((user, pass)) => RegistryAuth::Basic(user.clone(), pass.clone()),
            None => RegistryAuth::Anonymous,
        };
        match self.oci.auth(&self.oci_ref, &auth, self.operation).await {
            Ok(Some(token)) => Ok(Authorization::Bearer(token)),
            Ok(None) => Ok(Authorization::None),
            Err(OciDistributionError::AuthenticationFailure(reason)) => {
                Err(self.auth_error(Some(&token_message(reason.as_bytes()))))
            }
            Err(OciDistributionError::RequestError(e)) => Err(self.network_error(&e)),
            Err(e) => Err(ImageError::bad(
                &self.reference,
                format!("token service of {}: {e}", self.registry()),
            )),
        }
    }

    fn set_authorization(&self, auth: Authorization) {
        match self.authorization.write() {
            Ok(mut guard) => *guard = auth,
            Err(poisoned) => *poisoned.into_inner() = auth,
        }
    }

    fn current_authorization(&self) -> Authorization {
        match self.authorization.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// GET with the current authorization; a rejected Bearer token is renewed once.
    async fn get(&self, url: &str, accept: Option<&str>) -> Result<Response> {
        self.send(reqwest::Method::GET, url, accept, None).await
    }

    /// A request with the current authorization and an optional body (with its content
    /// type); a rejected Bearer token is renewed once.
    pub(super) async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        accept: Option<&str>,
        body: Option<(&str, &[u8])>,
    ) -> Result<Response> {
        let mut renewed = false;
        loop {
            let auth = self.current_authorization();
            let mut request = self.http.request(method.clone(), url);
            if let Some(accept) = accept {
                request = request.header(ACCEPT, accept);
            }
            if let Some((content_type, bytes)) = body {
                request = request
                    .header(CONTENT_TYPE, content_type)
                    .body(bytes.to_vec());
            }
            request = match &auth {
                Authorization::None => request,
                Authorization::Basic(user, pass) => request.basic_auth(user, Some(pass)),
                Authorization::Bearer(token) => request.bearer_auth(token),
            };
            let resp = request.send().await.map_err(|e| self.network_error(&e))?;
            if resp.status() == StatusCode::UNAUTHORIZED
                && matches!(auth, Authorization::Bearer(_))
                && !renewed
            {
                renewed = true;
                let fresh = self.bearer_token().await?;
                self.set_authorization(fresh);
                continue;
            }
            return Ok(resp);
        }
    }

    /// Fetches the manifest or index `target` (a tag or digest), at most `limit` bytes.
    pub async fn manifest(&self, target: &str, limit: u64) -> Result<FetchedManifest> {
        let url = format!(
            "{}/v2/{}/manifests/{target}",
            self.base, self.name.repository
        );
        let accept = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST].join(", ");
        let resp = self.get(&url, Some(&accept)).await?;
        let separator = if target.contains(':') { '@' } else { ':' };
        let full = format!(
            "{}/{}{separator}{target}",
            self.name.registry, self.name.repository
        );
        if resp.status() != StatusCode::OK {
            return Err(self
                .status_error(resp, &self.reference, &full, Subject::Manifest)
                .await);
        }
        let media_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_string());
        let digest_header = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let what = format!("{}: manifest {full}", self.reference);
        let bytes = self.read_limited(resp, limit, &what).await?;
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest_header,
        })
    }

    /// Starts downloading a blob; the response is checked to be a success. `what` names the
    /// blob in errors.
    pub async fn blob(&self, digest: &Digest, what: &str) -> Result<Response> {
        let url = format!("{}/v2/{}/blobs/{digest}", self.base, self.name.repository);
        let resp = self.get(&url, None).await?;
        if !resp.status().is_success() {
            let full = format!("{}/{}@{digest}", self.name.registry, self.name.repository);
            return Err(self.status_error(resp, what, &full, Subject::Blob).await);
        }
        Ok(resp)
    }

    /// A small blob (config) whole, at most `limit` bytes.
    pub async fn small_blob(&self, digest: &Digest, limit: u64, what: &str) -> Result<Vec<u8>> {
        let resp = self.blob(digest, what).await?;
        self.read_limited(resp, limit, what).await
    }

    pub(super) async fn read_limited(
        &self,
        mut resp: Response,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>> {
        let too_big = || ImageError::bad(what, format!("larger than the {limit} byte limit"));
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(too_big());
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.network_error(&e))? {
            if (out.len() as u64).saturating_add(chunk.len() as u64) > limit {
                return Err(too_big());
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Turns a failed response for `full` (registry/repo@digest) into an error that says what
    /// to do.
    pub(super) async fn status_error(
        &self,
        resp: Response,
        what: &str,
        full: &str,
        subject: Subject,
    ) -> ImageError {
        let status = resp.status();
        let detail = match self.read_limited(resp, MAX_ERROR_BODY, what).await {
            Ok(body) => registry_message(&body),
            Err(_) => String::new(),
        };
        let detail_suffix = if detail.is_empty() {
            String::new()
        } else {
            format!(" ({detail})")
        };
        match status {
            StatusCode::UNAUTHORIZED => self.auth_error(Some(&detail)),
            StatusCode::FORBIDDEN => ImageError::bad(
                what,
                format!("access denied by {}{detail_suffix}", self.registry()),
            ),
            StatusCode::NOT_FOUND => match subject {
                Subject::Manifest => ImageError::NotFound {
                    what: what.to_string(),
                    message: Some(format!(
                        "{full}: no such repository, tag or digest{detail_suffix}"
                    )),
                },
                Subject::Blob => ImageError::bad(
                    what,
                    format!("the registry does not have {full}{detail_suffix}"),
                ),
            },
            StatusCode::TOO_MANY_REQUESTS => ImageError::io(
                what,
                io::Error::other(format!(
                    "{} refused: too many requests (rate limit){detail_suffix}",
                    self.registry()
                )),
            ),
            s if s.is_server_error() => ImageError::io(
                what,
                io::Error::other(format!("{} answered {s}{detail_suffix}", self.registry())),
            ),
            s => ImageError::bad(
                what,
                format!("{} answered {s}{detail_suffix}", self.registry()),
            ),
        }
    }

    /// "authentication required" without credentials, "authentication failed" with them.
    fn auth_error(&self, detail: Option<&str>) -> ImageError {
        let registry = self.registry();
        let detail = detail
            .filter(|d| !d.is_empty())
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let message = match &self.credentials.basic {
            Some((user, _)) => format!(
                "authentication failed for {registry} as user {user:?}{detail}; check the \
                 credentials"
            ),
            None => {
                let mut m = format!(
                    "authentication required for {registry}{detail}; log in with `docker login \
                     {registry}` or pass credentials"
                );
                if registry == DOCKER_HUB {
                    m.push_str(
                        " (Docker Hub also answers this way when the repository does not exist)",
                    );
                }
                if let Some(note) = &self.credentials.note {
                    m.push_str("; ");
                    m.push_str(note);
                }
                m
            }
        };
        ImageError::bad(&self.reference, message)
    }

    pub(super) fn network_error(&self, e: &reqwest::Error) -> ImageError {
        let mut message = format!("cannot reach {}: {}", self.registry(), describe(e));
        if self.base.starts_with("https:") && is_loopback_host(&self.name.host) {
            message.push_str(&format!(
                " (a local registry serving plain HTTP needs --insecure-registry {})",
                self.name.host
            ));
        }
        ImageError::io(&self.reference, io::Error::new(io_kind(e), message))
    }
}

#[derive(Clone, Copy)]
pub(super) enum Subject {
    Manifest,
    Blob,
}

/// The auth schemes offered in `WWW-Authenticate` headers.
fn challenge_schemes(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split_whitespace().next())
        .map(|s| s.trim_end_matches(',').to_string())
        .collect()
}

/// The `errors[]` of a distribution-spec error body, or its first line.
fn registry_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(default)]
        errors: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_slice::<Envelope>(body) {
        Ok(env) if !env.errors.is_empty() => env
            .errors
            .iter()
            .take(4)
            .map(|e| first_line(&format!("{}: {}", e.code, e.message)))
            .collect::<Vec<_>>()
            .join("; "),
        _ => first_line(&String::from_utf8_lossy(body)),
    }
}

/// A token service's refusal: `{"details": …}` (Docker Hub), a distribution error body, or text.
fn token_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Details {
        details: String,
    }
    match serde_json::from_slice::<Details>(body) {
        Ok(d) => first_line(&d.details),
        Err(_) => registry_message(body),
    }
}

fn first_line(s: &str) -> String {
    s.trim()
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect()
}

/// A reqwest error with its causes ("error sending request" alone says little).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let what = seaworthy_core::causes::outer_and_innermost(e);
    if e.is_timeout() {
        format!("timed out ({what})")
    } else if e.is_connect() && what.contains("lookup") {
        format!("DNS lookup failed ({what}); check the name and this machine's network")
    } else if e.is_connect() {
        format!("cannot connect ({what})")
    } else {
        what
    }
}

/// Network failures stay I/O errors (exit 3), not input errors.
pub(crate) fn io_kind(e: &reqwest::Error) -> io::ErrorKind {
    if e.is_timeout() {
        io::ErrorKind::TimedOut
    } else if e.is_connect() {
        io::ErrorKind::ConnectionRefused
    } else {
        io::ErrorKind::ConnectionAborted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_errors_are_summarised() {
        let body =
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}"#;
        assert_eq!(registry_message(body), "MANIFEST_UNKNOWN: manifest unknown");
        assert_eq!(registry_message(b"<html>\nnope"), "<html>");
        assert_eq!(
            token_message(br#"{"details":"incorrect username or password"}"#),
            "incorrect username or password"
        );
    }

    #[test]
    fn challenge_schemes_are_read() {
        let mut h = HeaderMap::new();
        h.append(
            WWW_AUTHENTICATE,
            reqwest::header::HeaderValue::from_static(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#,
            ),
        );
        h.append(
            WWW_AUTHENTICATE,
            reqwest::header::HeaderValue::from_static(r#"Basic realm="r""#),
        );
        assert_eq!(challenge_schemes(&h), vec!["Bearer", "Basic"]);
    }
}
