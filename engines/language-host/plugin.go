package main

import (
	"errors"
	"fmt"
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
	ctx := server.Context()
	if req.GetAttachDebugger() {
		return status.Error(codes.Unimplemented,
			"attaching a debugger to a plugin is not supported by migrate-first's language host")
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return err
	}
	pluginDir := req.GetInfo().GetProgramDirectory()
	module := os.Getenv(runPluginPathEnvVar)
	if module == "" {
		module = runPluginModule
	}
	runPath, err := locateModule(ctx, nodeBin, module, pluginDir)
	if err != nil {
		return err
	}
	args, err := pluginArgs(runPath, opts, pluginDir, req.GetArgs())
	if err != nil {
		return err
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = pluginEnv(req.GetEnv(), opts)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return pluginRunError(err)
	}
	return closer.Close()
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
