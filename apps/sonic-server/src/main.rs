//! `sonic-server`: Sonic's REST API over HTTP (to come; see docs/ARCHITECTURE.md).
//! Until it lands, this binary says so and exits with a failure code.

fn main() {
    eprintln!("sonic-server: the REST server is not built yet; use the `sonic` CLI");
    std::process::exit(1);
}
