// Command pulumi-resource-postgresql is a stand-in for Pulumi's postgresql
// provider (github.com/pulumi/pulumi-postgresql/provider/v3, which bridges
// github.com/cyrilgdn/terraform-provider-postgresql), written for migrate-first
// because the Go module proxy this project builds from refuses both modules
// (403 "This module version is not available", every version). It implements
// the subset of resources and fields migrate-first uses (Role, Database, Schema,
// Grant, DefaultPrivileges) with upstream's SQL, ids and replace rules, refuses
// the fields it does not implement in Check, and reports the version the npm
// SDK @pulumi/postgresql requests (package.json pulumi.version), so the engine
// uses it for the program's resources.
package main

import (
	"fmt"
	"os"

	"migrate-first/engines/stand-ins/internal/serve"
)

// Version is what @pulumi/postgresql 3.18.1 asks the engine for.
const Version = "3.18.1"

func main() {
	if err := serve.Main(newProvider()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
