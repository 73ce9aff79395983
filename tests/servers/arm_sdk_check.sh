#!/bin/sh
# ctest's arm_sdk_check: tests/servers/arm_sdk_check.py against the arm peer (scripts/peers.sh sets
# SKYDECK_TEST_ARM_*). Without the peer or Debian's python3-azure it skips (exit 77), and under
# CI (set, and not 0 or false, as tests/common/Peers.h reads it) it fails instead: CI must never
# pass by skipping.
here=$(dirname "$0")
skip() {
  echo "skipped: $1"
  case "$(echo "${CI:-}" | tr A-Z a-z)" in ""|0|false) ;; *) echo "missing under CI"; exit 1 ;; esac
  exit 77
}
[ -n "${SKYDECK_TEST_ARM_ENDPOINT:-}" ] || skip "SKYDECK_TEST_ARM_ENDPOINT is not set (scripts/peers.sh)"
/usr/bin/python3 "$here/arm_sdk_check.py" "$SKYDECK_TEST_ARM_ENDPOINT" "$SKYDECK_TEST_ARM_TENANT" \
  "$SKYDECK_TEST_ARM_CLIENT_ID" "$SKYDECK_TEST_ARM_CLIENT_SECRET"
rc=$?
[ $rc = 77 ] && skip "python3-azure is not installed (apt-get install python3-azure)"
exit $rc
