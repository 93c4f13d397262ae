pub mod child_lab;
pub mod dns;
pub mod fake;
