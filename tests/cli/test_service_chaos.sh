#!/usr/bin/env bash
# The service under every fault at once (scripts/service_chaos.sh), sized
# for the suite: 10 jobs through Redis and two supervised workers while
# workers are SIGKILLed mid-render, Redis restarts with a slow load and a
# worker is frozen past its lease and thawed. Every job must end done (or,
# killed on all of its 3 attempts, failed for good with that reason), none
# lost, every output matching its recorded sha256 and decoding cleanly, no
# temporary file left.
set -u
reelay=$(realpath "${1:?usage: test_service_chaos.sh REELAY_BINARY}")
out=$(bash scripts/service_chaos.sh "$reelay" 10 5 2>&1); code=$?
echo "$out" | grep -v ' Killed '
[ "$code" -eq 0 ] || { echo "FAIL service_chaos exited $code"; exit 1; }
echo "test_service_chaos: 1 passed, 0 failed"
