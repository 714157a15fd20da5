package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"migrate-first/engines/stand-ins/internal/props"
	"migrate-first/engines/stand-ins/internal/sqlq"
)

// roleKind is postgresql.Role: name, login, password and searchPaths. Upstream
// replaces nothing: a new name renames the role, the rest is ALTER ROLE.
type roleKind struct{}

func (roleKind) fields() []props.Field {
	return []props.Field{{Name: "name"}, {Name: "login"}, {Name: "password"}, {Name: "searchPaths"}}
}

// roleDefaults are the attributes the stand-in leaves at upstream's defaults:
// given with another value, Check refuses them.
var roleDefaults = map[string]resource.PropertyValue{
	"superuser": boolean(false), "createDatabase": boolean(false), "createRole": boolean(false),
	"inherit": boolean(true), "replication": boolean(false), "bypassRowLevelSecurity": boolean(false),
	"connectionLimit": num(-1), "encryptedPassword": boolean(true), "validUntil": str("infinity"),
	"skipDropRole": boolean(false), "skipReassignOwned": boolean(false),
	"statementTimeout": num(0), "idleInTransactionSessionTimeout": num(0),
	"roles": props.Strings(nil), "assumeRole": str(""),
	"encrypted": null(), "passwordWo": null(), "passwordWoVersion": null(),
}

func (roleKind) check(r *props.Reader, in resource.PropertyMap) {
	r.Require("name")
	if _, ok := r.Get("login"); !ok {
		in["login"] = boolean(false)
	}
	if name := r.String("name", ""); name != "" {
		if err := sqlq.CheckName("name", name); err != nil {
			r.Failures = append(r.Failures, props.Failure{Property: "name", Reason: err.Error()})
		}
	}
	if _, err := sqlq.SetSearchPath("x", r.Strings("searchPaths")); err != nil {
		r.Failures = append(r.Failures, props.Failure{Property: "searchPaths", Reason: err.Error()})
	}
	unsupported(r, roleDefaults)
	// The password is born secret (the SDK marks it; so does the stand-in).
	if v, ok := in["password"]; ok && !v.IsNull() {
		in["password"] = props.Secret(v)
	}
}

func roleOutputs(in resource.PropertyMap) resource.PropertyMap {
	out := withDefaults(in.Copy(), roleDefaults)
	if v, ok := out["password"]; ok {
		out["password"] = props.Secret(v)
	}
	return out
}

func (roleKind) preview(in resource.PropertyMap) resource.PropertyMap {
	return roleOutputs(in)
}

func roleOf(m resource.PropertyMap) sqlq.Role {
	r := &props.Reader{M: m}
	return sqlq.Role{Name: r.String("name", ""), Login: r.Bool("login", false), Password: r.String("password", ""), SearchPaths: r.Strings("searchPaths")}
}

func (k roleKind) create(ctx context.Context, c *client, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	role := roleOf(in)
	err := c.inTx(ctx, "", func(tx *sql.Tx) error {
		// The statement carries a SCRAM verifier, not the password (see sqlq.PasswordClause).
		if err := c.exec(ctx, tx, "error creating role "+role.Name, sqlq.CreateRole(role)); err != nil {
			return err
		}
		searchPath, err := sqlq.SetSearchPath(role.Name, role.SearchPaths)
		if err != nil {
			return err
		}
		return c.exec(ctx, tx, "could not set search_path for "+role.Name, searchPath)
	})
	if err != nil {
		return "", nil, err
	}
	out, found, err := k.read(ctx, c, role.Name, roleOutputs(in))
	if err == nil && !found {
		err = fmt.Errorf("role %s was created but cannot be read back", role.Name)
	}
	return role.Name, out, err
}

func (roleKind) read(ctx context.Context, c *client, id string, state resource.PropertyMap) (resource.PropertyMap, bool, error) {
	pool, err := c.db(ctx, "")
	if err != nil {
		return nil, false, err
	}
	var name string
	var login bool
	var config []string
	err = pool.QueryRowContext(ctx, "SELECT rolname, rolcanlogin, COALESCE(rolconfig, '{}') FROM pg_roles WHERE rolname = $1", id).
		Scan(&name, &login, pq.Array(&config))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, c.wrap("error reading role "+id, err)
	}
	out := roleOutputs(state)
	out["name"] = str(name)
	out["login"] = boolean(login)
	// Upstream reads search_path back from rolconfig: absent when none is set.
	if paths := sqlq.ReadSearchPath(config); paths != nil {
		out["searchPaths"] = props.Strings(paths)
	} else {
		delete(out, "searchPaths")
	}
	// A non-superuser cannot read passwords: the state's stays (as upstream with superuser false).
	return out, true, nil
}

func (k roleKind) update(ctx context.Context, c *client, id string, olds, news resource.PropertyMap) (string, resource.PropertyMap, error) {
	before, after := roleOf(olds), roleOf(news)
	err := c.inTx(ctx, "", func(tx *sql.Tx) error {
		name := before.Name
		if after.Name != before.Name {
			if err := c.exec(ctx, tx, "error updating role NAME", sqlq.RenameRole(before.Name, after.Name)); err != nil {
				return err
			}
			name = after.Name
		}
		if after.Login != before.Login {
			if err := c.exec(ctx, tx, "error updating role LOGIN", sqlq.SetLogin(name, after.Login)); err != nil {
				return err
			}
		}
		// As upstream: a rename clears an MD5 password, so the password is set again.
		if after.Password != before.Password || after.Name != before.Name {
			if after.Password != "" || before.Password != "" {
				if err := c.exec(ctx, tx, "error updating role password", sqlq.SetPassword(name, after.Password)); err != nil {
					return err
				}
			}
		}
		searchPath, err := sqlq.SetSearchPath(name, after.SearchPaths)
		if err != nil {
			return err
		}
		return c.exec(ctx, tx, "could not set search_path for "+name, searchPath)
	})
	if err != nil {
		return "", nil, err
	}
	out, found, err := k.read(ctx, c, after.Name, roleOutputs(news))
	if err == nil && !found {
		err = fmt.Errorf("role %s was updated but cannot be read back", after.Name)
	}
	return after.Name, out, err
}

// delete is upstream's: in the provider's database, what the role owns goes to
// the admin and its privileges are dropped (as the role's owner, through a
// temporary membership), then the role is dropped.
func (roleKind) delete(ctx context.Context, c *client, id string, state resource.PropertyMap) error {
	name := roleOf(state).Name
	if name == "" {
		name = id
	}
	return c.inTx(ctx, "", func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", name).Scan(&exists); err != nil {
			return c.wrap("error reading role "+name, err)
		}
		if !exists {
			return nil
		}
		admin, err := currentUser(ctx, tx)
		if err != nil {
			return c.wrap("could not read the current user", err)
		}
		if err := c.withRolesGranted(ctx, tx, []string{name}, func() error {
			return c.exec(ctx, tx, "could not reassign or drop what role "+name+" owns", sqlq.DropRole(name, admin)...)
		}); err != nil {
			return err
		}
		return c.exec(ctx, tx, "could not delete role "+name, sqlq.DropRoleItself(name))
	})
}
