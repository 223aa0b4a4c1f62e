//! Helpers shared by integration tests.

/// The services come from scripts/test.sh, which also sets
/// DRINFRA_REQUIRE_SERVICES=1: there a missing one fails the test. Under a
/// plain `cargo test` on a machine without them, the test says it is
/// skipped and passes.
pub fn services_available(keys: &[&str]) -> bool {
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| std::env::var_os(k).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("DRINFRA_REQUIRE_SERVICES").is_none(),
        "{missing:?} not set: run ./scripts/test.sh, which starts PostgreSQL and Azurite"
    );
    eprintln!("skipped: {missing:?} not set (./scripts/test.sh starts PostgreSQL and Azurite)");
    false
}
