package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"migrate-first/engines/stand-ins/internal/kit"
	"migrate-first/engines/stand-ins/internal/props"
)

type provider struct {
	kit.Base
	mu sync.Mutex
	c  *client
	// unknownConfig: in a preview the configuration may depend on outputs not known yet.
	unknownConfig bool
}

func newProvider() *provider {
	return &provider{Base: kit.Base{Version: Version, Schema: packageSchema}}
}

func (p *provider) client() (*client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c == nil {
		return nil, fmt.Errorf("the postgresql provider is not configured")
	}
	return p.c, nil
}

func kindOf(t, urn string) (kind, string, error) {
	t = kit.TypeOf(t, urn)
	k, ok := kinds[t]
	if !ok {
		return nil, t, fmt.Errorf("the migrate-first postgresql stand-in provider has no resource type %q", t)
	}
	return k, t, nil
}

func (p *provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := props.Unmarshal("config", req.News)
	if err != nil {
		return nil, err
	}
	failures := []props.Failure{}
	if !news.ContainsUnknowns() {
		_, failures = readConfig(news)
	}
	// The admin password stays secret in the provider's inputs and state.
	if v, ok := news["password"]; ok {
		news["password"] = props.Secret(v)
	}
	return kit.CheckResponse(news, failures)
}

func (p *provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := props.Unmarshal("olds", req.Olds)
	if err != nil {
		return nil, err
	}
	news, err := props.Unmarshal("news", req.News)
	if err != nil {
		return nil, err
	}
	return props.Diff(configFields, olds, news).Response(), nil
}

func (p *provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	var m resource.PropertyMap
	if req.Args != nil {
		var err error
		if m, err = props.Unmarshal("config", req.Args); err != nil {
			return nil, err
		}
	} else {
		m = configFromVariables(req.Variables)
	}
	cfg, failures := readConfig(m)
	if len(failures) > 0 && !m.ContainsUnknowns() {
		return nil, fmt.Errorf("postgresql provider configuration: %s: %s", failures[0].Property, failures[0].Reason)
	}
	p.mu.Lock()
	if p.c != nil {
		p.c.close()
	}
	p.c = newClient(cfg)
	p.unknownConfig = m.ContainsUnknowns()
	p.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	k, _, err := kindOf(req.Type, req.Urn)
	if err != nil {
		return nil, err
	}
	news, err := props.Unmarshal("news", req.News)
	if err != nil {
		return nil, err
	}
	in := news.Copy()
	r := &props.Reader{M: in}
	k.check(r, in)
	return kit.CheckResponse(in, r.Failures)
}

func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	k, _, err := kindOf(req.Type, req.Urn)
	if err != nil {
		return nil, err
	}
	olds, err := props.Unmarshal("olds", req.Olds)
	if err != nil {
		return nil, err
	}
	news, err := props.Unmarshal("news", req.News)
	if err != nil {
		return nil, err
	}
	fields := []props.Field{}
	for _, f := range k.fields() {
		ignored := false
		for _, path := range req.IgnoreChanges {
			ignored = ignored || path == f.Name
		}
		if !ignored {
			fields = append(fields, f)
		}
	}
	return props.Diff(fields, olds, news).Response(), nil
}

func (p *provider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	k, t, err := kindOf(req.Type, req.Urn)
	if err != nil {
		return nil, err
	}
	in, err := props.Unmarshal("properties", req.Properties)
	if err != nil {
		return nil, err
	}
	var id string
	var out resource.PropertyMap
	if req.Preview || in.ContainsUnknowns() {
		out = k.preview(in)
	} else {
		c, err := p.client()
		if err != nil {
			return nil, err
		}
		if id, out, err = k.create(ctx, c, in); err != nil {
			return nil, fmt.Errorf("creating %s: %w", t, err)
		}
	}
	s, err := props.Marshal("outputs", out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: s}, nil
}

// Read refreshes the state from the server; a resource that is gone comes back
// with no id, and the engine drops it from the state.
func (p *provider) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	k, t, err := kindOf(req.Type, req.Urn)
	if err != nil {
		return nil, err
	}
	state, err := props.Unmarshal("state", req.Properties)
	if err != nil {
		return nil, err
	}
	inputs, err := props.Unmarshal("inputs", req.Inputs)
	if err != nil {
		return nil, err
	}
	if len(state) == 0 {
		state = inputs
	}
	c, err := p.client()
	if err != nil {
		return nil, err
	}
	out, found, err := k.read(ctx, c, req.Id, state)
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", t, req.Id, err)
	}
	if !found {
		return &pulumirpc.ReadResponse{}, nil
	}
	// The inputs follow the outputs for the keys the program set (secrets stay secret).
	refreshed := resource.PropertyMap{}
	for key, v := range inputs {
		if o, ok := out[key]; ok {
			if v.IsSecret() {
				o = props.Secret(o)
			}
			refreshed[key] = o
		} else {
			refreshed[key] = v
		}
	}
	s, err := props.Marshal("outputs", out)
	if err != nil {
		return nil, err
	}
	si, err := props.Marshal("inputs", refreshed)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.Id, Properties: s, Inputs: si}, nil
}

func (p *provider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	k, t, err := kindOf(req.Type, req.Urn)
	if err != nil {
		return nil, err
	}
	olds, err := props.Unmarshal("olds", req.Olds)
	if err != nil {
		return nil, err
	}
	news, err := props.Unmarshal("news", req.News)
	if err != nil {
		return nil, err
	}
	var out resource.PropertyMap
	if req.Preview || news.ContainsUnknowns() {
		out = k.preview(news)
	} else {
		c, err := p.client()
		if err != nil {
			return nil, err
		}
		if _, out, err = k.update(ctx, c, req.Id, olds, news); err != nil {
			return nil, fmt.Errorf("updating %s %s: %w", t, req.Id, err)
		}
	}
	s, err := props.Marshal("outputs", out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: s}, nil
}

func (p *provider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	k, t, err := kindOf(req.Type, req.Urn)
	if err != nil {
		return nil, err
	}
	state, err := props.Unmarshal("state", req.Properties)
	if err != nil {
		return nil, err
	}
	c, err := p.client()
	if err != nil {
		return nil, err
	}
	if err := k.delete(ctx, c, req.Id, state); err != nil {
		return nil, fmt.Errorf("deleting %s %s: %w", t, req.Id, err)
	}
	return &emptypb.Empty{}, nil
}
