package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"migrate-first/engines/stand-ins/internal/props"
)

// config is the provider configuration the stand-in reads (upstream's names).
type config struct {
	Host           string
	Port           int
	Username       string
	Password       string
	SSLMode        string
	Database       string // the database the provider connects to by default
	Superuser      bool
	MaxConnections int
	ConnectTimeout int // seconds
}

// configFields: a change updates the provider in place, as the bridge does
// (no provider setting replaces the resources it manages).
var configFields = []props.Field{
	{Name: "host"}, {Name: "port"}, {Name: "username"}, {Name: "password"}, {Name: "sslmode"}, {Name: "sslMode"},
	{Name: "database"}, {Name: "superuser"}, {Name: "maxConnections"}, {Name: "connectTimeout"},
}

// unsupportedConfig are settings the stand-in does not implement: set, they fail CheckConfig.
var unsupportedConfig = []string{"awsRdsIamAuth", "azureIdentityAuth", "clientcert", "gcpIamImpersonateServiceAccount",
	"databaseUsername", "scheme", "sslrootcert", "expectedVersion", "awsRdsIamProfile", "awsRdsIamRegion", "awsRdsIamProviderRoleArn", "azureTenantId"}

// readConfig reads the configuration with upstream's defaults (host localhost,
// port 5432, username postgres, database postgres, superuser true, 20 connections,
// connect timeout 180 s). The npm SDK sends numbers and booleans JSON-encoded.
func readConfig(m resource.PropertyMap) (config, []props.Failure) {
	r := &props.Reader{M: m}
	c := config{
		Host:           r.String("host", "localhost"),
		Port:           r.Int("port", 5432),
		Username:       r.String("username", "postgres"),
		Password:       r.String("password", ""),
		SSLMode:        r.String("sslmode", r.String("sslMode", "")),
		Database:       r.String("database", "postgres"),
		Superuser:      r.Bool("superuser", true),
		MaxConnections: r.Int("maxConnections", 20),
		ConnectTimeout: r.Int("connectTimeout", 180),
	}
	for _, key := range unsupportedConfig {
		if v, ok := r.Get(key); ok && !(v.IsString() && (v.StringValue() == "" || v.StringValue() == "null" || v.StringValue() == "false")) {
			r.Failures = append(r.Failures, props.Failure{Property: key, Reason: key + " is not supported by the migrate-first postgresql stand-in provider"})
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		r.Failures = append(r.Failures, props.Failure{Property: "port", Reason: "port must be between 1 and 65535"})
	}
	if c.MaxConnections < 1 {
		r.Failures = append(r.Failures, props.Failure{Property: "maxConnections", Reason: "maxConnections must be at least 1"})
	}
	if c.ConnectTimeout < 0 {
		r.Failures = append(r.Failures, props.Failure{Property: "connectTimeout", Reason: "connectTimeout must not be negative"})
	}
	switch c.SSLMode {
	case "", "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		r.Failures = append(r.Failures, props.Failure{Property: "sslmode", Reason: fmt.Sprintf("unknown sslmode %q", c.SSLMode)})
	}
	return c, r.Failures
}

// configFromVariables reads the older form of Configure: "postgresql:config:host" → value.
func configFromVariables(vars map[string]string) resource.PropertyMap {
	m := resource.PropertyMap{}
	for k, v := range vars {
		key := k
		if i := strings.LastIndex(k, ":"); i >= 0 {
			key = k[i+1:]
		}
		m[resource.PropertyKey(key)] = resource.NewStringProperty(v)
	}
	return m
}

// dsn is the libpq connection string for database (key='value', quoted), which
// holds the password: it never leaves the process.
func (c config) dsn(database string) string {
	parts := []string{
		"host=" + dsnValue(c.Host),
		"port=" + strconv.Itoa(c.Port),
		"user=" + dsnValue(c.Username),
		"dbname=" + dsnValue(database),
		"connect_timeout=" + strconv.Itoa(c.ConnectTimeout),
		"fallback_application_name=" + dsnValue("pulumi-resource-postgresql"),
	}
	if c.Password != "" {
		parts = append(parts, "password="+dsnValue(c.Password))
	}
	if c.SSLMode != "" {
		parts = append(parts, "sslmode="+dsnValue(c.SSLMode))
	}
	return strings.Join(parts, " ")
}

func dsnValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// where is "host:port", as errors name the server.
func (c config) where() string {
	return fmt.Sprintf("%s:%d", c.Host, c.Port)
}

// redact takes the password out of a message.
func (c config) redact(msg string) string {
	if c.Password == "" {
		return msg
	}
	return strings.ReplaceAll(msg, c.Password, "[secret]")
}
