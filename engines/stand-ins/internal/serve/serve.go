// Package serve starts a resource provider the way the Pulumi engine expects: it
// listens on a free loopback port, prints the port on stdout, and stops when the
// engine goes away.
//
// The SDK's own helper for this (provider.Main) lives in
// github.com/pulumi/pulumi/pkg/v3/resource/provider at v3.248.0, not in sdk/v3;
// depending on pkg/v3 would pull the whole CLI's module graph into this small
// module, so this is the same sequence written against sdk/v3 only
// (rpcutil.ServeWithOptions and rpcutil.Healthcheck, which provider.Main calls).
package serve

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// EngineAddress is the engine's address from the command line: the engine passes
// flags (-v=9, --logtostderr, --logflow, --tracing URL) and then its address.
func EngineAddress(args []string) string {
	address := ""
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--tracing" || arg == "-tracing" {
			i++ // its value
			continue
		}
		if strings.HasPrefix(arg, "-") {
			continue
		}
		address = arg
	}
	return address
}

// Main serves prov until the engine stops it, and returns an error for main to print.
func Main(prov pulumirpc.ResourceProviderServer) error {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	if address := EngineAddress(os.Args[1:]); address != "" {
		// Stop when the engine stops answering its health check.
		if err := rpcutil.Healthcheck(ctx, address, 5*time.Minute, cancel); err != nil {
			return fmt.Errorf("could not start the health check of the engine at %s: %w", address, err)
		}
	}

	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, prov)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("fatal: %w", err)
	}
	// The provider protocol: the first line on stdout is the port.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		return fmt.Errorf("fatal: %w", err)
	}
	return nil
}
