//! Go: go.mod, only as a fallback for source trees.
