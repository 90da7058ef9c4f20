//! A real registry for tests: Debian's `docker-registry` (distribution 2.8) on a free loopback
//! port with its storage in a temp dir, optionally behind htpasswd Basic auth or the token
//! (Bearer) flow with a small token server signing JWTs through the `openssl` CLI; plus pushing
//! test-built images to it through the OCI distribution API (oci-client's push).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};

const BINARY: &str = "docker-registry";

/// Is `tool` on PATH? When it is not: panic if CI or SEAWORTHY_REQUIRE_DOCKER is set, else
/// print why the test is skipped and return false.
pub fn require_tool(tool: &str, package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
    if found {
        return true;
    }
    let required = std::env::var_os("CI").is_some_and(|v| !v.is_empty())
        || std::env::var_os("SEAWORTHY_REQUIRE_DOCKER").is_some_and(|v| !v.is_empty());
    if required {
        panic!(
            "`{tool}` is not installed (apt-get install {package}); CI needs it for registry tests"
        );
    }
    eprintln!("skipping: `{tool}` is not installed (apt-get install {package})");
    false
}

/// A running `docker-registry serve`, killed on drop.
pub struct Registry {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts an anonymous registry; `None` when the binary is missing (and not required).
    pub fn start() -> Option<Registry> {
        Registry::start_with(&Auth::None)
    }

    /// Starts a registry that requires `user`/`pass` over Basic auth.
    pub fn start_with_auth(user: &str, pass: &str) -> Option<Registry> {
        if !require_tool("htpasswd", "apache2-utils") {
            return None;
        }
        Registry::start_with(&Auth::Htpasswd(user, pass))
    }

    /// Starts a registry that trusts tokens from `server`.
    pub fn start_with_tokens(server: &TokenServer) -> Option<Registry> {
        Registry::start_with(&Auth::Token(server))
    }

    fn start_with(auth: &Auth<'_>) -> Option<Registry> {
        if !require_tool(BINARY, "docker-registry") {
            return None;
        }
        let mut last_log = String::new();
        // The port is free when picked but may be taken before the registry binds it: retry.
        for _ in 0..3 {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
            let port = free_port();
            let addr = format!("127.0.0.1:{port}");
            let config = write_config(dir.path(), &addr, auth);
            let log = std::fs::File::create(dir.path().join("registry.log"))
                .unwrap_or_else(|e| panic!("registry log: {e}"));
            let log_err = log
                .try_clone()
                .unwrap_or_else(|e| panic!("registry log: {e}"));
            let child = Command::new(BINARY)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log_err)
                .spawn()
                .unwrap_or_else(|e| panic!("spawning {BINARY}: {e}"));
            let mut registry = Registry { child, addr, dir };
            if registry.wait_ready(Duration::from_secs(20)) {
                return Some(registry);
            }
            last_log = std::fs::read_to_string(registry.dir.path().join("registry.log"))
                .unwrap_or_default();
        }
        panic!("{BINARY} did not start; its log:\n{last_log}");
    }

    /// Polls `GET /v2/` until it answers 200 or 401.
    fn wait_ready(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Some(status) = http_status(&self.addr, "/v2/")
                && (status == 200 || status == 401)
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Where the registry stores a blob's bytes (for tampering with them).
    pub fn blob_data_path(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(hex.get(..2).unwrap_or_default())
            .join(hex)
            .join("data")
    }

    /// `registry:ADDR/REPO:TAG`, as the CLI takes it.
    pub fn reference(&self, repo_and_tag: &str) -> String {
        format!("registry:{}/{repo_and_tag}", self.addr)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("free port: {e}"))
}

enum Auth<'a> {
    None,
    Htpasswd(&'a str, &'a str),
    Token(&'a TokenServer),
}

fn write_config(dir: &Path, addr: &str, auth: &Auth<'_>) -> PathBuf {
    let storage = dir.join("storage");
    std::fs::create_dir_all(&storage).unwrap_or_else(|e| panic!("{e}"));
    let mut yaml = format!(
        "version: 0.1\n\
         log:\n  level: warn\n  accesslog:\n    disabled: true\n\
         storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
         http:\n  addr: {addr}\n",
        storage.display()
    );
    if let Auth::Token(server) = auth {
        yaml.push_str(&format!(
            "auth:\n  token:\n    realm: http://{}/token\n    service: {TOKEN_SERVICE}\n    \
             issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
            server.addr,
            server.dir.path().join("cert.pem").display()
        ));
    }
    if let Auth::Htpasswd(user, pass) = auth {
        let out = Command::new("htpasswd")
            .args(["-Bbn", user, pass])
            .output()
            .unwrap_or_else(|e| panic!("htpasswd: {e}"));
        assert!(out.status.success(), "htpasswd failed: {out:?}");
        let file = dir.join("htpasswd");
        std::fs::write(&file, &out.stdout).unwrap_or_else(|e| panic!("{e}"));
        yaml.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: seaworthy-test\n    path: {}\n",
            file.display()
        ));
    }
    let path = dir.join("config.yml");
    std::fs::write(&path, yaml).unwrap_or_else(|e| panic!("{e}"));
    path
}

/// The status code of a plain HTTP GET, `None` when nothing answers.
fn http_status(addr: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(head.get(9..12)?).ok()?.parse().ok()
}

/// Pushes blobs and manifests with oci-client (Basic auth when `auth` is given).
pub struct Pusher {
    client: Client,
    auth: RegistryAuth,
    runtime: tokio::runtime::Runtime,
    addr: String,
}

impl Pusher {
    pub fn new(registry: &Registry, auth: Option<(&str, &str)>) -> Pusher {
        let client = Client::new(ClientConfig {
            protocol: ClientProtocol::HttpsExcept(vec![registry.addr.clone()]),
            ..Default::default()
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        let auth = match auth {
            Some((u, p)) => RegistryAuth::Basic(u.into(), p.into()),
            None => RegistryAuth::Anonymous,
        };
        Pusher {
            client,
            auth,
            runtime,
            addr: registry.addr.clone(),
        }
    }

    fn reference(&self, repo: &str, tag: &str) -> Reference {
        Reference::with_tag(self.addr.clone(), repo.into(), tag.into())
    }

    async fn push_auth(&self, reference: &Reference) {
        self.client
            .auth(reference, &self.auth, RegistryOperation::Push)
            .await
            .unwrap_or_else(|e| panic!("auth for push: {e}"));
    }

    /// Uploads a blob; returns its digest.
    pub fn blob(&self, repo: &str, data: &[u8]) -> String {
        let digest = super::image_util::sha256(data);
        let reference = self.reference(repo, "latest");
        self.runtime.block_on(async {
            self.push_auth(&reference).await;
            self.client
                .push_blob(&reference, data.to_vec(), &digest)
                .await
                .unwrap_or_else(|e| panic!("push blob {digest}: {e}"));
        });
        digest
    }

    /// Uploads a manifest or index under `tag`; returns its digest.
    pub fn manifest(&self, repo: &str, tag: &str, media_type: &str, body: &[u8]) -> String {
        let reference = self.reference(repo, tag);
        let content_type =
            reqwest::header::HeaderValue::from_str(media_type).unwrap_or_else(|e| panic!("{e}"));
        self.runtime.block_on(async {
            self.push_auth(&reference).await;
            self.client
                .push_manifest_raw(&reference, body.to_vec(), content_type)
                .await
                .unwrap_or_else(|e| panic!("push manifest {repo}:{tag}: {e}"));
        });
        super::image_util::sha256(body)
    }
}

const TOKEN_SERVICE: &str = "seaworthy-test-registry";
const TOKEN_ISSUER: &str = "seaworthy-test-issuer";

/// A token service in the style of Docker Hub's: anonymous callers get `pull` on `public/*`
/// and an empty grant elsewhere; `user`/`pass` get what they ask for; wrong credentials get 401.
/// Tokens are RS256 JWTs carrying their self-signed certificate in `x5c`.
pub struct TokenServer {
    pub addr: String,
    dir: tempfile::TempDir,
    /// Token requests answered so far.
    pub requests: Arc<AtomicUsize>,
}

impl TokenServer {
    /// `None` when `openssl` is missing (and not required).
    pub fn start(user: &str, pass: &str) -> Option<TokenServer> {
        if !require_tool("openssl", "openssl") || !require_tool(BINARY, "docker-registry") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
        let out = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=seaworthy-test-token-issuer", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .unwrap_or_else(|e| panic!("openssl req: {e}"));
        assert!(out.status.success(), "openssl req failed: {out:?}");
        let der = Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert)
            .output()
            .unwrap_or_else(|e| panic!("openssl x509: {e}"));
        assert!(der.status.success(), "openssl x509: {der:?}");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let requests = Arc::new(AtomicUsize::new(0));
        let issuer = Issuer {
            key,
            cert_der: der.stdout,
            basic: format!("Basic {}", base64(format!("{user}:{pass}").as_bytes(), STD)),
            user: user.to_string(),
            requests: requests.clone(),
        };
        // The thread ends with the test process; each connection is one request.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = issuer.answer(stream);
            }
        });
        Some(TokenServer {
            addr,
            dir,
            requests,
        })
    }
}

struct Issuer {
    key: PathBuf,
    cert_der: Vec<u8>,
    basic: String,
    user: String,
    requests: Arc<AtomicUsize>,
}

impl Issuer {
    fn answer(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut request_line = String::new();
        reader.read_line(&mut request_line)?;
        let mut authorization = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("authorization")
            {
                authorization = Some(value.trim().to_string());
            }
        }
        self.requests.fetch_add(1, Ordering::SeqCst);
        let target = request_line.split_whitespace().nth(1).unwrap_or_default();
        let query = target.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let scope = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "scope")
            .map(|(_, v)| percent_decode(v))
            .unwrap_or_default();
        let (status, body) = match authorization.as_deref() {
            Some(a) if a == self.basic => ("200 OK", self.token(&self.user, &scope, true)),
            Some(_) => (
                "401 Unauthorized",
                r#"{"details":"incorrect username or password"}"#.into(),
            ),
            None => ("200 OK", self.token("", &scope, false)),
        };
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )?;
        stream.flush()
    }

    /// A signed token for `scope` (`repository:NAME:ACTIONS`).
    fn token(&self, subject: &str, scope: &str, authenticated: bool) -> String {
        let mut parts = scope.splitn(3, ':');
        let (kind, name, actions) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let granted: Vec<&str> = if authenticated {
            actions.split(',').collect()
        } else if name.starts_with("public/") {
            actions.split(',').filter(|a| *a == "pull").collect()
        } else {
            Vec::new()
        };
        let access = if granted.is_empty() {
            serde_json::json!([])
        } else {
            serde_json::json!([{"type": kind, "name": name, "actions": granted}])
        };
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let header = serde_json::json!({
            "alg": "RS256", "typ": "JWT", "x5c": [base64(&self.cert_der, STD)],
        });
        let claims = serde_json::json!({
            "iss": TOKEN_ISSUER, "sub": subject, "aud": TOKEN_SERVICE,
            "exp": now + 300, "nbf": now - 10, "iat": now - 10,
            "jti": format!("{now}-{}", self.requests.load(Ordering::SeqCst)),
            "access": access,
        });
        let signing_input = format!(
            "{}.{}",
            base64(header.to_string().as_bytes(), URL),
            base64(claims.to_string().as_bytes(), URL)
        );
        let signature = sign(&self.key, signing_input.as_bytes());
        let jwt = format!("{signing_input}.{}", base64(&signature, URL));
        serde_json::json!({"token": jwt, "access_token": jwt, "expires_in": 300}).to_string()
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWT's RS256), by `openssl dgst -sign`.
fn sign(key: &Path, data: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-binary", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("openssl dgst: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(data)
            .unwrap_or_else(|e| panic!("openssl stdin: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("openssl dgst: {e}"));
    assert!(out.status.success(), "openssl dgst failed: {out:?}");
    out.stdout
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 with `alphabet`; padded for the standard alphabet, unpadded for the URL one (JWT).
fn base64(data: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(alphabet[index as usize]));
        }
        if alphabet == STD {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn base64_matches_rfc4648_vectors() {
    assert_eq!(base64(b"", STD), "");
    assert_eq!(base64(b"f", STD), "Zg==");
    assert_eq!(base64(b"fo", STD), "Zm8=");
    assert_eq!(base64(b"foobar", STD), "Zm9vYmFy");
    assert_eq!(base64(&[0xfb, 0xff], URL), "-_8");
    assert_eq!(
        percent_decode("repository%3Aa%2Fb%3Apull%2Cpush"),
        "repository:a/b:pull,push"
    );
}
