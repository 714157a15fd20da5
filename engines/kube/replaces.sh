#!/usr/bin/env bash
# Prints the replace block of go.mod for k8s.io/kubernetes at version $1 (e.g. v1.36.3): its
# go.mod requires each staging module at v0.0.0 and replaces it with a directory of its own repo,
# neither of which a consumer can use (replaces in a dependency are ignored, and the staging
# directories are nested modules outside the zip). Each is routed to the published module of the
# matching minor instead (v1.36.3 -> v0.36.3). Run from engines/kube after a version bump:
#   ./replaces.sh v1.36.3   and paste the output over go.mod's replace block.
set -euo pipefail
version=${1:?usage: replaces.sh v1.X.Y}
staging="v0.${version#v1.}"
gomod="$(go env GOMODCACHE)/k8s.io/kubernetes@$version/go.mod"
[ -f "$gomod" ] || go mod download "k8s.io/kubernetes@$version"
echo "replace ("
awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1 }' "$gomod" | LC_ALL=C sort -u |
    while read -r module; do printf '\t%s => %s %s\n' "$module" "$module" "$staging"; done
echo ")"
