//! Version requirements in each ecosystem's own syntax, and the evaluation of [`Range`]s.
