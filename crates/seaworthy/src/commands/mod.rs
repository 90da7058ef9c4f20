pub mod dockerfile;
pub mod rules;
