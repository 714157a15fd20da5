package sqlq

import (
	"fmt"
	"strings"
)

// Database is the part of postgresql.Database the stand-in creates.
type Database struct {
	Name             string
	Owner            string
	Template         string // "" is template0, as upstream
	Encoding         string // "" is UTF8, as upstream
	LcCollate        string // "" is the template's
	LcCtype          string
	ConnectionLimit  int
	AllowConnections bool
}

// CreateDatabase is CREATE DATABASE as upstream writes it.
func CreateDatabase(d Database) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE DATABASE %s OWNER %s", Ident(d.Name), Ident(d.Owner))
	switch {
	case d.Template == "":
		b.WriteString(" TEMPLATE template0")
	case strings.EqualFold(d.Template, "DEFAULT"):
		b.WriteString(" TEMPLATE DEFAULT")
	default:
		fmt.Fprintf(&b, " TEMPLATE %s", Ident(d.Template))
	}
	switch {
	case d.Encoding == "":
		b.WriteString(" ENCODING 'UTF8'")
	case strings.EqualFold(d.Encoding, "DEFAULT"):
		b.WriteString(" ENCODING DEFAULT")
	default:
		fmt.Fprintf(&b, " ENCODING %s", Literal(d.Encoding))
	}
	if d.LcCollate != "" {
		fmt.Fprintf(&b, " LC_COLLATE %s", Literal(d.LcCollate))
	}
	if d.LcCtype != "" {
		fmt.Fprintf(&b, " LC_CTYPE %s", Literal(d.LcCtype))
	}
	fmt.Fprintf(&b, " ALLOW_CONNECTIONS %t CONNECTION LIMIT %d IS_TEMPLATE false", d.AllowConnections, d.ConnectionLimit)
	return b.String()
}

// DropDatabase is upstream's delete: block and end connections, then drop with force.
func DropDatabase(name string) []string {
	return []string{
		fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS false", Ident(name)),
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
		fmt.Sprintf("DROP DATABASE %s WITH (FORCE)", Ident(name)),
	}
}

// RenameDatabase, SetDatabaseOwner, SetConnectionLimit, SetAllowConnections: in-place updates.
func RenameDatabase(from, to string) string {
	return fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", Ident(from), Ident(to))
}

func SetDatabaseOwner(name, owner string) string {
	return fmt.Sprintf("ALTER DATABASE %s OWNER TO %s", Ident(name), Ident(owner))
}

func SetConnectionLimit(name string, limit int) string {
	return fmt.Sprintf("ALTER DATABASE %s CONNECTION LIMIT %d", Ident(name), limit)
}

func SetAllowConnections(name string, allow bool) string {
	return fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS %t", Ident(name), allow)
}

// CreateSchema is CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION owner].
func CreateSchema(name, owner string, ifNotExists bool) string {
	var b strings.Builder
	b.WriteString("CREATE SCHEMA ")
	if ifNotExists {
		b.WriteString("IF NOT EXISTS ")
	}
	b.WriteString(Ident(name))
	if owner != "" {
		fmt.Fprintf(&b, " AUTHORIZATION %s", Ident(owner))
	}
	return b.String()
}

// DropSchema is DROP SCHEMA name RESTRICT, or CASCADE with dropCascade.
func DropSchema(name string, cascade bool) string {
	mode := "RESTRICT"
	if cascade {
		mode = "CASCADE"
	}
	return fmt.Sprintf("DROP SCHEMA %s %s", Ident(name), mode)
}

func RenameSchema(from, to string) string {
	return fmt.Sprintf("ALTER SCHEMA %s RENAME TO %s", Ident(from), Ident(to))
}

func SetSchemaOwner(name, owner string) string {
	return fmt.Sprintf("ALTER SCHEMA %s OWNER TO %s", Ident(name), Ident(owner))
}
