//! Debian packages: var/lib/dpkg/status and distroless var/lib/dpkg/status.d/*.
