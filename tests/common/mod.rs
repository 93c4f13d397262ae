pub mod child_lab;
pub mod fake;
