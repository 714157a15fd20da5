package props

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

var fields = []Field{
	{Name: "name"},
	{Name: "database", ForceNew: true},
	{Name: "owner", Computed: true},
	{Name: "privileges", Set: true},
}

func m(kv ...any) resource.PropertyMap {
	out := resource.PropertyMap{}
	for i := 0; i < len(kv); i += 2 {
		out[resource.PropertyKey(kv[i].(string))] = resource.NewPropertyValue(kv[i+1])
	}
	return out
}

func TestNoChange(t *testing.T) {
	old := m("name", "a", "database", "d", "owner", "admin", "privileges", []any{"SELECT", "INSERT"})
	// owner is computed: absent from the inputs is no change; a set ignores order.
	d := Diff(fields, old, m("name", "a", "database", "d", "privileges", []any{"INSERT", "SELECT"}))
	if d.Changed || d.Response().Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("%+v", d)
	}
}

func TestUpdateInPlace(t *testing.T) {
	d := Diff(fields, m("name", "a", "database", "d"), m("name", "b", "database", "d"))
	if !d.Changed || len(d.Replaces) != 0 || d.Detailed["name"].Kind != pulumirpc.PropertyDiff_UPDATE {
		t.Fatalf("%+v", d)
	}
}

func TestForceNewReplaces(t *testing.T) {
	d := Diff(fields, m("name", "a", "database", "d"), m("name", "a", "database", "e"))
	if len(d.Replaces) != 1 || d.Replaces[0] != "database" || d.Detailed["database"].Kind != pulumirpc.PropertyDiff_UPDATE_REPLACE {
		t.Fatalf("%+v", d)
	}
}

func TestUnknownIsAChange(t *testing.T) {
	news := m("name", "a")
	news["database"] = resource.MakeComputed(resource.NewStringProperty(""))
	d := Diff(fields, m("name", "a", "database", "d"), news)
	if len(d.Replaces) != 1 {
		t.Fatalf("%+v", d)
	}
}

func TestSecretsCompareByValue(t *testing.T) {
	old := m("name", "a")
	news := resource.PropertyMap{"name": resource.MakeSecret(resource.NewStringProperty("a"))}
	if Diff(fields, old, news).Changed {
		t.Fatal("a value that became secret is not a change")
	}
}

func TestEmptyListIsNull(t *testing.T) {
	if Diff(fields, m("name", "a"), m("name", "a", "privileges", []any{})).Changed {
		t.Fatal("[] and no list are the same, as Terraform reads them")
	}
	if !Diff(fields, m("name", "a"), m("name", "a", "privileges", []any{"USAGE"})).Changed {
		t.Fatal("a new privilege is a change")
	}
}

func TestReader(t *testing.T) {
	r := &Reader{M: m("port", "5432", "superuser", "false", "n", 10.0, "bad", "x")}
	if r.Int("port", 0) != 5432 || r.Bool("superuser", true) || r.Int("n", 0) != 10 || r.Int("missing", 7) != 7 {
		t.Fatal("reader")
	}
	r.Int("bad", 0)
	r.Require("absent")
	if len(r.Failures) != 2 {
		t.Fatalf("%+v", r.Failures)
	}
}
