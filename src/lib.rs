//! The `techex` binary's library: the command line, configuration merging, the demo
//! data, and the commands themselves. The server lives in `techex-server`.

pub mod admin;
pub mod backup;
pub mod bootstrap;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod documents;
pub mod scratch;
pub mod settings;
pub mod telemetry;
