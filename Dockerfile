# The seaworthy release image: `docker build -t seaworthy .`
#
# Both bases are Debian 12 (bookworm), so the binary links against the glibc it runs on. They are
# pinned by tag only: pin each by digest where you build (`docker buildx imagetools inspect
# rust:1.95-slim-bookworm` prints it) and let an update bot refresh it; seaworthy's SW-DF-003
# (info) reports the missing digests until then. `scripts/build-image.sh` assembles the same
# runtime layout without pulling anything (binary, its shared libraries, CA certificates, user
# 65532, /tmp) and loads it with `docker import`.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p seaworthy

# distroless/cc: glibc, libgcc_s, CA certificates, /etc/passwd with `nonroot` (65532), /tmp
# (1777); no shell and no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/seaworthy /usr/local/bin/seaworthy
LABEL org.opencontainers.image.title="seaworthy" \
      org.opencontainers.image.description="Is this container fit to sail? Dockerfile, image, container and Docker host checks in one binary" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://example.invalid/seaworthy"
USER 65532:65532
WORKDIR /work
# A one-shot scanner, not a service: there is nothing to probe.
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/seaworthy"]
