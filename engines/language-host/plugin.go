package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// runPluginModule is the script of the @pulumi/pulumi npm package that runs a source-based plugin:
// it requires the plugin directory (its package.json "main") and, when that exports
// ComponentResource classes, serves them as a component provider (componentProviderHost, the schema
// inferred from the sources by the SDK's analyzer). Resolved by node from the plugin directory.
const runPluginModule = "@pulumi/pulumi/cmd/run-plugin"

// runPluginPathEnvVar overrides runPluginModule, as in the upstream host.
const runPluginPathEnvVar = "PULUMI_LANGUAGE_NODEJS_RUN_PATH"

// runPlugin is RunPlugin for every kind but "analyzer" (a component or provider package with a
// PulumiPlugin.yaml, a converter, a tool), following the current upstream host (pulumi/pulumi
// sdk/nodejs/cmd/pulumi-language-nodejs): `node <run-plugin> <nodeargs> <plugin dir> <req.Args...>`
// in the CLI's working directory (req.Pwd), with the CLI's environment plus the TypeScript settings
// of the plugin's runtime options. The v3.68.0 host answers "not supported" to every RunPlugin.
//
// The plugin prints its port on stdout and serves until the CLI ends the call; its output goes back
// over the RunPlugin stream. Not supported here: attaching a debugger and the bun runtime.
func runPlugin(req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	run, err := startPluginRun(req, server, "a plugin")
	if err != nil {
		return err
	}
	defer run.closer.Close()

	pluginDir := req.GetInfo().GetProgramDirectory()
	module := os.Getenv(runPluginPathEnvVar)
	if module == "" {
		module = runPluginModule
	}
	runPath, err := locateModule(run.ctx, run.node, module, pluginDir)
	if err != nil {
		return err
	}
	args, err := pluginArgs(runPath, run.opts, pluginDir, req.GetArgs())
	if err != nil {
		return err
	}

	cmd := exec.CommandContext(run.ctx, run.node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = pluginEnv(req.GetEnv(), run.opts)
	cmd.Stdout, cmd.Stderr = run.stdout, run.stderr
	if err := cmd.Run(); err != nil {
		return pluginRunError(err)
	}
	return run.closer.Close()
}

// pluginRun is what both RunPlugin paths start from: the CLI's call, the streams that carry the
// plugin's output back to it, node, and the runtime options of the plugin's PulumiPlugin.yaml.
type pluginRun struct {
	ctx            context.Context
	closer         io.Closer
	stdout, stderr io.Writer
	node           string
	opts           nodeOptions
}

// startPluginRun refuses a debugger (not supported here), opens the output streams and finds node
// and the options; `what` names the plugin in the refusal.
func startPluginRun(req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse], what string) (*pluginRun, error) {
	if req.GetAttachDebugger() {
		return nil, status.Errorf(codes.Unimplemented,
			"attaching a debugger to %s is not supported by migrate-first's language host", what)
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err == nil {
		var opts nodeOptions
		if opts, err = parseOptions(req.GetInfo().GetOptions().AsMap()); err == nil {
			return &pluginRun{server.Context(), closer, stdout, stderr, node, opts}, nil
		}
	}
	closer.Close()
	return nil, err
}

// pluginArgs is node's command line for a plugin. As upstream: nodeargs follow the script, then the
// plugin directory comes first (run-plugin takes it as the program), then the CLI's arguments (the
// engine address).
func pluginArgs(runPath string, opts nodeOptions, pluginDir string, pluginArgs []string) ([]string, error) {
	nodeargs, err := shlex.Split(opts.nodeargs)
	if err != nil {
		return nil, fmt.Errorf("nodeargs option: %w", err)
	}
	args := append([]string{runPath}, nodeargs...)
	args = append(args, pluginDir)
	return append(args, pluginArgs...), nil
}

// pluginEnv is the plugin's environment: the CLI's, then the TypeScript settings.
func pluginEnv(base []string, opts nodeOptions) []string {
	env := append([]string(nil), base...)
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigpath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigpath)
	}
	return env
}

// pluginRunError words a failed node process as the upstream host does, as users see it from the CLI.
func pluginRunError(err error) error {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
			return fmt.Errorf("Program exited with non-zero exit code: %d", ws.ExitStatus())
		}
		return fmt.Errorf("Program exited unexpectedly: %w", exitErr)
	}
	return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", err)
}
