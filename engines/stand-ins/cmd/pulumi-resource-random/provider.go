package main

import (
	"context"
	"fmt"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"migrate-first/engines/stand-ins/internal/kit"
	"migrate-first/engines/stand-ins/internal/props"
)

type provider struct {
	kit.Base
}

func newProvider() *provider {
	return &provider{Base: kit.Base{Version: Version, Schema: schema}}
}

func checkType(t string) error {
	if t != passwordType {
		return fmt.Errorf("the random stand-in provider has no resource type %q (only %s)", t, passwordType)
	}
	return nil
}

func (p *provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.News}, nil
}

func (p *provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(kit.TypeOf(req.Type, req.Urn)); err != nil {
		return nil, err
	}
	news, err := props.Unmarshal("news", req.News)
	if err != nil {
		return nil, err
	}
	inputs, failures := checkPassword(news)
	return kit.CheckResponse(inputs, failures)
}

func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := props.Unmarshal("olds", req.Olds)
	if err != nil {
		return nil, err
	}
	news, err := props.Unmarshal("news", req.News)
	if err != nil {
		return nil, err
	}
	resp := props.Diff(passwordFields, olds, news).Response()
	if len(resp.Replaces) > 0 {
		// Upstream's default: a new password before the old one goes.
		resp.DeleteBeforeReplace = false
	}
	return resp, nil
}

func (p *provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(kit.TypeOf(req.Type, req.Urn)); err != nil {
		return nil, err
	}
	in, err := props.Unmarshal("properties", req.Properties)
	if err != nil {
		return nil, err
	}
	out, err := createPassword(in, req.Preview)
	if err != nil {
		return nil, err
	}
	s, err := props.Marshal("outputs", out)
	if err != nil {
		return nil, err
	}
	id := "none" // upstream's id for every random_password
	if req.Preview {
		id = ""
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: s}, nil
}

// Read returns the state as it is: nothing outside the state to compare with (as upstream).
func (p *provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.Id, Properties: req.Properties, Inputs: req.Inputs}, nil
}

// Update is never needed (every change replaces); it keeps the result if called.
func (p *provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	olds, err := props.Unmarshal("olds", req.Olds)
	if err != nil {
		return nil, err
	}
	news, err := props.Unmarshal("news", req.News)
	if err != nil {
		return nil, err
	}
	out := news.Copy()
	out["result"] = olds["result"]
	out["bcryptHash"] = olds["bcryptHash"]
	s, err := props.Marshal("outputs", out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: s}, nil
}

func (p *provider) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
