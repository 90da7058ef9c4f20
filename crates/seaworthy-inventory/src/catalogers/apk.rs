//! Alpine packages: lib/apk/db/installed.
