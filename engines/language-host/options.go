package main

import (
	"errors"
)

// nodeOptions are the `runtime.options` of a PulumiPolicy.yaml (or Pulumi.yaml) that matter when
// running a policy pack, read as the upstream host reads them.
type nodeOptions struct {
	typescript   bool   // run .ts sources through ts-node (default true)
	tsconfigpath string // tsconfig.json to use
	nodeargs     string // extra arguments, split like a shell would
}

func parseOptions(options map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	if v, ok := options["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := options["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfigpath option must be a string")
		}
		opts.tsconfigpath = s
	}
	if v, ok := options["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		opts.nodeargs = s
	}
	return opts, nil
}
