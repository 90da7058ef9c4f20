//! NET: *.deps.json.
