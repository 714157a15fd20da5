package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// fakeRuntime stands in for the v3.68.0 host: it implements what that host implements (not
// Handshake, not GetRequiredPackages) and records what reached it.
type fakeRuntime struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	runPluginCalls atomic.Int32
}

func (f *fakeRuntime) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if req.GetProgram() == "fails" {
		return nil, status.Error(codes.FailedPrecondition, "the program fails")
	}
	return &pulumirpc.RunResponse{Error: "ran " + req.GetProgram() + " in " + req.GetPwd() + " for " + req.GetStack()}, nil
}

func (f *fakeRuntime) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "3.68.0"}, nil
}

func (f *fakeRuntime) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	for _, line := range []string{"installing", "installed " + req.GetDirectory()} {
		if err := server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(line)}); err != nil {
			return err
		}
	}
	if filepath.Base(req.GetDirectory()) == "no-dependencies" {
		// What v3.68.0 says when npm had nothing to install into the directory itself.
		return errors.New("npm install failed: npm install reported success, but node_modules directory is missing")
	}
	return nil
}

func (f *fakeRuntime) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	f.runPluginCalls.Add(1)
	if err := server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: []byte("plugin " + req.GetKind())}}); err != nil {
		return err
	}
	return status.Error(codes.Aborted, "plugin exited")
}

// serve runs srv on a local port for the test and returns a client of it.
func serve(t *testing.T, srv pulumirpc.LanguageRuntimeServer) pulumirpc.LanguageRuntimeClient {
	t.Helper()
	cancel := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, srv)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(handle.Port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		close(cancel)
		<-handle.Done
	})
	return pulumirpc.NewLanguageRuntimeClient(conn)
}

// throughHost returns a client of our host, which forwards to a fake child.
func throughHost(t *testing.T) (pulumirpc.LanguageRuntimeClient, *fakeRuntime) {
	fake := &fakeRuntime{}
	return serve(t, newHost(serve(t, fake))), fake
}

func TestForwardsRunUnchanged(t *testing.T) {
	client, _ := throughHost(t)
	resp, err := client.Run(context.Background(), &pulumirpc.RunRequest{Program: "index.ts", Pwd: "/project", Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetError() != "ran index.ts in /project for dev" {
		t.Fatalf("got %q", resp.GetError())
	}
}

func TestForwardsTheChildsErrorStatus(t *testing.T) {
	client, _ := throughHost(t)
	_, err := client.Run(context.Background(), &pulumirpc.RunRequest{Program: "fails"})
	if s := status.Convert(err); s.Code() != codes.FailedPrecondition || s.Message() != "the program fails" {
		t.Fatalf("got %v", err)
	}
	// What the child does not implement stays Unimplemented, so the CLI falls back as it would
	// with the child itself (GetRequiredPackages -> GetRequiredPlugins).
	_, err = client.GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("got %v", err)
	}
}

func TestAnswersHandshakeWhenTheChildCannot(t *testing.T) {
	client, _ := throughHost(t)
	if _, err := client.Handshake(context.Background(), &pulumirpc.LanguageHandshakeRequest{EngineAddress: "127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
}

func TestForwardsGetPluginInfo(t *testing.T) {
	client, _ := throughHost(t)
	info, err := client.GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil || info.GetVersion() != "3.68.0" {
		t.Fatalf("got %v, %v", info, err)
	}
}

func TestRelaysInstallDependenciesStream(t *testing.T) {
	client, _ := throughHost(t)
	stream, err := client.InstallDependencies(context.Background(), &pulumirpc.InstallDependenciesRequest{Directory: "/project"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(msg.GetStdout()))
	}
	if strings.Join(got, "|") != "installing|installed /project" {
		t.Fatalf("got %q", got)
	}
}

// installLines runs InstallDependencies through the host on dir and returns its stdout lines and
// final status.
func installLines(t *testing.T, client pulumirpc.LanguageRuntimeClient, dir string) ([]string, error) {
	t.Helper()
	stream, err := client.InstallDependencies(context.Background(), &pulumirpc.InstallDependenciesRequest{
		Directory: dir,
		Info:      &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
		IsPlugin:  true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, string(msg.GetStdout()))
	}
}

func TestInstallDependenciesAcceptsNodeModulesInAParent(t *testing.T) {
	client, _ := throughHost(t)
	root := t.TempDir()
	dir := filepath.Join(root, "no-dependencies")
	if err := os.MkdirAll(filepath.Join(root, "node_modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := installLines(t, client, dir)
	if err != nil {
		t.Fatalf("got %v, want success: %s/node_modules serves the package", err, root)
	}
	if want := "installing|installed " + dir + "|Finished installing dependencies\n\n"; strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "|"), want)
	}
}

func TestInstallDependenciesKeepsTheErrorWithoutAnyNodeModules(t *testing.T) {
	client, _ := throughHost(t)
	dir := filepath.Join(t.TempDir(), "no-dependencies")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if searchup(dir, "node_modules") != "" {
		t.Skipf("a parent of %s holds node_modules", dir)
	}
	if _, err := installLines(t, client, dir); err == nil || !strings.Contains(err.Error(), nodeModulesMissing) {
		t.Fatalf("got %v, want the child's error", err)
	}
}

func TestRunsOtherPluginKindsItself(t *testing.T) {
	client, fake := throughHost(t)
	// As for policy packs: the debugger refusal comes from our own path, so the child never saw it.
	stream, err := client.RunPlugin(context.Background(), &pulumirpc.RunPluginRequest{Kind: "resource", AttachDebugger: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	if s := status.Convert(err); s.Code() != codes.Unimplemented || !strings.Contains(s.Message(), "debugger") {
		t.Fatalf("got %v", err)
	}
	if fake.runPluginCalls.Load() != 0 {
		t.Fatal("the resource RunPlugin reached the child")
	}
}

func TestRunsPolicyPacksItself(t *testing.T) {
	client, fake := throughHost(t)
	// A debugger request is refused by our own analyzer path before anything starts: proof the
	// analyzer kind never reaches the child (whose answer would be "not supported").
	stream, err := client.RunPlugin(context.Background(), &pulumirpc.RunPluginRequest{Kind: "analyzer", AttachDebugger: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	if s := status.Convert(err); s.Code() != codes.Unimplemented || !strings.Contains(s.Message(), "debugger") {
		t.Fatalf("got %v", err)
	}
	if fake.runPluginCalls.Load() != 0 {
		t.Fatal("the analyzer RunPlugin reached the child")
	}
}
