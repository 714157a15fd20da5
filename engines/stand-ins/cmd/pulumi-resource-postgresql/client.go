package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/lib/pq"

	"migrate-first/engines/stand-ins/internal/sqlq"
)

// client holds one connection pool per database, like upstream's registry: at
// most maxConnections open per pool, none kept idle (a database may be about to
// be dropped).
type client struct {
	cfg   config
	mu    sync.Mutex
	pools map[string]*sql.DB
}

func newClient(cfg config) *client {
	return &client{cfg: cfg, pools: map[string]*sql.DB{}}
}

// db is the pool for database ("" is the provider's database), checked with a ping.
func (c *client) db(ctx context.Context, database string) (*sql.DB, error) {
	if database == "" {
		database = c.cfg.Database
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if pool, ok := c.pools[database]; ok {
		return pool, nil
	}
	connector, err := pq.NewConnector(c.cfg.dsn(database))
	if err != nil {
		return nil, fmt.Errorf("error connecting to PostgreSQL server %s: %s", c.cfg.where(), c.cfg.redact(err.Error()))
	}
	pool := sql.OpenDB(connector)
	pool.SetMaxIdleConns(0)
	pool.SetMaxOpenConns(c.cfg.MaxConnections)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("error connecting to PostgreSQL server %s (database %s): %s", c.cfg.where(), database, c.cfg.redact(err.Error()))
	}
	c.pools[database] = pool
	return pool, nil
}

// forget closes database's pool (before the database is dropped).
func (c *client) forget(database string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if pool, ok := c.pools[database]; ok {
		pool.Close()
		delete(c.pools, database)
	}
}

func (c *client) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, pool := range c.pools {
		pool.Close()
		delete(c.pools, name)
	}
}

// inTx runs fn in one transaction on database, committed when fn succeeds.
func (c *client) inTx(ctx context.Context, database string, fn func(tx *sql.Tx) error) error {
	pool, err := c.db(ctx, database)
	if err != nil {
		return err
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return c.wrap("could not start a transaction", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return c.wrap("could not commit the transaction", err)
	}
	return nil
}

// wrap names what failed, with the password taken out of the driver's message.
func (c *client) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return errors.New(what + ": " + c.cfg.redact(err.Error()))
}

// exec runs statements in order, each failure naming its purpose.
func (c *client) exec(ctx context.Context, tx *sql.Tx, what string, statements ...string) error {
	for _, s := range statements {
		if s == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return c.wrap(what, err)
		}
	}
	return nil
}

// lockAdmin takes a transaction-scoped advisory lock on the connecting role, as
// upstream's pgLockRole does: every change to the admin's own memberships, from
// this process or another provider on the same server, goes one at a time.
func lockAdmin(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_roles WHERE rolname = current_user")
	return err
}

// lockDatabase takes a transaction-scoped advisory lock on the database, as
// upstream's pgLockDatabase: privilege changes in one database go one at a time
// (two GRANTs on the same catalog row at once fail with "tuple concurrently
// updated"). Taken before lockAdmin, never after it, so the two cannot deadlock.
func lockDatabase(ctx context.Context, tx *sql.Tx, database string) error {
	if _, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_database WHERE datname = $1", database)
	return err
}

func currentUser(ctx context.Context, q queryer) (string, error) {
	var user string
	err := q.QueryRowContext(ctx, "SELECT current_user").Scan(&user)
	return user, err
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func isSuperuser(ctx context.Context, q queryer, role string) (bool, error) {
	var super bool
	err := q.QueryRowContext(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = $1", role).Scan(&super)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return super, err
}

// isMember: member can act as role. Since Postgres 16 a membership has options:
// the CREATEROLE admin holds ADMIN OPTION on the roles it created, without SET
// or INHERIT, which is not enough to act as their owner; so a membership counts
// only with both (upstream checks set_option).
func isMember(ctx context.Context, q queryer, role, member string) (bool, error) {
	var hasOptions bool
	if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'pg_auth_members' AND column_name = 'set_option')").Scan(&hasOptions); err != nil {
		return false, err
	}
	query := "SELECT EXISTS (SELECT 1 FROM pg_auth_members WHERE pg_get_userbyid(roleid) = $1 AND pg_get_userbyid(member) = $2"
	if hasOptions {
		query += " AND set_option AND inherit_option"
	}
	var member_ bool
	err := q.QueryRowContext(ctx, query+")", role, member).Scan(&member_)
	return member_, err
}

// grantMembership grants role to member unless member can already act as it;
// granted says whether it did (so the caller revokes it afterwards).
func grantMembership(ctx context.Context, q queryer, role, member string) (granted bool, err error) {
	if role == member {
		return false, nil
	}
	ok, err := isMember(ctx, q, role, member)
	if err != nil || ok {
		return false, err
	}
	if _, err := q.ExecContext(ctx, sqlq.GrantMembership(role, member)); err != nil {
		return false, fmt.Errorf("error granting role %s to %s: %w", role, member, err)
	}
	return true, nil
}

// revokeMembership revokes the grant of role to member made by the connecting
// role (REVOKE removes only the grant whose grantor is the current role, so an
// ADMIN OPTION grant from the bootstrap superuser stays).
func revokeMembership(ctx context.Context, q queryer, role, member string) (revoked bool, err error) {
	if role == member {
		return false, nil
	}
	var exists bool
	if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_auth_members WHERE pg_get_userbyid(roleid) = $1 AND pg_get_userbyid(member) = $2 AND grantor = (SELECT oid FROM pg_roles WHERE rolname = current_user))", role, member).Scan(&exists); err != nil {
		return false, err
	}
	if !exists {
		return false, nil
	}
	if _, err := q.ExecContext(ctx, sqlq.RevokeMembership(role, member)); err != nil {
		return false, fmt.Errorf("error revoking role %s from %s: %w", role, member, err)
	}
	return true, nil
}

// withRolesGranted is upstream's helper for a non-superuser admin: for the length
// of fn (in tx), the admin is made a member of each role so it may act as their
// owner, then the temporary grants are revoked. A superuser needs none of it
// (asked of the server, as upstream does, whatever the superuser setting says).
// Upstream also revokes the admin from a role that is a member of the admin,
// for the length of fn; the stand-in does not (it makes no such memberships).
func (c *client) withRolesGranted(ctx context.Context, tx *sql.Tx, roles []string, fn func() error) error {
	if len(roles) == 0 {
		return fn()
	}
	admin, err := currentUser(ctx, tx)
	if err != nil {
		return c.wrap("could not read the current user", err)
	}
	if super, err := isSuperuser(ctx, tx, admin); err != nil {
		return c.wrap("could not check if the current user is a superuser", err)
	} else if super {
		return fn()
	}
	if err := lockAdmin(ctx, tx); err != nil {
		return c.wrap("could not lock the admin role", err)
	}
	var granted []string
	for _, role := range roles {
		if super, err := isSuperuser(ctx, tx, role); err != nil {
			return c.wrap("could not check role "+role, err)
		} else if super {
			continue // Postgres refuses to grant a superuser to a non-superuser.
		}
		ok, err := grantMembership(ctx, tx, role, admin)
		if err != nil {
			return c.wrap("could not act as owner", err)
		}
		if ok {
			granted = append(granted, role)
		}
	}
	if err := fn(); err != nil {
		return err
	}
	for _, role := range granted {
		var exists bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
			return c.wrap("could not check role "+role, err)
		}
		if !exists {
			continue // fn dropped it
		}
		if _, err := revokeMembership(ctx, tx, role, admin); err != nil {
			return c.wrap("could not revoke the temporary membership", err)
		}
	}
	return nil
}
