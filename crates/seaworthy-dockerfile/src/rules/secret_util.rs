//! The secret helpers the secret rules (SW-DF-065..069) and redaction use: secret-like names,
//! placeholders, entropy, known credential formats and masking. They live in
//! `seaworthy-secrets`, shared with the image scanner; no rule lives here.

pub use seaworthy_secrets::{
    find_known, is_placeholder, is_secret_name, looks_random, mask, mask_in, shown_value,
};
