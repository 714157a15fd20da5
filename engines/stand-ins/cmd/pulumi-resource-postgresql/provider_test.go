package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"migrate-first/engines/stand-ins/internal/props"
)

func pm(kv ...any) resource.PropertyMap {
	out := resource.PropertyMap{}
	for i := 0; i < len(kv); i += 2 {
		out[resource.PropertyKey(kv[i].(string))] = resource.NewPropertyValue(kv[i+1])
	}
	return out
}

func check(k kind, news resource.PropertyMap) (resource.PropertyMap, []props.Failure) {
	in := news.Copy()
	r := &props.Reader{M: in}
	k.check(r, in)
	return in, r.Failures
}

func TestRoleCheckDefaultsAndSecret(t *testing.T) {
	news := pm("name", "shop_app", "searchPaths", []any{"app", "public"})
	news["password"] = resource.NewStringProperty("plain")
	in, failures := check(roleKind{}, news)
	if len(failures) != 0 || in["login"].BoolValue() || !in["password"].IsSecret() {
		t.Fatalf("%v %v", in, failures)
	}
	out := roleKind{}.preview(in)
	if !out["password"].IsSecret() || out["connectionLimit"].NumberValue() != -1 {
		t.Fatalf("%v", out)
	}
}

func TestRoleCheckRefusesWhatIsNotImplemented(t *testing.T) {
	_, failures := check(roleKind{}, pm("name", "r", "createRole", true, "roles", []any{"x"}, "inherit", true))
	got := map[string]bool{}
	for _, f := range failures {
		got[f.Property] = true
	}
	if !got["createRole"] || !got["roles"] || got["inherit"] {
		t.Fatalf("%+v", failures)
	}
}

func TestGrantCheck(t *testing.T) {
	_, failures := check(grantKind{}, pm("database", "shop", "role", "shop_app", "objectType", "table", "privileges", []any{"SELECT"}))
	if len(failures) != 1 || failures[0].Property != "schema" {
		t.Fatalf("%+v", failures)
	}
	_, failures = check(grantKind{}, pm("database", "shop", "role", "r", "objectType", "column", "privileges", []any{"SELECT"}))
	if len(failures) != 1 || failures[0].Property != "objectType" {
		t.Fatalf("%+v", failures)
	}
	_, failures = check(grantKind{}, pm("database", "shop", "role", "r", "objectType", "database", "privileges", []any{"SELECT"}))
	if len(failures) != 1 || failures[0].Property != "privileges" {
		t.Fatalf("%+v", failures)
	}
	in, failures := check(grantKind{}, pm("database", "shop", "role", "public", "objectType", "database", "privileges", []any{}))
	if len(failures) != 0 || in["withGrantOption"].BoolValue() {
		t.Fatalf("%+v", failures)
	}
}

func diff(k kind, olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	return props.Diff(k.fields(), olds, news).Response()
}

func TestReplaceRulesAreUpstreams(t *testing.T) {
	grant := pm("database", "shop", "role", "shop_app", "schema", "app", "objectType", "table", "privileges", []any{"SELECT"}, "withGrantOption", false)
	more := grant.Copy()
	more["privileges"] = resource.NewPropertyValue([]any{"SELECT", "INSERT"})
	if d := diff(grantKind{}, grant, more); d.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(d.Replaces) != 0 {
		t.Fatalf("privileges change in place: %+v", d)
	}
	other := grant.Copy()
	other["role"] = resource.NewStringProperty("x")
	if d := diff(grantKind{}, grant, other); len(d.Replaces) != 1 {
		t.Fatalf("a new role replaces: %+v", d)
	}
	role := pm("name", "a", "login", true)
	if d := diff(roleKind{}, role, pm("name", "b", "login", true)); len(d.Replaces) != 0 || d.Changes != pulumirpc.DiffResponse_DIFF_SOME {
		t.Fatalf("a role is renamed in place: %+v", d)
	}
	db := pm("name", "shop", "owner", "admin", "template", "template0", "encoding", "UTF8", "connectionLimit", -1.0, "allowConnections", true)
	if d := diff(databaseKind{}, db, pm("name", "shop", "connectionLimit", -1.0, "allowConnections", true)); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("computed owner/template/encoding are no change: %+v", d)
	}
	if d := diff(databaseKind{}, db, pm("name", "shop", "encoding", "LATIN1", "connectionLimit", -1.0, "allowConnections", true)); len(d.Replaces) != 1 {
		t.Fatalf("a new encoding replaces: %+v", d)
	}
	schema := pm("name", "app", "database", "shop", "owner", "m", "ifNotExists", true, "dropCascade", false)
	moved := schema.Copy()
	moved["database"] = resource.NewStringProperty("other")
	if d := diff(schemaKind{}, schema, moved); len(d.Replaces) != 1 || d.Replaces[0] != "database" {
		t.Fatalf("a schema in a new database is replaced: %+v", d)
	}
	dp := pm("database", "shop", "owner", "m", "role", "a", "schema", "app", "objectType", "table", "privileges", []any{"SELECT"}, "withGrantOption", false)
	dp2 := dp.Copy()
	dp2["owner"] = resource.NewStringProperty("n")
	if d := diff(defaultPrivilegesKind{}, dp, dp2); len(d.Replaces) != 1 {
		t.Fatalf("a new owner replaces default privileges: %+v", d)
	}
}

func TestConfigReadsJSONEncodedValues(t *testing.T) {
	cfg, failures := readConfig(pm("host", "db.internal", "port", "6543", "username", "admin", "password", "pw", "sslmode", "require", "superuser", "false", "maxConnections", "10"))
	if len(failures) != 0 || cfg.Port != 6543 || cfg.Superuser || cfg.MaxConnections != 10 || cfg.Database != "postgres" || cfg.ConnectTimeout != 180 {
		t.Fatalf("%+v %+v", cfg, failures)
	}
	if _, failures := readConfig(pm("sslmode", "sometimes", "awsRdsIamAuth", "true")); len(failures) != 2 {
		t.Fatalf("%+v", failures)
	}
	if got := (config{Host: "h", Port: 1, Username: "u", Password: `p'w\`, Database: "d"}).dsn("x"); !strings.Contains(got, `password='p\'w\\'`) || !strings.Contains(got, "dbname='x'") {
		t.Fatal(got)
	}
}

func TestUnreachableHostNamesHostAndPortNotPassword(t *testing.T) {
	c := newClient(config{Host: "127.0.0.1", Port: 1, Username: "admin", Password: "canary-admin-password", Database: "postgres", MaxConnections: 1, ConnectTimeout: 2, SSLMode: "disable"})
	_, err := c.db(context.Background(), "")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "canary") {
		t.Fatalf("%v", err)
	}
}

func TestSchemaIsJSONForEveryKind(t *testing.T) {
	var s struct {
		Name, Version string
		Resources     map[string]any
	}
	if err := json.Unmarshal([]byte(packageSchema), &s); err != nil {
		t.Fatal(err)
	}
	if s.Name != "postgresql" || s.Version != Version || len(s.Resources) != len(kinds) {
		t.Fatalf("%+v", s)
	}
	for token := range kinds {
		if _, ok := s.Resources[token]; !ok {
			t.Errorf("%s missing from the schema", token)
		}
	}
}
