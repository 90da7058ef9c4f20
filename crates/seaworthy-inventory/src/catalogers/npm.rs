//! JavaScript: node_modules/**/package.json, package-lock.json v1-v3, yarn.lock.
