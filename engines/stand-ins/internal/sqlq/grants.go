package sqlq

import (
	"fmt"
	"slices"
	"strings"
)

// AllowedPrivileges per object type, as upstream validates them (PG 17+ adds
// MAINTAIN on tables). Only these words are ever written into a GRANT.
var AllowedPrivileges = map[string][]string{
	"database":  {"ALL", "CREATE", "CONNECT", "TEMPORARY"},
	"table":     {"ALL", "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"},
	"sequence":  {"ALL", "USAGE", "SELECT", "UPDATE"},
	"schema":    {"ALL", "CREATE", "USAGE"},
	"function":  {"ALL", "EXECUTE"},
	"procedure": {"ALL", "EXECUTE"},
	"routine":   {"ALL", "EXECUTE"},
	"type":      {"ALL", "USAGE"},
}

// GrantObjectTypes are the object types the stand-in's Grant takes (upstream also
// has foreign_data_wrapper, foreign_server and column).
var GrantObjectTypes = []string{"database", "schema", "table", "sequence", "function", "procedure", "routine"}

// DefaultPrivilegeObjectTypes are those of DefaultPrivileges, as upstream.
var DefaultPrivilegeObjectTypes = []string{"table", "sequence", "function", "routine", "type", "schema"}

// CheckPrivileges refuses a privilege the object type does not have.
func CheckPrivileges(objectType string, privileges []string) error {
	allowed, ok := AllowedPrivileges[objectType]
	if !ok {
		return fmt.Errorf("unknown object type %s", objectType)
	}
	for _, p := range privileges {
		if !slices.Contains(allowed, p) {
			return fmt.Errorf("%s is not an allowed privilege for object type %s", p, objectType)
		}
	}
	return nil
}

// Grant is the part of postgresql.Grant the stand-in applies: privileges on the
// database, on the schema, or on all objects of a type in the schema.
type Grant struct {
	Database        string
	Role            string
	Schema          string
	ObjectType      string
	Privileges      []string
	WithGrantOption bool
}

func (g Grant) target() (string, error) {
	switch g.ObjectType {
	case "database":
		return "DATABASE " + Ident(g.Database), nil
	case "schema":
		return "SCHEMA " + Ident(g.Schema), nil
	case "table", "sequence", "function", "procedure", "routine":
		return fmt.Sprintf("ALL %sS IN SCHEMA %s", strings.ToUpper(g.ObjectType), Ident(g.Schema)), nil
	}
	return "", fmt.Errorf("object type %q is not supported", g.ObjectType)
}

// RevokeSQL revokes everything the role holds on the target: upstream revokes
// before it grants, so privileges not listed are taken away.
func (g Grant) RevokeSQL() (string, error) {
	on, err := g.target()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("REVOKE ALL PRIVILEGES ON %s FROM %s", on, Grantee(g.Role)), nil
}

// GrantSQL grants the listed privileges; "" when the list is empty (revoke only).
func (g Grant) GrantSQL() (string, error) {
	on, err := g.target()
	if err != nil {
		return "", err
	}
	if err := CheckPrivileges(g.ObjectType, g.Privileges); err != nil {
		return "", err
	}
	if len(g.Privileges) == 0 {
		return "", nil
	}
	q := fmt.Sprintf("GRANT %s ON %s TO %s", strings.Join(g.Privileges, ","), on, Grantee(g.Role))
	if g.WithGrantOption {
		q += " WITH GRANT OPTION"
	}
	return q, nil
}

// ID is upstream's id: role_database[_schema]_objectType.
func (g Grant) ID() string {
	parts := []string{g.Role, g.Database}
	if g.ObjectType != "database" {
		parts = append(parts, g.Schema)
	}
	return strings.Join(append(parts, g.ObjectType), "_")
}

// RelKind is pg_class.relkind for a grant's object type (table, sequence).
func RelKind(objectType string) string {
	return map[string]string{"table": "r", "sequence": "S", "function": "f", "routine": "f", "type": "T", "schema": "n"}[objectType]
}

// DefaultPrivileges is ALTER DEFAULT PRIVILEGES FOR ROLE owner [IN SCHEMA s] ... TO role.
type DefaultPrivileges struct {
	Database        string
	Owner           string
	Role            string
	Schema          string // "" for every schema
	ObjectType      string
	Privileges      []string
	WithGrantOption bool
}

func (d DefaultPrivileges) prefix() string {
	q := "ALTER DEFAULT PRIVILEGES FOR ROLE " + Ident(d.Owner)
	if d.Schema != "" {
		q += " IN SCHEMA " + Ident(d.Schema)
	}
	return q
}

func (d DefaultPrivileges) objects() (string, error) {
	if !slices.Contains(DefaultPrivilegeObjectTypes, d.ObjectType) {
		return "", fmt.Errorf("object type %q is not supported", d.ObjectType)
	}
	return strings.ToUpper(d.ObjectType) + "S", nil
}

// RevokeSQL takes back every default privilege of role on the owner's future objects.
func (d DefaultPrivileges) RevokeSQL() (string, error) {
	objects, err := d.objects()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s REVOKE ALL ON %s FROM %s", d.prefix(), objects, Grantee(d.Role)), nil
}

// GrantSQL grants the listed ones; "" when the list is empty.
func (d DefaultPrivileges) GrantSQL() (string, error) {
	objects, err := d.objects()
	if err != nil {
		return "", err
	}
	if err := CheckPrivileges(d.ObjectType, d.Privileges); err != nil {
		return "", err
	}
	if len(d.Privileges) == 0 {
		return "", nil
	}
	q := fmt.Sprintf("%s GRANT %s ON %s TO %s", d.prefix(), strings.Join(d.Privileges, ","), objects, Grantee(d.Role))
	if d.WithGrantOption {
		q += " WITH GRANT OPTION"
	}
	return q, nil
}

// ID is upstream's id: role_database_schema_owner_objectType ("noschema" without one).
func (d DefaultPrivileges) ID() string {
	schema := d.Schema
	if schema == "" {
		schema = "noschema"
	}
	return strings.Join([]string{d.Role, d.Database, schema, d.Owner, d.ObjectType}, "_")
}
