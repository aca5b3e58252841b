#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a cluster: promtool on the Prometheus
# config and alert rules, then the ops test suite (Dockerfile lint and structure, Kubernetes
# schemas and cross-references, compose stack, nginx -t and a live nginx, logrotate against a
# running service). Needs promtool, logrotate, nginx and openssl:
#   apt-get install -y prometheus logrotate nginx-light openssl
# and PostgreSQL for the logrotate test (as for the other integration tests), and a build
# (`npm run build`) for the tests that run the compiled CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

promtool check config ops/prometheus/prometheus.yml
promtool test rules ops/prometheus/alerts.test.yml
npx mocha 'test/integration/ops/**/*.test.ts'
