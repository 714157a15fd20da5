package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// host serves the LanguageRuntime service. Every RPC goes to the child unchanged (request, response
// and error status as they are; unknown fields survive the round trip) except RunPlugin, which
// the child does not implement, and a Handshake the child does not implement.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	child pulumirpc.LanguageRuntimeClient
}

func newHost(child pulumirpc.LanguageRuntimeClient) *host {
	return &host{child: child}
}

// Handshake goes to the child; v3.68.0 predates it and says Unimplemented, and then it succeeds here
// with an empty response, as the upstream host's does. This host keeps no state from it: it already
// has the engine's address from its command line (the CLI passes it to every host it starts), and it
// only needs it for the health check. The current host also uses it to attach debuggers, which this
// one does not support.
func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	resp, err := h.child.Handshake(ctx, req)
	if status.Code(err) != codes.Unimplemented {
		return resp, err
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// RunPlugin is done here for every kind: policy packs (policy.go) and the rest, e.g. a component
// package's PulumiPlugin.yaml directory (plugin.go). The child cannot: v3.68.0 answers every
// RunPlugin with "not supported".
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	if req.GetKind() == string(apitype.AnalyzerPlugin) {
		return runPolicyPack(req, server)
	}
	return runPlugin(req, server)
}

// InstallDependencies goes to the child (npm install), with one correction. After a successful
// install, v3.68.0 requires node_modules in the directory itself; the current host (sdk/nodejs/npm,
// Install) accepts one in the directory or any parent, as Node resolves modules. A package without
// dependencies of its own, such as a component package in a subdirectory of the library that
// serves it (pulumi-package/), gets none from npm, so only the current check passes it.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	stream, err := h.child.InstallDependencies(server.Context(), req)
	if err != nil {
		return err
	}
	err = relay(stream.Recv, server.Send)
	if err == nil || !strings.Contains(status.Convert(err).Message(), nodeModulesMissing) {
		return err
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory()
	}
	if dir == "" || searchup(dir, "node_modules") == "" {
		return err
	}
	return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte("Finished installing dependencies\n\n")})
}

// nodeModulesMissing is how v3.68.0 words an install that left no node_modules in the directory.
const nodeModulesMissing = "install reported success, but node_modules directory is missing"

// searchup returns the first of dir and its parents that holds name, or "" (the upstream host's).
func searchup(dir, name string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// relay sends each message of a server stream from the child on to the CLI, then ends with the
// child's final status (nil at a clean end of stream).
func relay[T any](recv func() (*T, error), send func(*T) error) error {
	for {
		msg, err := recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := send(msg); err != nil {
			return err
		}
	}
}

func (h *host) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return h.child.GetRequiredPlugins(ctx, req)
}

func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return h.child.GetRequiredPackages(ctx, req)
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return h.child.Run(ctx, req)
}

func (h *host) GetPluginInfo(ctx context.Context, req *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return h.child.GetPluginInfo(ctx, req)
}

func (h *host) RuntimeOptionsPrompts(
	ctx context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return h.child.RuntimeOptionsPrompts(ctx, req)
}

func (h *host) Template(ctx context.Context, req *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	return h.child.Template(ctx, req)
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return h.child.About(ctx, req)
}

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return h.child.GetProgramDependencies(ctx, req)
}

func (h *host) GenerateProgram(
	ctx context.Context, req *pulumirpc.GenerateProgramRequest,
) (*pulumirpc.GenerateProgramResponse, error) {
	return h.child.GenerateProgram(ctx, req)
}

func (h *host) GenerateProject(
	ctx context.Context, req *pulumirpc.GenerateProjectRequest,
) (*pulumirpc.GenerateProjectResponse, error) {
	return h.child.GenerateProject(ctx, req)
}

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return h.child.GeneratePackage(ctx, req)
}

func (h *host) Pack(ctx context.Context, req *pulumirpc.PackRequest) (*pulumirpc.PackResponse, error) {
	return h.child.Pack(ctx, req)
}

func (h *host) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return h.child.Link(ctx, req)
}

func (h *host) Cancel(ctx context.Context, req *emptypb.Empty) (*emptypb.Empty, error) {
	return h.child.Cancel(ctx, req)
}
