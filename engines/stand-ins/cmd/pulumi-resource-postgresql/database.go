package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"migrate-first/engines/stand-ins/internal/props"
	"migrate-first/engines/stand-ins/internal/sqlq"
)

// databaseKind is postgresql.Database. Upstream replaces on template, encoding,
// lcCollate and lcCtype; a new name renames, a new owner is ALTER ... OWNER TO.
// The owner defaults to the connecting (admin) role.
type databaseKind struct{}

func (databaseKind) fields() []props.Field {
	return []props.Field{
		{Name: "name"},
		{Name: "owner", Computed: true},
		{Name: "template", ForceNew: true, Computed: true},
		{Name: "encoding", ForceNew: true, Computed: true},
		{Name: "lcCollate", ForceNew: true, Computed: true},
		{Name: "lcCtype", ForceNew: true, Computed: true},
		{Name: "connectionLimit"},
		{Name: "allowConnections"},
	}
}

var databaseDefaults = map[string]resource.PropertyValue{
	"isTemplate": boolean(false), "alterObjectOwnership": boolean(false), "tablespaceName": null(),
}

func (databaseKind) check(r *props.Reader, in resource.PropertyMap) {
	r.Require("name")
	if name := r.String("name", ""); name != "" {
		if err := sqlq.CheckName("name", name); err != nil {
			r.Failures = append(r.Failures, props.Failure{Property: "name", Reason: err.Error()})
		}
	}
	if _, ok := r.Get("connectionLimit"); !ok {
		in["connectionLimit"] = num(-1)
	} else if r.Int("connectionLimit", -1) < -1 {
		r.Failures = append(r.Failures, props.Failure{Property: "connectionLimit", Reason: "connectionLimit must be at least -1"})
	}
	if _, ok := r.Get("allowConnections"); !ok {
		in["allowConnections"] = boolean(true)
	}
	if _, ok := r.Get("alterObjectOwnership"); !ok {
		in["alterObjectOwnership"] = boolean(false)
	}
	unsupported(r, databaseDefaults)
}

func (databaseKind) preview(in resource.PropertyMap) resource.PropertyMap {
	out := withDefaults(in.Copy(), databaseDefaults)
	if _, ok := out["template"]; !ok {
		out["template"] = str("template0")
	}
	return unknownUnlessSet(out, "owner", "encoding", "lcCollate", "lcCtype", "tablespaceName")
}

func databaseOf(m resource.PropertyMap) sqlq.Database {
	r := &props.Reader{M: m}
	return sqlq.Database{
		Name: r.String("name", ""), Owner: r.String("owner", ""), Template: r.String("template", ""),
		Encoding: r.String("encoding", ""), LcCollate: r.String("lcCollate", ""), LcCtype: r.String("lcCtype", ""),
		ConnectionLimit: r.Int("connectionLimit", -1), AllowConnections: r.Bool("allowConnections", true),
	}
}

// asOwner runs fn on a connection of the provider's database where the admin may
// act as owner: a superuser may; otherwise the admin is granted owner for the
// length of fn, as upstream does (CREATE/ALTER DATABASE cannot run in a
// transaction, so the grant is committed, and revoked after).
func (c *client) asOwner(ctx context.Context, owner string, fn func(conn *sql.Conn) error) error {
	pool, err := c.db(ctx, "")
	if err != nil {
		return err
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return c.wrap("could not open a connection", err)
	}
	defer conn.Close()
	admin, err := currentUser(ctx, conn)
	if err != nil {
		return c.wrap("could not read the current user", err)
	}
	if owner == "" || owner == admin {
		return fn(conn)
	}
	if super, err := isSuperuser(ctx, conn, admin); err != nil {
		return c.wrap("could not check if the current user is a superuser", err)
	} else if super {
		return fn(conn)
	}
	// One membership change of the admin at a time (the session-level form of lockAdmin).
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(oid::bigint) FROM pg_roles WHERE rolname = current_user"); err != nil {
		return c.wrap("could not lock the admin role", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(oid::bigint) FROM pg_roles WHERE rolname = current_user")
	granted, err := grantMembership(ctx, conn, owner, admin)
	if err != nil {
		return c.wrap("could not act as owner "+owner, err)
	}
	fnErr := fn(conn)
	if granted {
		if _, err := revokeMembership(context.WithoutCancel(ctx), conn, owner, admin); err != nil && fnErr == nil {
			fnErr = c.wrap("could not revoke the temporary membership", err)
		}
	}
	return fnErr
}

func (k databaseKind) create(ctx context.Context, c *client, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	d := databaseOf(in)
	err := c.asOwner(ctx, d.Owner, func(conn *sql.Conn) error {
		if d.Owner == "" {
			admin, err := currentUser(ctx, conn)
			if err != nil {
				return err
			}
			d.Owner = admin
		}
		if _, err := conn.ExecContext(ctx, sqlq.CreateDatabase(d)); err != nil {
			return c.wrap(fmt.Sprintf("error creating database %q", d.Name), err)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	out, found, err := k.read(ctx, c, d.Name, in)
	if err == nil && !found {
		err = fmt.Errorf("database %s was created but cannot be read back", d.Name)
	}
	return d.Name, out, err
}

func (databaseKind) read(ctx context.Context, c *client, id string, state resource.PropertyMap) (resource.PropertyMap, bool, error) {
	pool, err := c.db(ctx, "")
	if err != nil {
		return nil, false, err
	}
	var name, owner, encoding, collate, ctype, tablespace string
	var limit int
	var allow, isTemplate bool
	err = pool.QueryRowContext(ctx, `SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba), pg_catalog.pg_encoding_to_char(d.encoding),
		d.datcollate, d.datctype, ts.spcname, d.datconnlimit, d.datallowconn, d.datistemplate
		FROM pg_catalog.pg_database d JOIN pg_catalog.pg_tablespace ts ON d.dattablespace = ts.oid WHERE d.datname = $1`, id).
		Scan(&name, &owner, &encoding, &collate, &ctype, &tablespace, &limit, &allow, &isTemplate)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, c.wrap("error reading database "+id, err)
	}
	out := withDefaults(state.Copy(), databaseDefaults)
	out["name"], out["owner"], out["encoding"] = str(name), str(owner), str(encoding)
	out["lcCollate"], out["lcCtype"], out["tablespaceName"] = str(collate), str(ctype), str(tablespace)
	out["connectionLimit"], out["allowConnections"], out["isTemplate"] = num(limit), boolean(allow), boolean(isTemplate)
	if v, ok := out["template"]; !ok || v.IsNull() {
		out["template"] = str("template0") // upstream: the template is not on the server
	}
	return out, true, nil
}

func (k databaseKind) update(ctx context.Context, c *client, id string, olds, news resource.PropertyMap) (string, resource.PropertyMap, error) {
	before, after := databaseOf(olds), databaseOf(news)
	name := before.Name
	run := func(conn *sql.Conn, what, statement string) error {
		if _, err := conn.ExecContext(ctx, statement); err != nil {
			return c.wrap(what, err)
		}
		return nil
	}
	err := c.asOwner(ctx, after.Owner, func(conn *sql.Conn) error {
		if after.Name != before.Name {
			if err := run(conn, "error updating database name", sqlq.RenameDatabase(before.Name, after.Name)); err != nil {
				return err
			}
			name = after.Name
		}
		if after.Owner != "" && after.Owner != before.Owner {
			if err := run(conn, "error updating database owner", sqlq.SetDatabaseOwner(name, after.Owner)); err != nil {
				return err
			}
		}
		if after.ConnectionLimit != before.ConnectionLimit {
			if err := run(conn, "error updating database connection limit", sqlq.SetConnectionLimit(name, after.ConnectionLimit)); err != nil {
				return err
			}
		}
		if after.AllowConnections != before.AllowConnections {
			if err := run(conn, "error updating database allow_connections", sqlq.SetAllowConnections(name, after.AllowConnections)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	if name != before.Name {
		c.forget(before.Name)
	}
	out, found, err := k.read(ctx, c, name, news)
	if err == nil && !found {
		err = fmt.Errorf("database %s was updated but cannot be read back", name)
	}
	return name, out, err
}

// delete is upstream's: block new connections, end the open ones, DROP DATABASE WITH (FORCE).
func (databaseKind) delete(ctx context.Context, c *client, id string, state resource.PropertyMap) error {
	d := databaseOf(state)
	if d.Name == "" {
		d.Name = id
	}
	c.forget(d.Name)
	return c.asOwner(ctx, d.Owner, func(conn *sql.Conn) error {
		var exists bool
		if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", d.Name).Scan(&exists); err != nil {
			return c.wrap("error reading database "+d.Name, err)
		}
		if !exists {
			return nil
		}
		statements := sqlq.DropDatabase(d.Name)
		if _, err := conn.ExecContext(ctx, statements[0]); err != nil {
			return c.wrap("error blocking connections to database", err)
		}
		if _, err := conn.ExecContext(ctx, statements[1], d.Name); err != nil {
			return c.wrap("error terminating database connections", err)
		}
		if _, err := conn.ExecContext(ctx, statements[2]); err != nil {
			return c.wrap("error dropping database", err)
		}
		return nil
	})
}
