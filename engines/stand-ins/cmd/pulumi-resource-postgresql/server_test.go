package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"migrate-first/engines/stand-ins/internal/props"
)

// TestAgainstAServer runs the access plan of a migrate-first environment through
// the resource kinds against a real Postgres, as a non-superuser admin with
// CREATEROLE and CREATEDB, then checks who may do what, then deletes it all.
// It needs STANDINS_PGHOST, STANDINS_PGPORT, STANDINS_PGUSER, STANDINS_PGPASSWORD.
func TestAgainstAServer(t *testing.T) {
	host := os.Getenv("STANDINS_PGHOST")
	if host == "" {
		t.Skip("set STANDINS_PGHOST, STANDINS_PGPORT, STANDINS_PGUSER, STANDINS_PGPASSWORD to run against a server")
	}
	port, _ := strconv.Atoi(os.Getenv("STANDINS_PGPORT"))
	cfg := config{Host: host, Port: port, Username: os.Getenv("STANDINS_PGUSER"), Password: os.Getenv("STANDINS_PGPASSWORD"),
		SSLMode: "disable", Database: "postgres", MaxConnections: 4, ConnectTimeout: 10}
	c := newClient(cfg)
	defer c.close()
	ctx := context.Background()
	suffix := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 10)
	db, schema, migrator, app := "it"+suffix, "app", "it"+suffix+"_migrator", "it"+suffix+"_app"
	passwords := map[string]string{migrator: "m-" + suffix + "'\"x", app: "a-" + suffix}

	type created struct {
		k     kind
		id    string
		state resource.PropertyMap
	}
	var all []created
	create := func(k kind, news resource.PropertyMap) {
		t.Helper()
		in := news.Copy()
		r := &props.Reader{M: in}
		k.check(r, in)
		if len(r.Failures) > 0 {
			t.Fatalf("check: %+v", r.Failures)
		}
		id, out, err := k.create(ctx, c, in)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, created{k, id, out})
	}
	defer func() {
		for i := len(all) - 1; i >= 0; i-- {
			if err := all[i].k.delete(ctx, c, all[i].id, all[i].state); err != nil {
				t.Errorf("delete %s: %v", all[i].id, err)
			}
		}
		pool, _ := c.db(ctx, "")
		var left int
		_ = pool.QueryRow("SELECT count(*) FROM pg_roles WHERE rolname LIKE $1", "it"+suffix+"%").Scan(&left)
		var dbs int
		_ = pool.QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", db).Scan(&dbs)
		var memberships int
		_ = pool.QueryRow("SELECT count(*) FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND set_option").Scan(&memberships)
		if left != 0 || dbs != 0 || memberships != 0 {
			t.Errorf("left behind: %d roles, %d databases, %d temporary memberships", left, dbs, memberships)
		}
	}()

	for _, role := range []string{migrator, app} {
		create(roleKind{}, resource.PropertyMap{"name": str(role), "login": boolean(true),
			"password": resource.MakeSecret(str(passwords[role])), "searchPaths": props.Strings([]string{schema, "public"})})
	}
	create(databaseKind{}, resource.PropertyMap{"name": str(db)})
	create(schemaKind{}, resource.PropertyMap{"name": str(schema), "database": str(db), "owner": str(migrator)})
	grant := func(role, objectType string, privileges ...string) {
		m := resource.PropertyMap{"database": str(db), "role": str(role), "objectType": str(objectType), "privileges": props.Strings(privileges)}
		if objectType != "database" {
			m["schema"] = str(schema)
		}
		create(grantKind{}, m)
	}
	grant("public", "database")
	grant(migrator, "database", "CONNECT", "CREATE", "TEMPORARY")
	grant(app, "database", "CONNECT")
	grant(app, "schema", "USAGE")
	grant(app, "table", "SELECT", "INSERT", "UPDATE", "DELETE")
	grant(app, "sequence", "USAGE", "SELECT", "UPDATE")
	for _, objectType := range []string{"table", "sequence"} {
		privileges := []string{"SELECT", "INSERT", "UPDATE", "DELETE"}
		if objectType == "sequence" {
			privileges = []string{"USAGE", "SELECT", "UPDATE"}
		}
		create(defaultPrivilegesKind{}, resource.PropertyMap{"database": str(db), "schema": str(schema), "owner": str(migrator),
			"role": str(app), "objectType": str(objectType), "privileges": props.Strings(privileges)})
	}

	as := func(role, database, statement string) error {
		dsn := fmt.Sprintf("host=%s port=%d user=%s password=%s dbname=%s sslmode=disable", dsnValue(host), port, dsnValue(role), dsnValue(passwords[role]), dsnValue(database))
		conn, err := pq.NewConnector(dsn)
		if err != nil {
			return err
		}
		pool := sql.OpenDB(conn)
		defer pool.Close()
		_, err = pool.Exec(statement)
		return err
	}
	must := func(role, database, statement string) {
		t.Helper()
		if err := as(role, database, statement); err != nil {
			t.Fatalf("%s: %s: %v", role, statement, err)
		}
	}
	refused := func(role, database, statement, why string) {
		t.Helper()
		if err := as(role, database, statement); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: %s: want %q, got %v", role, statement, why, err)
		}
	}
	must(migrator, db, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text); INSERT INTO orders (note) VALUES ('m')")
	must(app, db, "INSERT INTO orders (note) VALUES ('a'); UPDATE orders SET note = 'b' WHERE note = 'a'; DELETE FROM orders WHERE note = 'b'; SELECT note FROM orders")
	refused(app, db, "CREATE TABLE app.sneaky (id int)", "permission denied for schema app")
	refused(app, db, "DROP TABLE orders", "must be owner of table orders")
	refused(app, db, "CREATE SCHEMA sneaky", "permission denied for database")
	refused(migrator, db, "CREATE ROLE intruder", "permission denied to create role")
	refused(migrator, "postgres", "DROP DATABASE "+db, "must be owner of database")

	// A refresh reads every resource back as it was created.
	for _, r := range all {
		out, found, err := r.k.read(ctx, c, r.id, r.state)
		if err != nil || !found {
			t.Fatalf("read %s: found %v, %v", r.id, found, err)
		}
		if d := props.Diff(r.k.fields(), out, r.state); d.Changed {
			t.Errorf("read %s differs from the state: %v", r.id, d.Diffs)
		}
	}
	// The migrator's table stands in the way of DROP SCHEMA ... RESTRICT, as upstream; it goes first.
	must(migrator, db, "DROP TABLE orders")
}
