// pulumi-resource-kubernetes v4.25.0, built from the module proxy. The upstream main
// package embeds schema-embed.json and terraform-mapping-embed.json, which `go generate`
// writes and .gitignore keeps out of the module zip; engines/build.sh writes them here
// from the module's own schema.json and terraform-mapping.json, then builds this.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
