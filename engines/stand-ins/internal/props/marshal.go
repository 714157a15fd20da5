// Package props reads and writes the property maps the engine sends a provider:
// secrets and unknowns are kept as they come (KeepSecrets, KeepUnknowns), so a
// provider can hand back secret inputs still marked secret.
package props

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
)

func options(label string) plugin.MarshalOptions {
	return plugin.MarshalOptions{Label: label, KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}
}

// Unmarshal reads a request's properties.
func Unmarshal(label string, s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, options(label))
}

// Marshal writes a response's properties.
func Marshal(label string, m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, options(label))
}

// Plain is v without its secret wrapping, at any depth.
func Plain(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsOutput():
		return Plain(v.OutputValue().Element)
	case v.IsArray():
		items := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, item := range v.ArrayValue() {
			items[i] = Plain(item)
		}
		return resource.NewArrayProperty(items)
	case v.IsObject():
		m := resource.PropertyMap{}
		for k, item := range v.ObjectValue() {
			m[k] = Plain(item)
		}
		return resource.NewObjectProperty(m)
	}
	return v
}

// Unknown is true when v, or anything in it, is not known yet (a preview).
func Unknown(v resource.PropertyValue) bool {
	return v.ContainsUnknowns()
}

// Secret marks v secret unless it already is, or is null.
func Secret(v resource.PropertyValue) resource.PropertyValue {
	if v.IsSecret() || v.IsNull() {
		return v
	}
	return resource.MakeSecret(v)
}

// UnknownValue is a value the engine shows as "known after apply".
func UnknownValue() resource.PropertyValue {
	return resource.MakeComputed(resource.NewStringProperty(""))
}

// Strings is a list of strings as a property.
func Strings(items []string) resource.PropertyValue {
	values := make([]resource.PropertyValue, len(items))
	for i, item := range items {
		values[i] = resource.NewStringProperty(item)
	}
	return resource.NewArrayProperty(values)
}
