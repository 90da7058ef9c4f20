//! Ruby: specifications/*.gemspec.
