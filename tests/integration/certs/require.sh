#!/bin/sh
# Run by the TLS test directories' before.yaml: fails with advice when the certificates that
# tests/integration.rs generates at test time are missing (see README.md here).
here="$(dirname "$0")"
for name in localhost.cert localhost.key other_ca.cert; do
    if [ ! -s "$here/$name" ]; then
        echo "missing test certificate tests/integration/certs/$name: they are generated at test time;" \
            "create them with: cargo test -p tremor --test integration certificates" >&2
        exit 1
    fi
done
