#!/usr/bin/env bash
# A planned failover of stacks/platform at 600x and at 3600x time
# compression: polls wait in the cloud's seconds, so the simulated span and
# RTO should barely depend on the compression. What is left is the client's
# own local time counted at the compression, so run this on an idle
# machine; it prints both figures and fails beyond the bounds in the test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --test all drills::a_planned_failovers_simulated_time_does_not_depend_on_the_compression \
  -- --ignored --nocapture
