package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/lib/pq"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"migrate-first/engines/stand-ins/internal/props"
	"migrate-first/engines/stand-ins/internal/sqlq"
)

// grantKind is postgresql.Grant on a database, a schema, or all objects of a type
// in a schema. Upstream replaces on every field but privileges; create and
// update both revoke everything first, then grant what is listed, so a
// privilege not listed is taken away (none listed: revoke all).
type grantKind struct{}

func (grantKind) fields() []props.Field {
	return []props.Field{
		{Name: "database", ForceNew: true}, {Name: "role", ForceNew: true}, {Name: "schema", ForceNew: true},
		{Name: "objectType", ForceNew: true}, {Name: "withGrantOption", ForceNew: true},
		{Name: "objects", ForceNew: true, Set: true}, {Name: "columns", ForceNew: true, Set: true},
		{Name: "privileges", Set: true},
	}
}

// grantDefaults: grants on named objects or columns are not implemented.
var grantDefaults = map[string]resource.PropertyValue{"objects": props.Strings(nil), "columns": props.Strings(nil)}

func (grantKind) check(r *props.Reader, in resource.PropertyMap) {
	r.Require("database", "role", "objectType")
	if _, ok := r.Get("privileges"); !ok && !r.Unknown("privileges") {
		r.Failures = append(r.Failures, props.Failure{Property: "privileges", Reason: "missing required property 'privileges'"})
	}
	if _, ok := r.Get("withGrantOption"); !ok {
		in["withGrantOption"] = boolean(false)
	}
	unsupported(r, grantDefaults)
	if r.Unknown("objectType") || r.Unknown("privileges") {
		return
	}
	objectType := r.String("objectType", "")
	if !slices.Contains(sqlq.GrantObjectTypes, objectType) {
		r.Failures = append(r.Failures, props.Failure{Property: "objectType",
			Reason: fmt.Sprintf("objectType must be one of %v in the migrate-first postgresql stand-in provider, got %q", sqlq.GrantObjectTypes, objectType)})
		return
	}
	if objectType != "database" {
		if _, ok := r.Get("schema"); !ok && !r.Unknown("schema") {
			r.Failures = append(r.Failures, props.Failure{Property: "schema", Reason: "parameter 'schema' is mandatory for postgresql_grant resource"})
		}
	}
	if err := sqlq.CheckPrivileges(objectType, r.Strings("privileges")); err != nil {
		r.Failures = append(r.Failures, props.Failure{Property: "privileges", Reason: err.Error()})
	}
}

func (grantKind) preview(in resource.PropertyMap) resource.PropertyMap {
	return in.Copy()
}

func grantOf(m resource.PropertyMap) sqlq.Grant {
	r := &props.Reader{M: m}
	g := sqlq.Grant{
		Database: r.String("database", ""), Role: r.String("role", ""), ObjectType: r.String("objectType", ""),
		Privileges: props.SortedUnique(r.Strings("privileges")), WithGrantOption: r.Bool("withGrantOption", false),
	}
	if g.ObjectType != "database" {
		g.Schema = r.String("schema", "")
	}
	return g
}

// ownersFor are the roles the admin acts as to change privileges on the target:
// upstream's getRolesToGrant, the owners of the schema's tables and the schema's.
func ownersFor(ctx context.Context, tx *sql.Tx, g sqlq.Grant) ([]string, error) {
	if g.ObjectType == "database" {
		return nil, nil
	}
	owners := []string{}
	if g.ObjectType != "schema" {
		rows, err := tx.QueryContext(ctx, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1", g.Schema)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var owner string
			if err := rows.Scan(&owner); err != nil {
				return nil, err
			}
			owners = append(owners, owner)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var schemaOwner string
	if err := tx.QueryRowContext(ctx, "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", g.Schema).Scan(&schemaOwner); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("schema %s does not exist in database %s", g.Schema, g.Database)
		}
		return nil, err
	}
	owners = append(owners, schemaOwner)
	// pg_database_owner (the owner of public since Postgres 15) is whoever owns the database.
	for i, owner := range owners {
		if owner == "pg_database_owner" {
			if err := tx.QueryRowContext(ctx, "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()").Scan(&owners[i]); err != nil {
				return nil, err
			}
		}
	}
	return props.SortedUnique(owners), nil
}

func (k grantKind) apply(ctx context.Context, c *client, g sqlq.Grant) error {
	revoke, err := g.RevokeSQL()
	if err != nil {
		return err
	}
	grant, err := g.GrantSQL()
	if err != nil {
		return err
	}
	return c.inTx(ctx, g.Database, func(tx *sql.Tx) error {
		if err := lockDatabase(ctx, tx, g.Database); err != nil {
			return c.wrap("could not lock database "+g.Database, err)
		}
		owners, err := ownersFor(ctx, tx, g)
		if err != nil {
			return c.wrap("could not find the owners of schema "+g.Schema, err)
		}
		return c.withRolesGranted(ctx, tx, owners, func() error {
			// One transaction: the role never lacks a privilege it keeps.
			if err := c.exec(ctx, tx, "could not execute revoke query", revoke); err != nil {
				return err
			}
			return c.exec(ctx, tx, "could not execute grant query", grant)
		})
	})
}

func (k grantKind) create(ctx context.Context, c *client, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	g := grantOf(in)
	if err := k.apply(ctx, c, g); err != nil {
		return "", nil, err
	}
	out, found, err := k.read(ctx, c, g.ID(), in)
	if err == nil && !found {
		err = fmt.Errorf("grant %s was applied but cannot be read back", g.ID())
	}
	return g.ID(), out, err
}

func (k grantKind) update(ctx context.Context, c *client, id string, olds, news resource.PropertyMap) (string, resource.PropertyMap, error) {
	g := grantOf(news)
	if err := k.apply(ctx, c, g); err != nil {
		return "", nil, err
	}
	out, found, err := k.read(ctx, c, g.ID(), news)
	if err == nil && !found {
		err = fmt.Errorf("grant %s was applied but cannot be read back", g.ID())
	}
	return g.ID(), out, err
}

func (k grantKind) delete(ctx context.Context, c *client, id string, state resource.PropertyMap) error {
	g := grantOf(state)
	if exists, err := grantTargetExists(ctx, c, g.Database, g.Role, g.Schema); err != nil || !exists {
		return err
	}
	g.Privileges = nil
	return k.apply(ctx, c, g)
}

// grantTargetExists is upstream's checkRoleDBSchemaExists: the database, the role
// (unless public) and the schema (when there is one) are all there.
func grantTargetExists(ctx context.Context, c *client, database, role, schema string) (bool, error) {
	if exists, err := databaseExists(ctx, c, database); err != nil || !exists {
		return false, err
	}
	pool, err := c.db(ctx, database)
	if err != nil {
		return false, err
	}
	if role != "public" {
		var exists bool
		if err := pool.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil || !exists {
			return false, c.wrap("error reading role "+role, err)
		}
	}
	if schema != "" {
		var exists bool
		if err := pool.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil || !exists {
			return false, c.wrap("error reading schema "+schema, err)
		}
	}
	return true, nil
}

// roleOID is 0 for public, as aclexplode reports PUBLIC.
func roleOID(ctx context.Context, pool *sql.DB, role string) (uint32, error) {
	if role == "public" {
		return 0, nil
	}
	var oid uint32
	err := pool.QueryRowContext(ctx, "SELECT oid FROM pg_roles WHERE rolname = $1", role).Scan(&oid)
	return oid, err
}

// read is upstream's: the privileges the role holds on the target; for all
// objects of a type, the first object whose privileges differ from the wanted
// ones gives its own (so a refresh shows the drift, and the next up fixes it).
func (grantKind) read(ctx context.Context, c *client, id string, state resource.PropertyMap) (resource.PropertyMap, bool, error) {
	g := grantOf(state)
	if exists, err := grantTargetExists(ctx, c, g.Database, g.Role, g.Schema); err != nil || !exists {
		return nil, false, err
	}
	pool, err := c.db(ctx, g.Database)
	if err != nil {
		return nil, false, err
	}
	oid, err := roleOID(ctx, pool, g.Role)
	if err != nil {
		return nil, false, c.wrap("could not find oid for role "+g.Role, err)
	}
	var held [][]string
	switch g.ObjectType {
	case "database":
		held, err = privilegeRows(ctx, pool, `SELECT COALESCE(array_agg(privilege_type), '{}') FROM (
			SELECT (aclexplode(datacl)).* FROM pg_database WHERE datname = $1) p WHERE grantee = $2`, g.Database, oid)
	case "schema":
		held, err = privilegeRows(ctx, pool, `SELECT COALESCE(array_agg(privilege_type), '{}') FROM (
			SELECT (aclexplode(nspacl)).* FROM pg_namespace WHERE nspname = $1) p WHERE grantee = $2`, g.Schema, oid)
	case "function", "procedure", "routine":
		held, err = privilegeRows(ctx, pool, `SELECT COALESCE(array_remove(array_agg(privilege_type), NULL), '{}')
			FROM pg_proc JOIN pg_namespace ON pg_namespace.oid = pg_proc.pronamespace
			LEFT JOIN (SELECT acls.* FROM (SELECT oid AS procoid, (aclexplode(proacl)).* FROM pg_proc) acls WHERE grantee = $2) privs
			ON privs.procoid = pg_proc.oid WHERE nspname = $1 GROUP BY pg_proc.oid`, g.Schema, oid)
	default:
		held, err = privilegeRows(ctx, pool, `SELECT COALESCE(array_remove(array_agg(privilege_type), NULL), '{}')
			FROM pg_class JOIN pg_namespace ON pg_namespace.oid = pg_class.relnamespace
			LEFT JOIN (SELECT acls.* FROM (SELECT oid AS reloid, (aclexplode(relacl)).* FROM pg_class) acls WHERE grantee = $2) privs
			ON privs.reloid = pg_class.oid WHERE nspname = $1 AND relkind = $3 GROUP BY pg_class.oid`, g.Schema, oid, sqlq.RelKind(g.ObjectType))
	}
	if err != nil {
		return nil, false, c.wrap("could not read privileges", err)
	}
	out := state.Copy()
	for _, privileges := range held {
		if !privilegesEqual(privileges, g.Privileges, g.ObjectType) {
			out["privileges"] = props.Strings(props.SortedUnique(privileges))
			break
		}
	}
	return out, true, nil
}

func privilegeRows(ctx context.Context, pool *sql.DB, query string, args ...any) ([][]string, error) {
	rows, err := pool.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var privileges []string
		if err := rows.Scan(pq.Array(&privileges)); err != nil {
			return nil, err
		}
		out = append(out, privileges)
	}
	return out, rows.Err()
}

// privilegesEqual compares held and wanted as sets; wanted ALL means every
// privilege of the object type (upstream's resourcePrivilegesEqual).
func privilegesEqual(held, wanted []string, objectType string) bool {
	held, wanted = props.SortedUnique(held), props.SortedUnique(wanted)
	if slices.Equal(held, wanted) {
		return true
	}
	if !slices.Contains(wanted, "ALL") {
		return false
	}
	all := []string{}
	for _, p := range sqlq.AllowedPrivileges[objectType] {
		if p != "ALL" && p != "MAINTAIN" {
			all = append(all, p)
		}
	}
	all = props.SortedUnique(all)
	if slices.Equal(held, all) {
		return true
	}
	// Postgres 17+ includes MAINTAIN in ALL on tables.
	return objectType == "table" && slices.Equal(held, props.SortedUnique(append(all, "MAINTAIN")))
}
