// Package sqlq builds the SQL the postgresql stand-in runs. Names always go
// through Ident and values through Literal (or a $n parameter where Postgres
// allows one); privilege and object-type keywords only from fixed lists.
package sqlq

import (
	"fmt"
	"strings"
)

// Ident quotes a SQL identifier: "name", with embedded quotes doubled.
func Ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Literal quotes a SQL string literal. A backslash makes it an E” literal with
// backslashes doubled, so it reads the same whatever standard_conforming_strings is.
func Literal(value string) string {
	quoted := "'" + strings.ReplaceAll(value, "'", "''") + "'"
	if strings.Contains(value, `\`) {
		return "E" + strings.ReplaceAll(quoted, `\`, `\\`)
	}
	return quoted
}

// CheckName refuses names Postgres cannot hold: empty, or with a NUL byte (which
// the wire protocol would cut short).
func CheckName(what, name string) error {
	if name == "" {
		return fmt.Errorf("%s must not be empty", what)
	}
	if strings.ContainsRune(name, 0) {
		return fmt.Errorf("%s must not contain a NUL byte", what)
	}
	return nil
}

// Grantee is a role as a GRANT/REVOKE target: "public" is the PUBLIC pseudo-role
// (upstream writes it quoted, which Postgres reads the same), anything else a
// quoted role name.
func Grantee(role string) string {
	if role == "public" {
		return "PUBLIC"
	}
	return Ident(role)
}

func idents(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = Ident(name)
	}
	return strings.Join(quoted, ", ")
}
