// Command pulumi-resource-random is a stand-in for Pulumi's random provider
// (github.com/pulumi/pulumi-random/provider/v4), written for migrate-first
// because the Go module proxy this project builds from refuses that module
// (403 "This module version is not available", every version). It implements
// only random:index/randomPassword:RandomPassword, with upstream's inputs,
// outputs and replace rules, and reports the version the npm SDK
// @pulumi/random requests (package.json pulumi.version), so the engine uses it
// for the program's resources.
package main

import (
	"fmt"
	"os"

	"migrate-first/engines/stand-ins/internal/serve"
)

// Version is what @pulumi/random 4.21.2 asks the engine for.
const Version = "4.21.2"

func main() {
	if err := serve.Main(newProvider()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
