package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestPluginArgsPutThePluginDirectoryFirst(t *testing.T) {
	args, err := pluginArgs("/pkg/node_modules/@pulumi/pulumi/cmd/run-plugin/index.js",
		nodeOptions{nodeargs: `--trace-warnings --title "component"`}, "/pkg", []string{"127.0.0.1:4242"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/pkg/node_modules/@pulumi/pulumi/cmd/run-plugin/index.js",
		"--trace-warnings", "--title", "component",
		"/pkg",
		"127.0.0.1:4242",
	}
	if !reflect.DeepEqual(args, want) {
		t.Fatalf("got %q, want %q", args, want)
	}
}

func TestPluginEnvAddsTheTypeScriptSettings(t *testing.T) {
	base := []string{"PATH=/usr/bin"}
	if got, want := pluginEnv(base, nodeOptions{typescript: false}), base; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	got := pluginEnv(base, nodeOptions{typescript: true, tsconfigpath: "tsconfig.plugin.json"})
	want := []string{"PATH=/usr/bin", "PULUMI_NODEJS_TYPESCRIPT=true", "PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.plugin.json"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestLocateModuleFindsRunPluginFromAComponentPackage(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	pluginDir, err := filepath.Abs("../../pulumi-package")
	if err != nil {
		t.Fatal(err)
	}
	path, err := locateModule(context.Background(), node, runPluginModule, pluginDir)
	if err != nil {
		t.Skipf("the repository's node_modules is not installed: %v", err)
	}
	if !strings.HasSuffix(path, filepath.Join("@pulumi", "pulumi", "cmd", "run-plugin", "index.js")) {
		t.Fatalf("resolved to %s", path)
	}
}

// A whole RunPlugin of kind "resource" through the host, with a stand-in for run-plugin
// (PULUMI_LANGUAGE_NODEJS_RUN_PATH, as upstream honours it) that prints what it was given: node's
// command line, its working directory and its environment reach the plugin as upstream's host
// makes them, its output comes back over the stream, and its exit code ends the call.
func TestRunPluginRunsNodeOnThePluginDirectory(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	dir := t.TempDir()
	pluginDir, pwd := filepath.Join(dir, "plugin"), filepath.Join(dir, "project")
	for _, d := range []string{pluginDir, pwd} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(dir, "run-plugin.js")
	err := os.WriteFile(script, []byte(`
console.log(JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd(),
    ts: process.env.PULUMI_NODEJS_TYPESCRIPT ?? null, cli: process.env.FROM_THE_CLI ?? null }));
console.error("to stderr");
process.exit(process.argv.includes("fail") ? 3 : 0);
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(runPluginPathEnvVar, script)
	client, fake := throughHost(t)

	run := func(args ...string) (string, string, error) {
		options, err := structpb.NewStruct(map[string]any{"typescript": false})
		if err != nil {
			t.Fatal(err)
		}
		stream, err := client.RunPlugin(context.Background(), &pulumirpc.RunPluginRequest{
			Kind: "resource",
			Pwd:  pwd,
			Args: args,
			Env:  append(os.Environ(), "FROM_THE_CLI=yes"),
			Info: &pulumirpc.ProgramInfo{RootDirectory: pluginDir, ProgramDirectory: pluginDir, EntryPoint: ".", Options: options},
		})
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr strings.Builder
		for {
			msg, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return stdout.String(), stderr.String(), nil
			}
			if err != nil {
				return stdout.String(), stderr.String(), err
			}
			stdout.Write(msg.GetStdout())
			stderr.Write(msg.GetStderr())
			if code, ok := msg.GetOutput().(*pulumirpc.RunPluginResponse_Exitcode); ok && code.Exitcode != 0 {
				t.Logf("exit code %d", code.Exitcode)
			}
		}
	}

	stdout, stderr, err := run("127.0.0.1:4242")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"args":["` + pluginDir + `","127.0.0.1:4242"],"cwd":"` + pwd + `","ts":null,"cli":"yes"}` + "\n"
	if stdout != want {
		t.Fatalf("stdout %q, want %q", stdout, want)
	}
	if stderr != "to stderr\n" {
		t.Fatalf("stderr %q", stderr)
	}
	if fake.runPluginCalls.Load() != 0 {
		t.Fatal("the RunPlugin reached the child")
	}

	if _, _, err := run("fail"); err == nil || !strings.Contains(err.Error(), "Program exited with non-zero exit code: 3") {
		t.Fatalf("got %v, want the upstream host's words for exit code 3", err)
	}
}
