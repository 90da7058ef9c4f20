//! PHP: vendor/composer/installed.json.
