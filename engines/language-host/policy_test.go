package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestParseOptionsDefaultsToTypeScript(t *testing.T) {
	opts, err := parseOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (nodeOptions{typescript: true}); opts != want {
		t.Fatalf("got %+v, want %+v", opts, want)
	}
}

func TestParseOptionsReadsEachOption(t *testing.T) {
	opts, err := parseOptions(map[string]any{"typescript": false, "tsconfig": "tsconfig.policy.json", "nodeargs": "--max-old-space-size=512"})
	if err != nil {
		t.Fatal(err)
	}
	want := nodeOptions{typescript: false, tsconfigpath: "tsconfig.policy.json", nodeargs: "--max-old-space-size=512"}
	if opts != want {
		t.Fatalf("got %+v, want %+v", opts, want)
	}
}

func TestParseOptionsRejectsWrongTypes(t *testing.T) {
	for _, options := range []map[string]any{{"typescript": "yes"}, {"tsconfig": 1.0}, {"nodeargs": true}} {
		if _, err := parseOptions(options); err == nil {
			t.Errorf("parseOptions(%v) accepted a wrong type", options)
		}
	}
}

func TestPolicyPackArgsPutThePackDirectoryLast(t *testing.T) {
	args, err := policyPackArgs("/pack/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js",
		nodeOptions{nodeargs: `--trace-warnings --title "policy pack"`}, []string{"127.0.0.1:4242"}, "/pack")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/pack/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js",
		"--trace-warnings", "--title", "policy pack",
		"127.0.0.1:4242",
		"/pack",
	}
	if !reflect.DeepEqual(args, want) {
		t.Fatalf("got %q, want %q", args, want)
	}
}

func TestPolicyPackArgsRejectsUnbalancedNodeargs(t *testing.T) {
	if _, err := policyPackArgs("run.js", nodeOptions{nodeargs: `--title "open`}, nil, "/pack"); err == nil {
		t.Fatal("an unterminated quote in nodeargs was accepted")
	}
}

func TestPolicyPackEnvWithoutStack(t *testing.T) {
	base := []string{"PATH=/usr/bin", "HOME=/root"}
	env, err := policyPackEnv(base, nodeOptions{typescript: true, tsconfigpath: "tsconfig.json"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PATH=/usr/bin", "HOME=/root", "PULUMI_NODEJS_TYPESCRIPT=true", "PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.json"}
	if !reflect.DeepEqual(env, want) {
		t.Fatalf("got %q, want %q", env, want)
	}
	if len(base) != 2 {
		t.Fatalf("the CLI's environment was changed: %q", base)
	}
}

func TestPolicyPackEnvPassesTheStack(t *testing.T) {
	stack := &pulumirpc.AnalyzerStackConfigureRequest{
		Organization: "acme",
		Project:      "migrate-first",
		Stack:        "dev",
		DryRun:       true,
		Config:       map[string]string{"migrate-first:tier": "dev", "migrate-first:image": "registry/app:1.2.3"},
	}
	env, err := policyPackEnv([]string{"PATH=/usr/bin"}, nodeOptions{}, stack)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PATH=/usr/bin",
		"PULUMI_NODEJS_ORGANIZATION=acme",
		"PULUMI_NODEJS_PROJECT=migrate-first",
		"PULUMI_NODEJS_STACK=dev",
		"PULUMI_NODEJS_DRY_RUN=true",
		`PULUMI_CONFIG={"migrate-first:image":"registry/app:1.2.3","migrate-first:tier":"dev"}`,
	}
	if !reflect.DeepEqual(env, want) {
		t.Fatalf("got %q, want %q", env, want)
	}
}

func TestPolicyPackEnvLeavesOutEmptyValues(t *testing.T) {
	env, err := policyPackEnv(nil, nodeOptions{}, &pulumirpc.AnalyzerStackConfigureRequest{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	// No organization or project, no config; dry run false is still a value.
	want := []string{"PULUMI_NODEJS_STACK=dev", "PULUMI_NODEJS_DRY_RUN=false"}
	if !reflect.DeepEqual(env, want) {
		t.Fatalf("got %q, want %q", env, want)
	}
}

func TestLocateModuleFindsRunPolicyPackFromThePolicyDirectory(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	packDir, err := filepath.Abs("../../policy")
	if err != nil {
		t.Fatal(err)
	}
	path, err := locateModule(context.Background(), node, runPolicyModule, packDir)
	if err != nil {
		t.Skipf("the repository's node_modules is not installed: %v", err)
	}
	if !strings.HasSuffix(path, filepath.Join("@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js")) {
		t.Fatalf("resolved to %s", path)
	}
}

func TestLocateModuleNamesTheMissingSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	dir := t.TempDir()
	_, err = locateModule(context.Background(), node, runPolicyModule, dir)
	if err == nil || !strings.Contains(err.Error(), "npm install in "+dir) {
		t.Fatalf("got %v, want the message asking for npm install in %s", err, dir)
	}
}
