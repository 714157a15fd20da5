package sqlq

import (
	"fmt"
	"strings"
)

// Role is the part of postgresql.Role the stand-in creates.
type Role struct {
	Name        string
	Login       bool
	Password    string // "" for none
	SearchPaths []string
}

// CreateRole is CREATE ROLE with the attributes upstream always spells out.
func CreateRole(r Role) string {
	login := "NOLOGIN"
	if r.Login {
		login = "LOGIN"
	}
	opts := []string{}
	if r.Password != "" {
		opts = append(opts, PasswordClause(r.Password))
	}
	opts = append(opts, "VALID UNTIL 'infinity'", "CONNECTION LIMIT -1",
		"NOSUPERUSER", "NOCREATEDB", "NOCREATEROLE", "INHERIT", login, "NOBYPASSRLS", "NOREPLICATION")
	return fmt.Sprintf("CREATE ROLE %s WITH %s", Ident(r.Name), strings.Join(opts, " "))
}

// SetSearchPath is ALTER ROLE ... SET search_path; none resets it to the default.
// Like upstream, a part may not contain ", " (Postgres would read it back split).
func SetSearchPath(role string, paths []string) (string, error) {
	value := "DEFAULT"
	if len(paths) > 0 {
		for _, p := range paths {
			if strings.Contains(p, ", ") {
				return "", fmt.Errorf("search_path cannot contain `, `: %v", p)
			}
		}
		value = idents(paths)
	}
	return fmt.Sprintf("ALTER ROLE %s SET search_path TO %s", Ident(role), value), nil
}

// ReadSearchPath reads search_path back from pg_roles.rolconfig, as upstream does.
func ReadSearchPath(config []string) []string {
	for _, entry := range config {
		if value, ok := strings.CutPrefix(entry, "search_path="); ok {
			parts := strings.Split(value, ", ")
			for i := range parts {
				parts[i] = strings.Trim(parts[i], `"`)
			}
			return parts
		}
	}
	return nil
}

// SetLogin is ALTER ROLE ... LOGIN or NOLOGIN.
func SetLogin(role string, login bool) string {
	if login {
		return fmt.Sprintf("ALTER ROLE %s LOGIN", Ident(role))
	}
	return fmt.Sprintf("ALTER ROLE %s NOLOGIN", Ident(role))
}

// SetPassword is ALTER ROLE ... PASSWORD.
func SetPassword(role, password string) string {
	if password == "" {
		return fmt.Sprintf("ALTER ROLE %s PASSWORD NULL", Ident(role))
	}
	return fmt.Sprintf("ALTER ROLE %s %s", Ident(role), PasswordClause(password))
}

// RenameRole is ALTER ROLE ... RENAME TO.
func RenameRole(from, to string) string {
	return fmt.Sprintf("ALTER ROLE %s RENAME TO %s", Ident(from), Ident(to))
}

// DropRole is the sequence upstream runs to delete a role (without skipReassignOwned
// and skipDropRole): what it owns in the connected database goes to the admin,
// its privileges there and on shared objects are dropped, then the role.
func DropRole(role, admin string) []string {
	return []string{
		fmt.Sprintf("REASSIGN OWNED BY %s TO %s", Ident(role), Ident(admin)),
		fmt.Sprintf("DROP OWNED BY %s", Ident(role)),
	}
}

// DropRoleItself is DROP ROLE.
func DropRoleItself(role string) string {
	return fmt.Sprintf("DROP ROLE %s", Ident(role))
}

// GrantMembership and RevokeMembership: role to member, and back.
func GrantMembership(role, member string) string {
	return fmt.Sprintf("GRANT %s TO %s", Ident(role), Ident(member))
}

func RevokeMembership(role, member string) string {
	return fmt.Sprintf("REVOKE %s FROM %s", Ident(role), Ident(member))
}
