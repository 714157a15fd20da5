package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The test binary doubles as a fake child host, chosen by this variable.
const fakeChildEnv = "LANGUAGE_HOST_TEST_FAKE_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(fakeChildEnv) {
	case "":
		os.Exit(m.Run())
	case "serve":
		// Like a host: print the port, serve, die on SIGINT (Go's default). GetPluginInfo answers
		// with the arguments it was given.
		handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, argsRuntime{})
			return nil
		}})
		if err != nil {
			os.Exit(2)
		}
		fmt.Printf("%d\n", handle.Port)
		<-handle.Done
	case "garbage":
		fmt.Println("not a port")
		time.Sleep(time.Minute)
	case "exits":
		os.Exit(3)
	}
	os.Exit(0)
}

type argsRuntime struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
}

// It prints a line before it answers, so the test knows the line was written when the answer comes.
func (argsRuntime) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	fmt.Println("after the port")
	return &pulumirpc.PluginInfo{Version: strings.Join(os.Args[1:], " ")}, nil
}

func TestStartChildPassesArgumentsAndDialsThePrintedPort(t *testing.T) {
	t.Setenv(fakeChildEnv, "serve")
	c, err := startChild(os.Args[0], []string{"-tracing=", "127.0.0.1:5555"}, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.client.GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if info.GetVersion() != "-tracing= 127.0.0.1:5555" {
		t.Fatalf("the child got %q", info.GetVersion())
	}
	var rest strings.Builder
	done := make(chan struct{})
	go func() { c.copyStdout(&rest); close(done) }()
	c.stop()
	select {
	case <-c.exited:
	default:
		t.Fatal("stop returned with the child still running")
	}
	<-done
	if rest.String() != "after the port\n" {
		t.Fatalf("the child's later output was %q", rest.String())
	}
}

func TestStartChildRejectsOutputThatIsNotAPort(t *testing.T) {
	t.Setenv(fakeChildEnv, "garbage")
	_, err := startChild(os.Args[0], nil, 30*time.Second)
	if err == nil || !strings.Contains(err.Error(), `"not a port\n"`) {
		t.Fatalf("got %v", err)
	}
}

func TestStartChildReportsAChildThatExits(t *testing.T) {
	t.Setenv(fakeChildEnv, "exits")
	_, err := startChild(os.Args[0], nil, 30*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited before printing its port") {
		t.Fatalf("got %v", err)
	}
}

func executable(t *testing.T, path string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFindChildPrefersTheVariable(t *testing.T) {
	dir := t.TempDir()
	explicit := executable(t, filepath.Join(dir, "elsewhere"))
	beside := executable(t, filepath.Join(dir, childName))
	got, err := findChild(explicit, filepath.Join(dir, "pulumi-language-nodejs"), "")
	if err != nil || got != explicit {
		t.Fatalf("got %q, %v; want %q (not %q)", got, err, explicit, beside)
	}
	if _, err := findChild(filepath.Join(dir, "missing"), "", ""); err == nil || !strings.Contains(err.Error(), childEnvVar) {
		t.Fatalf("a missing $%s gave %v", childEnvVar, err)
	}
}

func TestFindChildBesideTheInvokedPathThenOnPath(t *testing.T) {
	invokedDir, pathDir := t.TempDir(), t.TempDir()
	onPath := executable(t, filepath.Join(pathDir, childName))
	got, err := findChild("", filepath.Join(invokedDir, "pulumi-language-nodejs"), pathDir)
	if err != nil || got != onPath {
		t.Fatalf("got %q, %v; want %q", got, err, onPath)
	}
	beside := executable(t, filepath.Join(invokedDir, childName))
	got, err = findChild("", filepath.Join(invokedDir, "pulumi-language-nodejs"), pathDir)
	if err != nil || got != beside {
		t.Fatalf("got %q, %v; want %q", got, err, beside)
	}
}

func TestFindChildNeverTakesThisHostsOwnName(t *testing.T) {
	dir := t.TempDir()
	self := executable(t, filepath.Join(dir, "pulumi-language-nodejs"))
	got, err := findChild("", self, dir)
	if err == nil {
		t.Fatalf("found %q", got)
	}
	if !strings.Contains(err.Error(), childName) || !strings.Contains(err.Error(), childEnvVar) {
		t.Fatalf("the error does not say what to install or set: %v", err)
	}
}

func TestParseHostArgs(t *testing.T) {
	got, err := parseHostArgs([]string{"-tracing=http://zipkin", "-typescript=false", "127.0.0.1:40123"})
	if err != nil || got != (hostArgs{engineAddress: "127.0.0.1:40123"}) {
		t.Fatalf("got %+v, %v", got, err)
	}
	got, err = parseHostArgs([]string{"-version"})
	if err != nil || !got.showVersion {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := parseHostArgs([]string{"-no-such-flag"}); err == nil {
		t.Fatal("an unknown flag was accepted")
	}
}
