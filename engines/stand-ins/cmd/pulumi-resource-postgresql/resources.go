package main

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"migrate-first/engines/stand-ins/internal/props"
)

// kind is one resource type of the stand-in.
type kind interface {
	// fields are its inputs and how a change to each is applied.
	fields() []props.Field
	// check fills upstream's defaults into in and reports what is wrong.
	check(r *props.Reader, in resource.PropertyMap)
	// preview is the outputs a create would give, unknown where only the server knows.
	preview(in resource.PropertyMap) resource.PropertyMap
	create(ctx context.Context, c *client, in resource.PropertyMap) (id string, out resource.PropertyMap, err error)
	// read is the resource as it is on the server; found is false when it is gone.
	read(ctx context.Context, c *client, id string, state resource.PropertyMap) (out resource.PropertyMap, found bool, err error)
	update(ctx context.Context, c *client, id string, olds, news resource.PropertyMap) (newID string, out resource.PropertyMap, err error)
	delete(ctx context.Context, c *client, id string, state resource.PropertyMap) error
}

var kinds = map[string]kind{
	"postgresql:index/role:Role":                           roleKind{},
	"postgresql:index/database:Database":                   databaseKind{},
	"postgresql:index/schema:Schema":                       schemaKind{},
	"postgresql:index/grant:Grant":                         grantKind{},
	"postgresql:index/defaultPrivileges:DefaultPrivileges": defaultPrivilegesKind{},
}

// unsupported refuses inputs the stand-in does not implement, unless they hold
// upstream's default (which is what the stand-in does anyway).
func unsupported(r *props.Reader, defaults map[string]resource.PropertyValue) {
	for key, def := range defaults {
		v, ok := r.Get(key)
		if !ok || r.Unknown(key) {
			continue
		}
		if def.IsNull() || !props.Equal(v, def, true) {
			r.Failures = append(r.Failures, props.Failure{Property: key,
				Reason: key + " is not supported by the migrate-first postgresql stand-in provider"})
		}
	}
}

// withDefaults is out plus each default it does not have (upstream's computed
// outputs for the attributes the stand-in does not change).
func withDefaults(out resource.PropertyMap, defaults map[string]resource.PropertyValue) resource.PropertyMap {
	for key, def := range defaults {
		if _, ok := out[resource.PropertyKey(key)]; !ok && !def.IsNull() {
			out[resource.PropertyKey(key)] = def
		}
	}
	return out
}

// unknownUnlessSet marks keys unknown in out when the inputs did not give them.
func unknownUnlessSet(out resource.PropertyMap, keys ...string) resource.PropertyMap {
	for _, key := range keys {
		if v, ok := out[resource.PropertyKey(key)]; !ok || v.IsNull() {
			out[resource.PropertyKey(key)] = props.UnknownValue()
		}
	}
	return out
}

func str(v string) resource.PropertyValue   { return resource.NewStringProperty(v) }
func num(v int) resource.PropertyValue      { return resource.NewNumberProperty(float64(v)) }
func boolean(v bool) resource.PropertyValue { return resource.NewBoolProperty(v) }
func null() resource.PropertyValue          { return resource.NewNullProperty() }
