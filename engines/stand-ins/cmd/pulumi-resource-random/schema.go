package main

// schema is a minimal valid package schema: the one resource, its inputs and outputs.
const schema = `{
  "name": "random",
  "displayName": "random (migrate-first stand-in)",
  "version": "` + Version + `",
  "meta": {"moduleFormat": "(.*)(?:/[^/]*)"},
  "description": "Stand-in for the random provider: RandomPassword only.",
  "resources": {
    "random:index/randomPassword:RandomPassword": {
      "inputProperties": {
        "length": {"type": "integer"},
        "special": {"type": "boolean"}, "upper": {"type": "boolean"}, "lower": {"type": "boolean"},
        "numeric": {"type": "boolean"}, "number": {"type": "boolean", "deprecationMessage": "Use numeric"},
        "minUpper": {"type": "integer"}, "minLower": {"type": "integer"},
        "minNumeric": {"type": "integer"}, "minSpecial": {"type": "integer"},
        "overrideSpecial": {"type": "string"},
        "keepers": {"type": "object", "additionalProperties": {"type": "string"}}
      },
      "requiredInputs": ["length"],
      "properties": {
        "length": {"type": "integer"},
        "special": {"type": "boolean"}, "upper": {"type": "boolean"}, "lower": {"type": "boolean"},
        "numeric": {"type": "boolean"}, "number": {"type": "boolean"},
        "minUpper": {"type": "integer"}, "minLower": {"type": "integer"},
        "minNumeric": {"type": "integer"}, "minSpecial": {"type": "integer"},
        "overrideSpecial": {"type": "string"},
        "keepers": {"type": "object", "additionalProperties": {"type": "string"}},
        "result": {"type": "string", "secret": true},
        "bcryptHash": {"type": "string", "secret": true}
      },
      "required": ["length", "special", "upper", "lower", "numeric", "number", "minUpper", "minLower", "minNumeric", "minSpecial", "result", "bcryptHash"]
    }
  }
}`
