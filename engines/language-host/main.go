// Command pulumi-language-nodejs is migrate-first's Node.js language host: the process the Pulumi CLI
// starts to run a TypeScript program, a TypeScript policy pack or a Node.js component package.
//
// Why it exists. The real host lives in the module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which the Go module proxy we
// build from refuses (403 for every pseudo-version). Older github.com/pulumi/pulumi/sdk/v3 releases
// still carried the host as a package; the newest one the proxy serves is v3.68.0, and that host runs
// programs fine under CLI v3.248.0. It cannot run policy packs or component packages: since CLI v3.221
// the CLI starts a policy pack through the language host's RunPlugin with kind "analyzer", and a
// source-based plugin (a PulumiPlugin.yaml directory) through RunPlugin with kind "resource", and the
// v3.68.0 host answers every RunPlugin with "not supported".
//
// What it does. It starts the v3.68.0 host as a child process with the same arguments, reads the port
// the child prints, dials it, and forwards every LanguageRuntime RPC to it unchanged (forward.go),
// except these:
//   - RunPlugin with kind "analyzer" is done here, the way the current upstream host does it
//     (policy.go): node runs @pulumi/pulumi/cmd/run-policy-pack from the pack directory, behind the
//     SDK's policy proxy so the pack sees the stack's configuration.
//   - RunPlugin of every other kind is done here too (plugin.go): node runs
//     @pulumi/pulumi/cmd/run-plugin on the plugin directory, which serves a component package
//     (a PulumiPlugin.yaml directory whose package exports ComponentResource classes) to the CLI.
//   - Handshake is answered here when the child does not implement it (v3.68.0 predates it).
//
// Like every plugin it prints its own port on stdout, serves until the CLI interrupts it or the engine
// goes away, and then stops the child. How the child binary is found: see child.go.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// delegateVersion is the version of the host binary the programs actually run on.
const delegateVersion = "v3.68.0"

func main() {
	if err := run(os.Args[0], os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (migrate-first): %v\n", err)
		os.Exit(1)
	}
}

// hostArgs is what this host itself needs from its command line. Every argument also goes to the
// child unchanged.
type hostArgs struct {
	engineAddress string
	showVersion   bool
}

// parseHostArgs reads the command line the CLI gives a language host: the flags the v3.68.0 host knows
// (and -version) followed by the engine's address.
func parseHostArgs(args []string) (hostArgs, error) {
	fs := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	fs.Bool("typescript", true, "Use ts-node at runtime to support typescript source natively")
	fs.String("root", "", "Project root path to use")
	fs.String("tsconfig", "", "Path to tsconfig.json to use")
	fs.String("nodeargs", "", "Arguments for the Node process")
	showVersion := fs.Bool("version", false, "Print the version of the host programs run on and exit")
	if err := fs.Parse(args); err != nil {
		return hostArgs{}, err
	}
	parsed := hostArgs{showVersion: *showVersion}
	if fs.NArg() > 0 {
		parsed.engineAddress = fs.Arg(0)
	}
	return parsed, nil
}

func run(invokedAs string, args []string) error {
	parsed, err := parseHostArgs(args)
	if err != nil {
		return err
	}
	if parsed.showVersion {
		fmt.Println(delegateVersion)
		return nil
	}

	childPath, err := findChild(os.Getenv(childEnvVar), invokedAs, os.Getenv("PATH"))
	if err != nil {
		return err
	}
	child, err := startChild(childPath, args, 2*time.Minute)
	if err != nil {
		return err
	}
	defer child.stop()

	// Stop serving on an interrupt (how the CLI closes plugins), when the engine goes away, or when
	// the child dies: without it this host is of no use.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	go func() {
		select {
		case <-child.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	if parsed.engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, parsed.engineAddress, 5*time.Minute, cancel); err != nil {
			return fmt.Errorf("could not start health check of the engine: %w", err)
		}
	}
	stopServing := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stopServing)
	}()

	host := newHost(child.client)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopServing,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("could not start the language host RPC server: %w", err)
	}

	// The CLI reads the first line of stdout as our port; whatever the child prints later follows it.
	fmt.Printf("%d\n", handle.Port)
	go child.copyStdout(os.Stdout)

	if err := <-handle.Done; err != nil {
		return fmt.Errorf("language host RPC server stopped: %w", err)
	}
	return nil
}
