# syntax=docker/dockerfile:1
# The same service, fit to sail.
FROM python:3.12-slim@sha256:4b2b2b1dd3a4f1e3f2b6e7d8c9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8 AS build
WORKDIR /src
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python -m compileall .

FROM python:3.12-slim@sha256:4b2b2b1dd3a4f1e3f2b6e7d8c9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8
LABEL org.opencontainers.image.authors="ops@example.com"
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 app
COPY --from=build /src /app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s CMD ["curl", "-fsS", "http://localhost:8000/health"]
CMD ["python", "/app/main.py"]
