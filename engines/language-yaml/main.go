// Command pulumi-language-yaml is the Pulumi YAML language host of github.com/pulumi/pulumi-yaml
// v1.25.0 (the newest version the Go module proxy serves), with the one RPC it lacks and
// `pulumi package add` needs: Link.
//
// `pulumi package add` (CLI v3.248.0) ends by asking the project's language host to link the
// package it added; v1.25.0 answers "method Link not implemented", and the command fails before it
// records the package in Pulumi.yaml. pulumi-yaml v1.26.2 added Link (pulumi/pulumi-yaml#929) as a
// no-op: a YAML program needs no SDK, it reads the package's schema when it runs. Link here is the
// same no-op; every other RPC is v1.25.0's own. The rest of this file is v1.25.0's
// cmd/pulumi-language-yaml/main.go (Copyright 2022, Pulumi Corporation; Apache License 2.0).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// withLink is the v1.25.0 host with Link.
type withLink struct {
	pulumirpc.LanguageRuntimeServer
}

// Link does nothing, as in pulumi-yaml v1.26.2 and later: YAML doesn't need to do anything to link
// in a package, and answering tells the engine it is done.
func (withLink) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return &pulumirpc.LinkResponse{}, nil
}

func main() {
	var tracing string
	var root string
	var compiler string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	flag.StringVar(&root, "root", "", "Root of the program execution")
	flag.StringVar(&compiler, "compiler", "", "[obsolete] Compiler to use to pre-process YAML")
	flag.Parse()
	var cancelChannel chan bool
	args := flag.Args()
	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-yaml", "pulumi-language-yaml", tracing)

	// The engine's address, for the health check.
	var engineAddress string
	if len(args) > 0 {
		engineAddress = args[0]
		var err error
		cancelChannel, err = setupHealthChecks(engineAddress)
		if err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			host := server.NewLanguageHost(engineAddress, tracing, false /* useRPCLoader */)
			pulumirpc.RegisterLanguageRuntimeServer(srv, withLink{host})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The CLI reads our port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(errors.Join(errors.New("language host RPC stopped serving"), err))
	}
}

// setupHealthChecks stops serving when the engine's health check fails or on an interrupt.
func setupHealthChecks(engineAddress string) (chan bool, error) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	cancelChannel := make(chan bool)
	go func() {
		<-ctx.Done()
		cancel() // deregister the signal handler
		close(cancelChannel)
	}()
	if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
		return nil, err
	}
	return cancelChannel, nil
}
