//! The catalog: every secret pattern, most specific first. Order is priority: when two
//! patterns claim overlapping text, the earlier one wins.

use seaworthy_core::Severity::{Critical, High, Medium};

use crate::matchers::{
    alnum, alnum_dash, alnum_dash_underscore, alnum_underscore, alpha, assignment, bech32_upper,
    files, hex, json, lower_hex, private_key, upper_digit, url,
};
use crate::pattern::{Finder, Kind, Matcher, Pattern};

/// A token found by its prefix and body shape.
const fn prefixed(
    anchors: &'static [&'static str],
    body: fn(u8) -> bool,
    min: usize,
    max: usize,
) -> Finder {
    prefixed_via(anchors, anchors, body, min, max)
}

/// A token found by a shorter anchor its prefixes share (`xox` for `xoxb-`, `xoxp-`).
const fn prefixed_via(
    anchors: &'static [&'static str],
    prefixes: &'static [&'static str],
    body: fn(u8) -> bool,
    min: usize,
    max: usize,
) -> Finder {
    Finder::Anchored {
        anchors,
        matcher: Matcher::Prefix {
            prefixes,
            body,
            min,
            max,
        },
    }
}

const fn regex(anchors: &'static [&'static str], regex: &'static str, back: usize) -> Finder {
    Finder::Anchored {
        anchors,
        matcher: Matcher::Regex { regex, back },
    }
}

const fn custom(
    anchors: &'static [&'static str],
    confirm: fn(&str, usize, usize) -> Option<(usize, usize)>,
) -> Finder {
    Finder::Anchored {
        anchors,
        matcher: Matcher::Custom(confirm),
    }
}

fn atlassian_body(b: u8) -> bool {
    alnum_dash_underscore(b) || b == b'='
}

/// Keywords a secret-like variable name contains (see [`crate::is_secret_name`]), in the
/// spellings names use (`db_pass`, `dbPassword`, `DB_PASSWORD`).
pub(crate) const SECRET_NAME_ANCHORS: &[&str] = &[
    "pass",
    "Pass",
    "PASS",
    "pwd",
    "Pwd",
    "PWD",
    "secret",
    "Secret",
    "SECRET",
    "token",
    "Token",
    "TOKEN",
    "key",
    "Key",
    "KEY",
    "credential",
    "Credential",
    "CREDENTIAL",
];

/// Names holding a cloud secret contain `secret` (`aws_secret_access_key`, `ClientSecret`).
const SECRET_ANCHORS: &[&str] = &["secret", "Secret", "SECRET"];

const fn pattern(
    id: &'static str,
    title: &'static str,
    severity: seaworthy_core::Severity,
    kind: Kind,
    finder: Finder,
) -> Pattern {
    Pattern {
        id,
        title,
        severity,
        kind,
        finder,
    }
}

pub(crate) static PATTERNS: &[Pattern] = &[
    // A key inside a GCP service-account file is reported as that file's key.
    pattern(
        "gcp-service-account",
        "GCP service-account key",
        Critical,
        Kind::Context,
        custom(&["service_account"], json::gcp_service_account),
    ),
    // Private keys.
    pattern(
        "private-key",
        "private key",
        Critical,
        Kind::PrivateKey,
        custom(&["PRIVATE KEY"], private_key::pem),
    ),
    pattern(
        "openssh-private-key",
        "OpenSSH private key",
        Critical,
        Kind::PrivateKey,
        custom(&["PRIVATE KEY"], private_key::openssh),
    ),
    pattern(
        "pgp-private-key",
        "PGP private key block",
        Critical,
        Kind::PrivateKey,
        custom(&["PRIVATE KEY"], private_key::pgp),
    ),
    pattern(
        "age-secret-key",
        "age secret key",
        Critical,
        Kind::PrivateKey,
        prefixed(&["AGE-SECRET-KEY-1"], bech32_upper, 58, 58),
    ),
    // Cloud credentials.
    pattern(
        "aws-access-key-id",
        "AWS access key id",
        Critical,
        Kind::Token,
        prefixed(&["AKIA"], upper_digit, 16, 16),
    ),
    pattern(
        "aws-temporary-access-key-id",
        "AWS temporary access key id",
        Critical,
        Kind::Token,
        prefixed(&["ASIA"], upper_digit, 16, 16),
    ),
    pattern(
        "aws-secret-access-key",
        "AWS secret access key",
        Critical,
        Kind::Context,
        custom(SECRET_ANCHORS, assignment::aws_secret),
    ),
    pattern(
        "gcp-api-key",
        "Google API key",
        High,
        Kind::Token,
        prefixed(&["AIza"], alnum_dash_underscore, 35, 35),
    ),
    pattern(
        "gcp-oauth-client-secret",
        "Google OAuth client secret",
        High,
        Kind::Token,
        prefixed(&["GOCSPX-"], alnum_dash_underscore, 28, 28),
    ),
    pattern(
        "azure-storage-connection-string",
        "Azure storage account key",
        Critical,
        Kind::Context,
        regex(&["AccountKey="], r"AccountKey=([A-Za-z0-9+/]{86}==)", 0),
    ),
    pattern(
        "azure-ad-client-secret",
        "Azure AD client secret",
        Critical,
        Kind::Context,
        custom(SECRET_ANCHORS, assignment::azure_client_secret),
    ),
    // Source forges and package registries.
    pattern(
        "github-pat",
        "GitHub personal access token",
        High,
        Kind::Token,
        prefixed(&["ghp_"], alnum, 36, 36),
    ),
    pattern(
        "github-oauth-token",
        "GitHub OAuth token",
        High,
        Kind::Token,
        prefixed(&["gho_"], alnum, 36, 36),
    ),
    pattern(
        "github-user-token",
        "GitHub user-to-server token",
        High,
        Kind::Token,
        prefixed(&["ghu_"], alnum, 36, 36),
    ),
    pattern(
        "github-app-token",
        "GitHub server-to-server token",
        High,
        Kind::Token,
        prefixed(&["ghs_"], alnum, 36, 36),
    ),
    pattern(
        "github-refresh-token",
        "GitHub refresh token",
        High,
        Kind::Token,
        prefixed(&["ghr_"], alnum, 36, 36),
    ),
    pattern(
        "github-fine-grained-pat",
        "GitHub fine-grained token",
        High,
        Kind::Token,
        prefixed(&["github_pat_"], alnum_underscore, 22, 255),
    ),
    pattern(
        "gitlab-pat",
        "GitLab personal access token",
        High,
        Kind::Token,
        prefixed_via(&["glp"], &["glpat-"], alnum_dash_underscore, 20, 64),
    ),
    pattern(
        "gitlab-deploy-token",
        "GitLab deploy token",
        High,
        Kind::Token,
        prefixed(&["gldt-"], alnum_dash_underscore, 20, 64),
    ),
    pattern(
        "gitlab-runner-token",
        "GitLab runner token",
        High,
        Kind::Token,
        prefixed(&["glrt-"], alnum_dash_underscore, 20, 64),
    ),
    pattern(
        "gitlab-trigger-token",
        "GitLab pipeline trigger token",
        High,
        Kind::Token,
        prefixed_via(&["glp"], &["glptt-"], alnum_dash_underscore, 40, 40),
    ),
    pattern(
        "npm-token",
        "npm access token",
        High,
        Kind::Token,
        prefixed(&["npm_"], alnum, 36, 36),
    ),
    pattern(
        "pypi-token",
        "PyPI API token",
        High,
        Kind::Token,
        prefixed(&["pypi-AgEIcHlwaS5vcmc"], alnum_dash_underscore, 50, 512),
    ),
    // Chat, payments, mail and SaaS APIs.
    pattern(
        "slack-bot-token",
        "Slack bot token",
        High,
        Kind::Token,
        prefixed_via(&["xox"], &["xoxb-"], alnum_dash, 10, 255),
    ),
    pattern(
        "slack-user-token",
        "Slack user token",
        High,
        Kind::Token,
        prefixed_via(&["xox"], &["xoxp-"], alnum_dash, 10, 255),
    ),
    pattern(
        "slack-app-token",
        "Slack app token",
        High,
        Kind::Token,
        prefixed_via(&["xox", "xapp-"], &["xoxa-", "xapp-"], alnum_dash, 10, 255),
    ),
    pattern(
        "slack-refresh-token",
        "Slack refresh token",
        High,
        Kind::Token,
        prefixed_via(&["xox"], &["xoxr-"], alnum_dash, 10, 255),
    ),
    pattern(
        "slack-session-token",
        "Slack session token",
        High,
        Kind::Token,
        prefixed_via(&["xox"], &["xoxs-"], alnum_dash, 10, 255),
    ),
    pattern(
        "slack-webhook-url",
        "Slack incoming webhook URL",
        High,
        Kind::Token,
        regex(
            &["hooks.slack.com/"],
            r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{20,200}",
            8,
        ),
    ),
    pattern(
        "stripe-secret-key",
        "Stripe secret key",
        High,
        Kind::Token,
        prefixed(&["sk_live_"], alnum, 20, 255),
    ),
    pattern(
        "stripe-restricted-key",
        "Stripe restricted key",
        High,
        Kind::Token,
        prefixed(&["rk_live_"], alnum, 20, 255),
    ),
    pattern(
        "sendgrid-api-key",
        "SendGrid API key",
        High,
        Kind::Token,
        regex(&["SG."], r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b", 0),
    ),
    pattern(
        "pulumi-access-token",
        "Pulumi access token",
        High,
        Kind::Token,
        prefixed(&["pul-"], lower_hex, 40, 40),
    ),
    pattern(
        "mailgun-api-key",
        "Mailgun API key",
        High,
        Kind::Token,
        prefixed(&["key-"], lower_hex, 32, 32),
    ),
    pattern(
        "openai-api-key",
        "OpenAI API key",
        High,
        Kind::Token,
        regex(
            &["T3BlbkFJ"],
            r"\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200}",
            220,
        ),
    ),
    pattern(
        "anthropic-api-key",
        "Anthropic API key",
        High,
        Kind::Token,
        prefixed(&["sk-ant-"], alnum_dash_underscore, 80, 150),
    ),
    pattern(
        "huggingface-token",
        "Hugging Face access token",
        High,
        Kind::Token,
        prefixed(&["hf_"], alpha, 34, 34),
    ),
    pattern(
        "shopify-token",
        "Shopify access token",
        High,
        Kind::Token,
        prefixed_via(
            &["shp"],
            &["shpat_", "shpca_", "shppa_", "shpss_"],
            hex,
            32,
            32,
        ),
    ),
    pattern(
        "postman-api-key",
        "Postman API key",
        High,
        Kind::Token,
        regex(&["PMAK-"], r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b", 0),
    ),
    pattern(
        "atlassian-api-token",
        "Atlassian API token",
        High,
        Kind::Token,
        prefixed(&["ATATT3"], atlassian_body, 150, 250),
    ),
    // Infrastructure.
    pattern(
        "vault-service-token",
        "HashiCorp Vault service token",
        Critical,
        Kind::Token,
        prefixed(&["hvs."], alnum_dash_underscore, 90, 120),
    ),
    pattern(
        "vault-batch-token",
        "HashiCorp Vault batch token",
        Critical,
        Kind::Token,
        prefixed(&["hvb."], alnum_dash_underscore, 138, 300),
    ),
    pattern(
        "digitalocean-token",
        "DigitalOcean token",
        Critical,
        Kind::Token,
        prefixed(&["dop_v1_", "doo_v1_", "dor_v1_"], lower_hex, 64, 64),
    ),
    pattern(
        "doppler-token",
        "Doppler token",
        High,
        Kind::Token,
        prefixed_via(
            &["dp."],
            &["dp.pt.", "dp.st.", "dp.ct.", "dp.sa."],
            alnum,
            40,
            44,
        ),
    ),
    pattern(
        "databricks-token",
        "Databricks access token",
        High,
        Kind::Token,
        prefixed(&["dapi"], lower_hex, 32, 32),
    ),
    // Credential files and configuration.
    pattern(
        "docker-config-auth",
        "Docker registry credentials (config.json auth)",
        High,
        Kind::Context,
        custom(&["\"auth\""], json::docker_auth),
    ),
    pattern(
        "docker-config-identity-token",
        "Docker registry identity token",
        High,
        Kind::Context,
        custom(&["\"identitytoken\""], json::docker_identity_token),
    ),
    pattern(
        "npmrc-auth",
        "npm registry credential (.npmrc)",
        High,
        Kind::Context,
        custom(&["_auth", "_password"], assignment::npmrc),
    ),
    pattern(
        "pypirc-password",
        "PyPI password (.pypirc)",
        High,
        Kind::File,
        Finder::File {
            accepts: files::is_pypirc,
            scan: files::pypirc,
        },
    ),
    pattern(
        "git-credentials",
        "Git credential (.git-credentials)",
        High,
        Kind::File,
        Finder::File {
            accepts: files::is_git_credentials,
            scan: files::git_credentials,
        },
    ),
    pattern(
        "netrc-password",
        "Password in .netrc",
        High,
        Kind::File,
        Finder::File {
            accepts: files::is_netrc,
            scan: files::netrc,
        },
    ),
    pattern(
        "dotenv-secret",
        "Secret in a .env file",
        Medium,
        Kind::File,
        Finder::File {
            accepts: files::is_dotenv,
            scan: files::dotenv,
        },
    ),
    // Generic.
    pattern(
        "jwt",
        "JSON Web Token",
        Medium,
        Kind::Token,
        regex(
            &["eyJ"],
            r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}",
            0,
        ),
    ),
    pattern(
        "url-password",
        "Password in a URL",
        High,
        Kind::Context,
        custom(&["://"], url::password),
    ),
    pattern(
        "generic-secret-assignment",
        "High-entropy value of a secret-named variable",
        Medium,
        Kind::Context,
        custom(SECRET_NAME_ANCHORS, assignment::generic),
    ),
];
