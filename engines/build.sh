#!/usr/bin/env bash
# npm run engines: build the Pulumi CLI, its Node.js language host, the providers our
# program uses and a Kubernetes control plane (kube-apiserver, kube-controller-manager,
# kube-scheduler, etcd) from the Go module proxy, once per version, and link them into .engines/bin.
#
# Each binary is built from a wrapper module in this directory (go.mod and go.sum pin every
# module; nothing else is fetched) into a cache keyed by the binary's name, its version and
# a hash of its wrapper, so a second run only links. See engines/README.md for the versions
# and why each wrapper exists.
#
#   MIGRATE_FIRST_ENGINES_CACHE  where builds are kept (default ~/.cache/migrate-first/engines)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=${MIGRATE_FIRST_ENGINES_CACHE:-$HOME/.cache/migrate-first/engines}
bin="$repo/.engines/bin"
mkdir -p "$cache" "$bin"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local

command -v go >/dev/null || { echo "engines: go is not on PATH; install Go 1.26 (see README)" >&2; exit 1; }

gomodcache=$(go env GOMODCACHE)
start_all=$SECONDS
built=0

# build <binary> <wrapper dir> <version> <package> [-X flags...]
build() {
    local name=$1 dir=$2 version=$3 package=$4
    shift 4
    local key out started
    key=$(cd "$here/$dir" && find . -name '*.go' -o -name 'go.mod' -o -name 'go.sum' | LC_ALL=C sort |
        xargs cat | sha256sum | cut -c1-12)
    out="$cache/$name-$version-$key"
    if [ -x "$out/$name" ]; then
        ln -sf "$out/$name" "$bin/$name"
        printf 'engines: %-28s %-12s cached\n' "$name" "$version"
        return
    fi
    printf 'engines: %-28s %-12s building from %s (a cold build takes minutes)\n' "$name" "$version" "engines/$dir"
    started=$SECONDS
    rm -rf "$out.partial" && mkdir -p "$out.partial"
    local ldflags="-s -w"
    local flag
    for flag in "$@"; do ldflags="$ldflags -X $flag"; done
    if ! (cd "$here/$dir" && go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
        -o "$out.partial/$name" "$package") >"$out.partial/build.log" 2>&1; then
        echo "engines: building $name ($package@$version) failed; the go command said:" >&2
        grep -v '^go: downloading' "$out.partial/build.log" | tail -n 20 >&2
        echo "engines: a module the proxy refuses is named above; see engines/README.md for the versions it serves" >&2
        exit 1
    fi
    rm -rf "$out" && mv "$out.partial" "$out"
    ln -sf "$out/$name" "$bin/$name"
    built=$((built + 1))
    printf 'engines: %-28s %-12s built in %ss, %s\n' "$name" "$version" "$((SECONDS - started))" "$(du -h "$out/$name" | cut -f1)"
}

# The kubernetes provider embeds its schema with the version set, written by `go generate`
# upstream and absent from the module zip: written here from the module's own files.
kubernetes_embeds() {
    local module=github.com/pulumi/pulumi-kubernetes/provider/v4 version
    version=$(cd "$here/kubernetes" && go list -m -f '{{.Version}}' "$module")
    (cd "$here/kubernetes" && go mod download "$module")
    local src="$gomodcache/$module@$version/cmd/pulumi-resource-kubernetes"
    node -e '
        const fs = require("fs");
        const [src, dst, version] = process.argv.slice(1);
        const schema = JSON.parse(fs.readFileSync(src + "/schema.json", "utf8"));
        schema.version = version;
        fs.writeFileSync(dst + "/schema-embed.json", JSON.stringify(schema));
        const mapping = JSON.parse(fs.readFileSync(src + "/terraform-mapping.json", "utf8"));
        fs.writeFileSync(dst + "/terraform-mapping-embed.json", JSON.stringify(mapping));
    ' "$src" "$here/kubernetes" "$1"
}

build pulumi pulumi v3.248.0 github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0
# The host the CLI starts is our front (language-host/), which runs this one beside it.
build pulumi-language-nodejs-v3.68.0 language-nodejs v3.68.0 github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.68.0
build pulumi-language-nodejs language-host front .
# The YAML host, for e2e/component-package.test.ts: a YAML program using our component package.
# language-yaml/ is v1.25.0's main plus the Link RPC `pulumi package add` needs (see its main.go).
build pulumi-language-yaml language-yaml v1.25.0 . \
    github.com/pulumi/pulumi-yaml/pkg/version.Version=v1.25.0
kubernetes_embeds 4.25.0
build pulumi-resource-kubernetes kubernetes 4.25.0 . \
    github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=4.25.0
if [ -d "$here/stand-ins/cmd" ]; then
    build pulumi-resource-postgresql stand-ins 3.18.1 ./cmd/pulumi-resource-postgresql
    build pulumi-resource-random stand-ins 4.21.2 ./cmd/pulumi-resource-random
fi

# The throwaway control plane of e2e/control-plane.test.ts: the API server, the Job and
# Deployment controllers and the scheduler from k8s.io/kubernetes (kube/: its staging modules
# replaced by their published versions), and etcd. The version flags are not cosmetic: without
# them the server reports v0.0.0 and the kubernetes provider refuses it (minimum v1.13).
for name in kube-apiserver kube-controller-manager kube-scheduler; do
    build "$name" kube v1.36.3 "k8s.io/kubernetes/cmd/$name" \
        k8s.io/component-base/version.gitVersion=v1.36.3 \
        k8s.io/component-base/version.gitMajor=1 \
        k8s.io/component-base/version.gitMinor=36 \
        k8s.io/component-base/version.gitTreeState=clean
done
build etcd etcd v3.6.16 go.etcd.io/etcd/server/v3
# Argo CD's sync engine over a directory of manifests (sync/): gitops-engine's final standalone
# commit, on k8s.io/kubernetes v1.34.2 with its replace block.
build migrate-first-sync sync gitops-engine-5baed56 .
# The node whose pods run as local processes (pod-runner/): virtual-kubelet v1.14.1's node
# package with a provider of our own; images map to this machine's tools (pod-runner/images.yaml).
build pod-runner pod-runner vk-v1.14.1 .

echo "engines: $built built, the rest cached, in $((SECONDS - start_all))s; binaries in $bin:"
ls -1 "$bin" | sed 's/^/  /'
