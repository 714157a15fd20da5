// Package kit holds what both stand-in providers answer the same way.
package kit

import (
	"context"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"migrate-first/engines/stand-ins/internal/props"
)

// Base answers the calls that do not depend on the resources: the plugin's
// version, its schema, the handshake, and cancellation. Providers embed it.
type Base struct {
	pulumirpc.UnimplementedResourceProviderServer
	Version string
	Schema  string
}

func (b *Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: b.Version}, nil
}

func (b *Base) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: b.Schema}, nil
}

func (b *Base) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (b *Base) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// CheckResponse is inputs and failures as the engine's CheckResponse.
func CheckResponse(inputs resource.PropertyMap, failures []props.Failure) (*pulumirpc.CheckResponse, error) {
	s, err := props.Marshal("checked", inputs)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: s}
	sort.SliceStable(failures, func(i, j int) bool { return failures[i].Property < failures[j].Property })
	for _, f := range failures {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return resp, nil
}

// TypeOf is the resource type from the request, or from its URN (older engines
// send only the URN).
func TypeOf(t, urn string) string {
	if t != "" {
		return t
	}
	u, err := resource.ParseURN(urn)
	if err != nil {
		return ""
	}
	return string(u.Type())
}
