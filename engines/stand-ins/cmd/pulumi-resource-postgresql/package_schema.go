package main

// packageSchema is a minimal valid package schema: the provider's settings and
// the resources the stand-in implements, with the inputs it reads.
const packageSchema = `{
  "name": "postgresql",
  "displayName": "postgresql (migrate-first stand-in)",
  "version": "` + Version + `",
  "meta": {"moduleFormat": "(.*)(?:/[^/]*)"},
  "description": "Stand-in for the postgresql provider: Role, Database, Schema, Grant and DefaultPrivileges.",
  "config": {
    "variables": {
      "host": {"type": "string"}, "port": {"type": "integer"}, "username": {"type": "string"},
      "password": {"type": "string", "secret": true}, "sslmode": {"type": "string"}, "database": {"type": "string"},
      "superuser": {"type": "boolean"}, "maxConnections": {"type": "integer"}, "connectTimeout": {"type": "integer"}
    }
  },
  "provider": {
    "inputProperties": {
      "host": {"type": "string"}, "port": {"type": "integer"}, "username": {"type": "string"},
      "password": {"type": "string", "secret": true}, "sslmode": {"type": "string"}, "database": {"type": "string"},
      "superuser": {"type": "boolean"}, "maxConnections": {"type": "integer"}, "connectTimeout": {"type": "integer"}
    }
  },
  "resources": {
    "postgresql:index/role:Role": {
      "inputProperties": {"name": {"type": "string"}, "login": {"type": "boolean"}, "password": {"type": "string", "secret": true},
        "searchPaths": {"type": "array", "items": {"type": "string"}}},
      "requiredInputs": ["name"],
      "properties": {"name": {"type": "string"}, "login": {"type": "boolean"}, "password": {"type": "string", "secret": true},
        "searchPaths": {"type": "array", "items": {"type": "string"}}},
      "required": ["name"]
    },
    "postgresql:index/database:Database": {
      "inputProperties": {"name": {"type": "string"}, "owner": {"type": "string"}, "template": {"type": "string"},
        "encoding": {"type": "string"}, "lcCollate": {"type": "string"}, "lcCtype": {"type": "string"},
        "connectionLimit": {"type": "integer"}, "allowConnections": {"type": "boolean"}},
      "properties": {"name": {"type": "string"}, "owner": {"type": "string"}, "template": {"type": "string"},
        "encoding": {"type": "string"}, "lcCollate": {"type": "string"}, "lcCtype": {"type": "string"},
        "connectionLimit": {"type": "integer"}, "allowConnections": {"type": "boolean"}},
      "required": ["name", "owner"]
    },
    "postgresql:index/schema:Schema": {
      "inputProperties": {"name": {"type": "string"}, "database": {"type": "string"}, "owner": {"type": "string"},
        "ifNotExists": {"type": "boolean"}, "dropCascade": {"type": "boolean"}},
      "properties": {"name": {"type": "string"}, "database": {"type": "string"}, "owner": {"type": "string"},
        "ifNotExists": {"type": "boolean"}, "dropCascade": {"type": "boolean"}},
      "required": ["name", "database", "owner"]
    },
    "postgresql:index/grant:Grant": {
      "inputProperties": {"database": {"type": "string"}, "role": {"type": "string"}, "schema": {"type": "string"},
        "objectType": {"type": "string"}, "privileges": {"type": "array", "items": {"type": "string"}},
        "withGrantOption": {"type": "boolean"}},
      "requiredInputs": ["database", "role", "objectType", "privileges"],
      "properties": {"database": {"type": "string"}, "role": {"type": "string"}, "schema": {"type": "string"},
        "objectType": {"type": "string"}, "privileges": {"type": "array", "items": {"type": "string"}},
        "withGrantOption": {"type": "boolean"}},
      "required": ["database", "role", "objectType", "privileges"]
    },
    "postgresql:index/defaultPrivileges:DefaultPrivileges": {
      "inputProperties": {"database": {"type": "string"}, "owner": {"type": "string"}, "role": {"type": "string"},
        "schema": {"type": "string"}, "objectType": {"type": "string"},
        "privileges": {"type": "array", "items": {"type": "string"}}, "withGrantOption": {"type": "boolean"}},
      "requiredInputs": ["database", "owner", "role", "objectType", "privileges"],
      "properties": {"database": {"type": "string"}, "owner": {"type": "string"}, "role": {"type": "string"},
        "schema": {"type": "string"}, "objectType": {"type": "string"},
        "privileges": {"type": "array", "items": {"type": "string"}}, "withGrantOption": {"type": "boolean"}},
      "required": ["database", "owner", "role", "objectType", "privileges"]
    }
  }
}`
