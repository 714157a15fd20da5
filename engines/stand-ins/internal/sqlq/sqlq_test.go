package sqlq

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestIdentQuotesAndDoublesQuotes(t *testing.T) {
	cases := map[string]string{
		"shop":                `"shop"`,
		`we"ird`:              `"we""ird"`,
		`x"; DROP ROLE a; --`: `"x""; DROP ROLE a; --"`,
		"Upper Case":          `"Upper Case"`,
	}
	for in, want := range cases {
		if got := Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestLiteral(t *testing.T) {
	cases := map[string]string{
		"plain":       `'plain'`,
		"O'Brien":     `'O''Brien'`,
		`back\slash'`: `E'back\\slash'''`,
	}
	for in, want := range cases {
		if got := Literal(in); got != want {
			t.Errorf("Literal(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestCheckName(t *testing.T) {
	if CheckName("name", "") == nil || CheckName("name", "a\x00b") == nil || CheckName("name", "ok") != nil {
		t.Fatal("CheckName")
	}
}

// A verifier Postgres 18 computed for the password pencil-O'Brien\x: the same salt gives the same verifier.
func TestScramVerifierMatchesPostgres(t *testing.T) {
	const fromPostgres = `SCRAM-SHA-256$4096:Lcmh/u/UTiLzxSsH9De+Mg==$BWB4uK02AMAC5lMhGNgW8hlsQ7+YZM9AJI+eWv3vL/g=:4wY/J5T3L6/nNhqIZkfxfN7U7Oh3jSl3yx/AKibRGug=`
	salt, _ := base64.StdEncoding.DecodeString("Lcmh/u/UTiLzxSsH9De+Mg==")
	got, ok := ScramVerifier(`pencil-O'Brien\x`, salt, 4096)
	if !ok || got != fromPostgres {
		t.Fatalf("got %s (ok %v)\nwant %s", got, ok, fromPostgres)
	}
	if _, ok := ScramVerifier("pässword", salt, 4096); ok {
		t.Fatal("a non-ASCII password needs SASLprep; the verifier must not be computed here")
	}
}

func TestPasswordNeverInTheStatement(t *testing.T) {
	const password = "hunter2-very-secret"
	for _, q := range []string{CreateRole(Role{Name: "r", Login: true, Password: password}), SetPassword("r", password)} {
		if strings.Contains(q, password) {
			t.Fatalf("password in %s", q)
		}
		if !strings.Contains(q, "PASSWORD 'SCRAM-SHA-256$4096:") {
			t.Fatalf("no verifier in %s", q)
		}
	}
	if got := PasswordClause("null"); got != "PASSWORD NULL" {
		t.Fatal(got)
	}
}

func TestCreateRole(t *testing.T) {
	got := CreateRole(Role{Name: `shop_app`, Login: true})
	want := `CREATE ROLE "shop_app" WITH VALID UNTIL 'infinity' CONNECTION LIMIT -1 NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOBYPASSRLS NOREPLICATION`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestSearchPath(t *testing.T) {
	got, err := SetSearchPath("shop_app", []string{"app", "public"})
	if err != nil || got != `ALTER ROLE "shop_app" SET search_path TO "app", "public"` {
		t.Fatalf("%s %v", got, err)
	}
	if got, _ := SetSearchPath("r", nil); got != `ALTER ROLE "r" SET search_path TO DEFAULT` {
		t.Fatal(got)
	}
	if _, err := SetSearchPath("r", []string{"a, b"}); err == nil {
		t.Fatal("a part with ', ' accepted")
	}
	if got := ReadSearchPath([]string{"statement_timeout=5", `search_path=app, "public"`}); strings.Join(got, "|") != "app|public" {
		t.Fatal(got)
	}
}

func TestCreateDatabase(t *testing.T) {
	got := CreateDatabase(Database{Name: "shop", Owner: "admin", ConnectionLimit: -1, AllowConnections: true})
	want := `CREATE DATABASE "shop" OWNER "admin" TEMPLATE template0 ENCODING 'UTF8' ALLOW_CONNECTIONS true CONNECTION LIMIT -1 IS_TEMPLATE false`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	got = CreateDatabase(Database{Name: "d", Owner: "o", Template: "tpl", Encoding: "LATIN1", LcCollate: "C", LcCtype: "C", ConnectionLimit: 5})
	if !strings.Contains(got, `TEMPLATE "tpl" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' ALLOW_CONNECTIONS false CONNECTION LIMIT 5`) {
		t.Fatal(got)
	}
	if drop := DropDatabase("shop"); drop[2] != `DROP DATABASE "shop" WITH (FORCE)` || !strings.Contains(drop[1], "$1") {
		t.Fatal(drop)
	}
}

func TestSchemaStatements(t *testing.T) {
	if got := CreateSchema("app", "shop_migrator", true); got != `CREATE SCHEMA IF NOT EXISTS "app" AUTHORIZATION "shop_migrator"` {
		t.Fatal(got)
	}
	if got := DropSchema("app", false); got != `DROP SCHEMA "app" RESTRICT` {
		t.Fatal(got)
	}
}

func TestGrantStatements(t *testing.T) {
	cases := []struct {
		g             Grant
		revoke, grant string
		id            string
	}{
		{Grant{Database: "shop", Role: "public", ObjectType: "database"},
			`REVOKE ALL PRIVILEGES ON DATABASE "shop" FROM PUBLIC`, ``, "public_shop_database"},
		{Grant{Database: "shop", Role: "shop_migrator", ObjectType: "database", Privileges: []string{"CONNECT", "CREATE", "TEMPORARY"}},
			`REVOKE ALL PRIVILEGES ON DATABASE "shop" FROM "shop_migrator"`, `GRANT CONNECT,CREATE,TEMPORARY ON DATABASE "shop" TO "shop_migrator"`, "shop_migrator_shop_database"},
		{Grant{Database: "shop", Role: "shop_app", Schema: "app", ObjectType: "schema", Privileges: []string{"USAGE"}},
			`REVOKE ALL PRIVILEGES ON SCHEMA "app" FROM "shop_app"`, `GRANT USAGE ON SCHEMA "app" TO "shop_app"`, "shop_app_shop_app_schema"},
		{Grant{Database: "shop", Role: "shop_app", Schema: "app", ObjectType: "table", Privileges: []string{"SELECT", "INSERT"}, WithGrantOption: true},
			`REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA "app" FROM "shop_app"`, `GRANT SELECT,INSERT ON ALL TABLES IN SCHEMA "app" TO "shop_app" WITH GRANT OPTION`, "shop_app_shop_app_table"},
		{Grant{Database: "shop", Role: "shop_app", Schema: "app", ObjectType: "sequence", Privileges: []string{"USAGE"}},
			`REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA "app" FROM "shop_app"`, `GRANT USAGE ON ALL SEQUENCES IN SCHEMA "app" TO "shop_app"`, "shop_app_shop_app_sequence"},
	}
	for _, c := range cases {
		revoke, err := c.g.RevokeSQL()
		if err != nil || revoke != c.revoke {
			t.Errorf("revoke: got %s (%v), want %s", revoke, err, c.revoke)
		}
		grant, err := c.g.GrantSQL()
		if err != nil || grant != c.grant {
			t.Errorf("grant: got %s (%v), want %s", grant, err, c.grant)
		}
		if c.g.ID() != c.id {
			t.Errorf("id: got %s, want %s", c.g.ID(), c.id)
		}
	}
}

func TestPrivilegesAreCheckedNeverPasted(t *testing.T) {
	g := Grant{Database: "d", Role: "r", Schema: "s", ObjectType: "table", Privileges: []string{"SELECT; DROP TABLE x"}}
	if _, err := g.GrantSQL(); err == nil {
		t.Fatal("an unknown privilege reached a GRANT")
	}
	if err := CheckPrivileges("sequence", []string{"EXECUTE"}); err == nil {
		t.Fatal("EXECUTE on a sequence accepted")
	}
	if _, err := (Grant{ObjectType: "column"}).RevokeSQL(); err == nil {
		t.Fatal("column grants are not implemented and must say so")
	}
}

func TestDefaultPrivileges(t *testing.T) {
	d := DefaultPrivileges{Database: "shop", Owner: "shop_migrator", Role: "shop_app", Schema: "app", ObjectType: "table", Privileges: []string{"SELECT", "INSERT"}}
	grant, _ := d.GrantSQL()
	revoke, _ := d.RevokeSQL()
	if grant != `ALTER DEFAULT PRIVILEGES FOR ROLE "shop_migrator" IN SCHEMA "app" GRANT SELECT,INSERT ON TABLES TO "shop_app"` {
		t.Error(grant)
	}
	if revoke != `ALTER DEFAULT PRIVILEGES FOR ROLE "shop_migrator" IN SCHEMA "app" REVOKE ALL ON TABLES FROM "shop_app"` {
		t.Error(revoke)
	}
	if d.ID() != "shop_app_shop_app_shop_migrator_table" {
		t.Error(d.ID())
	}
	d.Schema = ""
	if d.ID() != "shop_app_shop_noschema_shop_migrator_table" {
		t.Error(d.ID())
	}
}

func TestMembership(t *testing.T) {
	if GrantMembership(`a"b`, "admin") != `GRANT "a""b" TO "admin"` || RevokeMembership("m", "admin") != `REVOKE "m" FROM "admin"` {
		t.Fatal("membership statements")
	}
	if got := DropRole("m", "admin"); got[0] != `REASSIGN OWNED BY "m" TO "admin"` || got[1] != `DROP OWNED BY "m"` {
		t.Fatal(got)
	}
}
