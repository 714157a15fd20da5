package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// runPolicyModule is the script of the @pulumi/pulumi npm package that loads a policy pack and serves
// the Analyzer service; resolved by node from the pack's directory, so the pack's own SDK is used.
const runPolicyModule = "@pulumi/pulumi/cmd/run-policy-pack"

// runPolicyPack is RunPlugin for kind "analyzer", following the current upstream host (pulumi/pulumi
// sdk/nodejs/cmd/pulumi-language-nodejs, CLI v3.221 and later):
//
//   - node resolves @pulumi/pulumi/cmd/run-policy-pack from the pack directory;
//   - the SDK's policy proxy (sdk.NewPolicyProxy) prints its own port first, so the CLI connects to it,
//     and waits for the CLI's ConfigureStack to learn the stack (organization, project, stack, dry
//     run, config);
//   - then `node <run-policy-pack> <nodeargs> <req.Args...> <pack dir>` starts in the pack directory,
//     with that stack passed as PULUMI_NODEJS_* and PULUMI_CONFIG environment variables, and the proxy
//     forwards the CLI's analyzer calls to the port the pack prints.
//
// Output goes back to the CLI over the RunPlugin stream. Not supported here: attaching a debugger
// and the bun runtime.
func runPolicyPack(req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	run, err := startPluginRun(req, server, "a policy pack")
	if err != nil {
		return err
	}
	defer run.closer.Close()
	ctx, nodeBin, opts := run.ctx, run.node, run.opts

	packDir := req.GetInfo().GetProgramDirectory()
	runPath, err := locateModule(ctx, nodeBin, runPolicyModule, packDir)
	if err != nil {
		return err
	}
	args, err := policyPackArgs(runPath, opts, req.GetArgs(), packDir)
	if err != nil {
		return err
	}

	proxy, stdout, err := sdk.NewPolicyProxy(ctx, run.stdout)
	if err != nil {
		return fmt.Errorf("could not start policy pack proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get stack configuration: %w", err)
	}
	env, err := policyPackEnv(req.GetEnv(), opts, stack)
	if err != nil {
		return err
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	// Node policy packs have always run in their own directory.
	cmd.Dir = packDir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, run.stderr

	err = cmd.Start()
	if err == nil {
		// Attach returns when the pack exits (or the CLI ends the call).
		err = proxy.Attach(ctx, cmd)
	}
	if err != nil {
		return pluginRunError(err)
	}
	return run.closer.Close()
}

// policyPackArgs is node's command line for a policy pack. As upstream: the program directory comes
// last (after the CLI's arguments, i.e. the engine address), and nodeargs follow the script.
func policyPackArgs(runPath string, opts nodeOptions, pluginArgs []string, packDir string) ([]string, error) {
	nodeargs, err := shlex.Split(opts.nodeargs)
	if err != nil {
		return nil, fmt.Errorf("nodeargs option: %w", err)
	}
	args := append([]string{runPath}, nodeargs...)
	args = append(args, pluginArgs...)
	return append(args, packDir), nil
}

// policyPackEnv is the pack's environment: the CLI's, then the TypeScript settings, then the stack the
// CLI configured (empty values are left out, as upstream does). stack is nil when the CLI asked for
// something else before configuring a stack (e.g. `pulumi policy publish`).
func policyPackEnv(base []string, opts nodeOptions, stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	env := pluginEnv(base, opts)
	if stack == nil {
		return env, nil
	}
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", stack.GetProject())
	add("PULUMI_NODEJS_STACK", stack.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if stack.GetConfig() != nil {
		config, err := json.Marshal(stack.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("could not marshal stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(config))
	}
	return env, nil
}

// locateModule asks node, run in dir, where module resolves to.
func locateModule(ctx context.Context, nodeBin, module, dir string) (string, error) {
	script := fmt.Sprintf("try { console.log(require.resolve(%q)); } catch (error) { "+
		"if (error.code === 'MODULE_NOT_FOUND') { console.error(%q); } else { console.error(error.message); } "+
		"process.exit(1); }",
		module, "It looks like the Pulumi SDK has not been installed. Have you run npm install in "+dir+"?")
	cmd := exec.CommandContext(ctx, nodeBin, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
