#!/usr/bin/env bash
# Installs the Debian packages the test suite needs and is not allowed to skip:
# Chromium (browser tests of the explorer), a Java 17 runtime (Spark in local mode)
# and Virtuoso Open Source 7 (one of the two remote SPARQL engines under test).
# Idempotent: a package already present is left alone, so a second run costs nothing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Virtuoso's package asks for a DBA password; the tests start their own server
# with their own database folder, so the packaged one is never used.
echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba" | $sudo debconf-set-selections || true
echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba" | $sudo debconf-set-selections || true
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
# The package starts a system server on 1111/8890; the tests use their own ports.
if command -v service >/dev/null 2>&1; then
    $sudo service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
fi
