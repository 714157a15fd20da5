package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"migrate-first/engines/stand-ins/internal/props"
	"migrate-first/engines/stand-ins/internal/sqlq"
)

// schemaKind is postgresql.Schema, id "database.schema". Upstream replaces on a
// new database; a new name renames, a new owner is ALTER SCHEMA ... OWNER TO.
type schemaKind struct{}

func (schemaKind) fields() []props.Field {
	return []props.Field{
		{Name: "name"},
		{Name: "database", ForceNew: true, Computed: true},
		{Name: "owner", Computed: true},
		{Name: "ifNotExists"},
		{Name: "dropCascade"},
	}
}

var schemaDefaults = map[string]resource.PropertyValue{"policies": props.Strings(nil)}

func (schemaKind) check(r *props.Reader, in resource.PropertyMap) {
	r.Require("name")
	if name := r.String("name", ""); name != "" {
		if err := sqlq.CheckName("name", name); err != nil {
			r.Failures = append(r.Failures, props.Failure{Property: "name", Reason: err.Error()})
		}
	}
	if _, ok := r.Get("ifNotExists"); !ok {
		in["ifNotExists"] = boolean(true)
	}
	if _, ok := r.Get("dropCascade"); !ok {
		in["dropCascade"] = boolean(false)
	}
	unsupported(r, schemaDefaults)
}

func (schemaKind) preview(in resource.PropertyMap) resource.PropertyMap {
	return unknownUnlessSet(in.Copy(), "database", "owner")
}

type schemaArgs struct {
	name, database, owner string
	ifNotExists, cascade  bool
}

func schemaOf(c *client, m resource.PropertyMap) schemaArgs {
	r := &props.Reader{M: m}
	return schemaArgs{
		name: r.String("name", ""), database: r.String("database", c.cfg.Database), owner: r.String("owner", ""),
		ifNotExists: r.Bool("ifNotExists", true), cascade: r.Bool("dropCascade", false),
	}
}

func schemaID(database, name string) string { return database + "." + name }

func databaseOwner(ctx context.Context, tx *sql.Tx) (string, error) {
	var owner string
	err := tx.QueryRowContext(ctx, "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()").Scan(&owner)
	return owner, err
}

// create is upstream's: acting as the database's owner and the schema's owner,
// CREATE SCHEMA [IF NOT EXISTS] ... AUTHORIZATION owner, or, when the schema is
// already there, ALTER SCHEMA ... OWNER TO owner.
func (k schemaKind) create(ctx context.Context, c *client, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	s := schemaOf(c, in)
	err := c.inTx(ctx, s.database, func(tx *sql.Tx) error {
		dbOwner, err := databaseOwner(ctx, tx)
		if err != nil {
			return c.wrap("could not read the owner of database "+s.database, err)
		}
		roles := []string{dbOwner}
		if s.owner != "" && s.owner != dbOwner {
			roles = append(roles, s.owner)
		}
		return c.withRolesGranted(ctx, tx, roles, func() error {
			var exists bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", s.name).Scan(&exists); err != nil {
				return c.wrap("error looking for schema", err)
			}
			if exists && s.owner != "" {
				return c.exec(ctx, tx, "error updating schema OWNER", sqlq.SetSchemaOwner(s.name, s.owner))
			}
			if exists {
				return nil
			}
			return c.exec(ctx, tx, "error creating schema "+s.name, sqlq.CreateSchema(s.name, s.owner, s.ifNotExists))
		})
	})
	if err != nil {
		return "", nil, err
	}
	id := schemaID(s.database, s.name)
	out, found, err := k.read(ctx, c, id, in)
	if err == nil && !found {
		err = fmt.Errorf("schema %s was created but cannot be read back", id)
	}
	return id, out, err
}

func (schemaKind) read(ctx context.Context, c *client, id string, state resource.PropertyMap) (resource.PropertyMap, bool, error) {
	s := schemaOf(c, state)
	if s.name == "" { // an import: the id is database.schema
		database, name, ok := strings.Cut(id, ".")
		if !ok {
			return nil, false, fmt.Errorf("schema ID %s has not the expected format 'database.schema'", id)
		}
		s.database, s.name = database, name
	}
	if exists, err := databaseExists(ctx, c, s.database); err != nil || !exists {
		return nil, false, err
	}
	pool, err := c.db(ctx, s.database)
	if err != nil {
		return nil, false, err
	}
	var owner string
	err = pool.QueryRowContext(ctx, "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = $1", s.name).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, c.wrap("error reading schema "+s.name, err)
	}
	out := state.Copy()
	out["name"], out["database"], out["owner"] = str(s.name), str(s.database), str(owner)
	for key, def := range map[string]bool{"ifNotExists": true, "dropCascade": false} {
		if _, ok := out[resource.PropertyKey(key)]; !ok {
			out[resource.PropertyKey(key)] = boolean(def)
		}
	}
	return out, true, nil
}

func databaseExists(ctx context.Context, c *client, database string) (bool, error) {
	pool, err := c.db(ctx, "")
	if err != nil {
		return false, err
	}
	var exists bool
	if err := pool.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", database).Scan(&exists); err != nil {
		return false, c.wrap("error reading database "+database, err)
	}
	return exists, nil
}

func (k schemaKind) update(ctx context.Context, c *client, id string, olds, news resource.PropertyMap) (string, resource.PropertyMap, error) {
	before, after := schemaOf(c, olds), schemaOf(c, news)
	err := c.inTx(ctx, after.database, func(tx *sql.Tx) error {
		roles := []string{}
		for _, owner := range []string{before.owner, after.owner} {
			if owner != "" {
				roles = append(roles, owner)
			}
		}
		return c.withRolesGranted(ctx, tx, props.SortedUnique(roles), func() error {
			name := before.name
			if after.name != before.name {
				if err := c.exec(ctx, tx, "error updating schema NAME", sqlq.RenameSchema(before.name, after.name)); err != nil {
					return err
				}
				name = after.name
			}
			if after.owner != "" && after.owner != before.owner {
				return c.exec(ctx, tx, "error updating schema OWNER", sqlq.SetSchemaOwner(name, after.owner))
			}
			return nil
		})
	})
	if err != nil {
		return "", nil, err
	}
	newID := schemaID(after.database, after.name)
	out, found, err := k.read(ctx, c, newID, news)
	if err == nil && !found {
		err = fmt.Errorf("schema %s was updated but cannot be read back", newID)
	}
	return newID, out, err
}

// delete is upstream's: as the schema's owner, DROP SCHEMA ... RESTRICT (CASCADE
// with dropCascade), so a schema that still holds tables is refused by default.
func (schemaKind) delete(ctx context.Context, c *client, id string, state resource.PropertyMap) error {
	s := schemaOf(c, state)
	if exists, err := databaseExists(ctx, c, s.database); err != nil || !exists {
		return err
	}
	return c.inTx(ctx, s.database, func(tx *sql.Tx) error {
		var owner string
		err := tx.QueryRowContext(ctx, "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", s.name).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return c.wrap("error reading schema "+s.name, err)
		}
		return c.withRolesGranted(ctx, tx, []string{owner}, func() error {
			return c.exec(ctx, tx, "error deleting schema", sqlq.DropSchema(s.name, s.cascade))
		})
	})
}
