//! The `drinfra` command line: parses flags and calls one library function
//! per command; all printing happens here or in `render`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
