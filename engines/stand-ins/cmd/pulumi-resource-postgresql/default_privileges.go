package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"migrate-first/engines/stand-ins/internal/props"
	"migrate-first/engines/stand-ins/internal/sqlq"
)

// defaultPrivilegesKind is postgresql.DefaultPrivileges: what owner creates
// later (in schema, or anywhere), role gets. Upstream replaces on every field
// but privileges; create and update revoke all, then grant what is listed.
type defaultPrivilegesKind struct{}

func (defaultPrivilegesKind) fields() []props.Field {
	return []props.Field{
		{Name: "database", ForceNew: true}, {Name: "owner", ForceNew: true}, {Name: "role", ForceNew: true},
		{Name: "schema", ForceNew: true}, {Name: "objectType", ForceNew: true}, {Name: "withGrantOption", ForceNew: true},
		{Name: "privileges", Set: true},
	}
}

func (defaultPrivilegesKind) check(r *props.Reader, in resource.PropertyMap) {
	r.Require("database", "owner", "role", "objectType")
	if _, ok := r.Get("privileges"); !ok && !r.Unknown("privileges") {
		r.Failures = append(r.Failures, props.Failure{Property: "privileges", Reason: "missing required property 'privileges'"})
	}
	if _, ok := r.Get("withGrantOption"); !ok {
		in["withGrantOption"] = boolean(false)
	}
	if r.Unknown("objectType") || r.Unknown("privileges") {
		return
	}
	d := defaultPrivilegesOf(in)
	if !slices.Contains(sqlq.DefaultPrivilegeObjectTypes, d.ObjectType) {
		r.Failures = append(r.Failures, props.Failure{Property: "objectType", Reason: fmt.Sprintf("objectType must be one of %v, got %q", sqlq.DefaultPrivilegeObjectTypes, d.ObjectType)})
		return
	}
	if d.Schema != "" && d.ObjectType == "schema" {
		r.Failures = append(r.Failures, props.Failure{Property: "schema", Reason: "cannot specify `schema` when `object_type` is `schema`"})
	}
	if d.WithGrantOption && d.Role == "public" {
		r.Failures = append(r.Failures, props.Failure{Property: "withGrantOption", Reason: "with_grant_option cannot be true for role 'public'"})
	}
	if err := sqlq.CheckPrivileges(d.ObjectType, d.Privileges); err != nil {
		r.Failures = append(r.Failures, props.Failure{Property: "privileges", Reason: err.Error()})
	}
}

func (defaultPrivilegesKind) preview(in resource.PropertyMap) resource.PropertyMap {
	return in.Copy()
}

func defaultPrivilegesOf(m resource.PropertyMap) sqlq.DefaultPrivileges {
	r := &props.Reader{M: m}
	return sqlq.DefaultPrivileges{
		Database: r.String("database", ""), Owner: r.String("owner", ""), Role: r.String("role", ""),
		Schema: r.String("schema", ""), ObjectType: r.String("objectType", ""),
		Privileges: props.SortedUnique(r.Strings("privileges")), WithGrantOption: r.Bool("withGrantOption", false),
	}
}

// apply runs, as the owner (ALTER DEFAULT PRIVILEGES FOR ROLE needs its
// privileges), the revoke then the grant, in one transaction.
func (defaultPrivilegesKind) apply(ctx context.Context, c *client, d sqlq.DefaultPrivileges) error {
	revoke, err := d.RevokeSQL()
	if err != nil {
		return err
	}
	grant, err := d.GrantSQL()
	if err != nil {
		return err
	}
	return c.inTx(ctx, d.Database, func(tx *sql.Tx) error {
		if err := lockDatabase(ctx, tx, d.Database); err != nil {
			return c.wrap("could not lock database "+d.Database, err)
		}
		return c.withRolesGranted(ctx, tx, []string{d.Owner}, func() error {
			if err := c.exec(ctx, tx, "could not revoke default privileges", revoke); err != nil {
				return err
			}
			return c.exec(ctx, tx, "could not alter default privileges", grant)
		})
	})
}

func (k defaultPrivilegesKind) create(ctx context.Context, c *client, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	d := defaultPrivilegesOf(in)
	if err := k.apply(ctx, c, d); err != nil {
		return "", nil, err
	}
	out, found, err := k.read(ctx, c, d.ID(), in)
	if err == nil && !found && len(d.Privileges) > 0 {
		err = fmt.Errorf("default privileges %s were applied but cannot be read back", d.ID())
	}
	if out == nil {
		out = in.Copy()
	}
	return d.ID(), out, err
}

func (k defaultPrivilegesKind) update(ctx context.Context, c *client, id string, olds, news resource.PropertyMap) (string, resource.PropertyMap, error) {
	return k.create(ctx, c, news)
}

func (k defaultPrivilegesKind) delete(ctx context.Context, c *client, id string, state resource.PropertyMap) error {
	d := defaultPrivilegesOf(state)
	if exists, err := grantTargetExists(ctx, c, d.Database, d.Role, d.Schema); err != nil || !exists {
		return err
	}
	d.Privileges = nil
	return k.apply(ctx, c, d)
}

// read is upstream's: the default privileges the owner gives role on the type in
// the schema (namespace 0 without one); none while some are wanted means gone.
func (defaultPrivilegesKind) read(ctx context.Context, c *client, id string, state resource.PropertyMap) (resource.PropertyMap, bool, error) {
	d := defaultPrivilegesOf(state)
	if exists, err := grantTargetExists(ctx, c, d.Database, d.Role, d.Schema); err != nil || !exists {
		return nil, false, err
	}
	pool, err := c.db(ctx, d.Database)
	if err != nil {
		return nil, false, err
	}
	oid, err := roleOID(ctx, pool, d.Role)
	if err != nil {
		return nil, false, c.wrap("could not find oid for role "+d.Role, err)
	}
	var held [][]string
	if d.Schema != "" {
		held, err = privilegeRows(ctx, pool, `SELECT COALESCE(array_agg(prtype), '{}') FROM (
			SELECT defaclnamespace, (aclexplode(defaclacl)).* FROM pg_default_acl WHERE defaclobjtype = $3
		) AS t (namespace, grantor_oid, grantee_oid, prtype, grantable)
		JOIN pg_namespace ON pg_namespace.oid = namespace
		WHERE grantee_oid = $1 AND nspname = $2 AND pg_get_userbyid(grantor_oid) = $4`, oid, d.Schema, sqlq.RelKind(d.ObjectType), d.Owner)
	} else {
		held, err = privilegeRows(ctx, pool, `SELECT COALESCE(array_agg(prtype), '{}') FROM (
			SELECT defaclnamespace, (aclexplode(defaclacl)).* FROM pg_default_acl WHERE defaclobjtype = $2
		) AS t (namespace, grantor_oid, grantee_oid, prtype, grantable)
		WHERE grantee_oid = $1 AND namespace = 0 AND pg_get_userbyid(grantor_oid) = $3`, oid, sqlq.RelKind(d.ObjectType), d.Owner)
	}
	if err != nil {
		return nil, false, c.wrap("could not read default privileges", err)
	}
	privileges := []string{}
	if len(held) > 0 {
		privileges = held[0]
	}
	if len(privileges) == 0 && len(d.Privileges) > 0 {
		return nil, false, nil
	}
	out := state.Copy()
	if !privilegesEqual(privileges, d.Privileges, d.ObjectType) {
		out["privileges"] = props.Strings(props.SortedUnique(privileges))
	}
	return out, true, nil
}
