package main

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"

	"migrate-first/engines/stand-ins/internal/props"
)

func TestCheckFillsUpstreamDefaults(t *testing.T) {
	in, failures := checkPassword(resource.PropertyMap{"length": resource.NewNumberProperty(32), "special": resource.NewBoolProperty(false)})
	if len(failures) != 0 {
		t.Fatal(failures)
	}
	for key, want := range map[string]bool{"special": false, "upper": true, "lower": true, "numeric": true, "number": true} {
		if in[resource.PropertyKey(key)].BoolValue() != want {
			t.Errorf("%s = %v", key, in[resource.PropertyKey(key)])
		}
	}
	if in["minUpper"].NumberValue() != 0 {
		t.Error("minUpper")
	}
	in, _ = checkPassword(resource.PropertyMap{"length": resource.NewNumberProperty(8), "number": resource.NewBoolProperty(false)})
	if in["numeric"].BoolValue() {
		t.Error("number false turns numeric off")
	}
	if _, failures := checkPassword(resource.PropertyMap{"length": resource.NewNumberProperty(2), "minUpper": resource.NewNumberProperty(3)}); len(failures) == 0 {
		t.Error("length below the minimums accepted")
	}
}

func TestCreateIsSecretAndHashed(t *testing.T) {
	in, _ := checkPassword(resource.PropertyMap{"length": resource.NewNumberProperty(32), "special": resource.NewBoolProperty(false)})
	out, err := createPassword(in, false)
	if err != nil {
		t.Fatal(err)
	}
	if !out["result"].IsSecret() || !out["bcryptHash"].IsSecret() {
		t.Fatal("result and bcryptHash must be secret")
	}
	result := out["result"].SecretValue().Element.StringValue()
	hash := out["bcryptHash"].SecretValue().Element.StringValue()
	if len(result) != 32 || bcrypt.CompareHashAndPassword([]byte(hash), []byte(result)) != nil {
		t.Fatalf("result %q hash %q", result, hash)
	}
	preview, _ := createPassword(in, true)
	if !props.Unknown(preview["result"]) {
		t.Fatal("a preview does not know the result")
	}
}

func TestAnyInputChangeReplaces(t *testing.T) {
	olds, _ := checkPassword(resource.PropertyMap{"length": resource.NewNumberProperty(32)})
	same, _ := checkPassword(resource.PropertyMap{"length": resource.NewNumberProperty(32)})
	if d := props.Diff(passwordFields, olds, same).Response(); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("%+v", d)
	}
	for key, v := range map[string]resource.PropertyValue{
		"length":   resource.NewNumberProperty(16),
		"special":  resource.NewBoolProperty(false),
		"keepers":  resource.NewObjectProperty(resource.PropertyMap{"image": resource.NewStringProperty("v2")}),
		"minLower": resource.NewNumberProperty(1),
	} {
		news := same.Copy()
		news[resource.PropertyKey(key)] = v
		if d := props.Diff(passwordFields, olds, news).Response(); len(d.Replaces) != 1 || d.Replaces[0] != key {
			t.Errorf("%s: %+v", key, d)
		}
	}
}

func TestSchemaIsJSON(t *testing.T) {
	var s struct {
		Name, Version string
		Resources     map[string]any
	}
	if err := json.Unmarshal([]byte(schema), &s); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Resources[passwordType]; !ok || s.Name != "random" || s.Version != Version {
		t.Fatalf("%+v", s)
	}
}
