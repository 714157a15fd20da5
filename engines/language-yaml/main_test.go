package main

import (
	"context"
	"strconv"
	"testing"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi-yaml/pkg/version"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// client serves the host as main does and returns a client of it.
func client(t *testing.T) pulumirpc.LanguageRuntimeClient {
	t.Helper()
	cancel := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, withLink{server.NewLanguageHost("", "", false)})
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

// Link answers, as pulumi-yaml v1.26.2's does, where v1.25.0's alone says Unimplemented.
func TestLinkAnswersWithNothingToDo(t *testing.T) {
	resp, err := client(t).Link(context.Background(), &pulumirpc.LinkRequest{})
	if err != nil {
		t.Fatalf("Link: %v", err)
	}
	if resp.GetImportInstructions() != "" {
		t.Fatalf("Link gave instructions: %q", resp.GetImportInstructions())
	}
}

// Every other call is v1.25.0's own.
func TestOtherCallsAreTheServersOwn(t *testing.T) {
	info, err := client(t).GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if info.GetVersion() != version.Version {
		t.Fatalf("GetPluginInfo says %q, want the server's %q", info.GetVersion(), version.Version)
	}
}
