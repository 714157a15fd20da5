package props

import (
	"fmt"
	"math"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Reader reads typed fields out of a property map, collecting what is wrong, so
// Check can report every bad field at once. Values may arrive as JSON-encoded
// strings (the npm SDK JSON.stringifies non-string provider config), and are
// read either way.
type Reader struct {
	M        resource.PropertyMap
	Failures []Failure
}

// Failure is one field that is wrong, and why.
type Failure struct {
	Property string
	Reason   string
}

func (r *Reader) fail(key, format string, args ...any) {
	r.Failures = append(r.Failures, Failure{Property: key, Reason: fmt.Sprintf(format, args...)})
}

// Get is the plain value of key; ok is false when absent or null.
func (r *Reader) Get(key string) (resource.PropertyValue, bool) {
	v, ok := r.M[resource.PropertyKey(key)]
	if !ok || v.IsNull() {
		return resource.PropertyValue{}, false
	}
	v = Plain(v)
	if v.IsNull() {
		return v, false
	}
	return v, true
}

// Unknown is true when key is present but not known yet.
func (r *Reader) Unknown(key string) bool {
	v, ok := r.M[resource.PropertyKey(key)]
	return ok && Unknown(v)
}

// String is key's value, or def when absent.
func (r *Reader) String(key, def string) string {
	v, ok := r.Get(key)
	switch {
	case !ok || v.IsComputed():
		return def
	case v.IsString():
		return v.StringValue()
	case v.IsNumber():
		return strconv.FormatFloat(v.NumberValue(), 'f', -1, 64)
	case v.IsBool():
		return strconv.FormatBool(v.BoolValue())
	}
	r.fail(key, "%s must be a string", key)
	return def
}

// Bool is key's value, or def when absent.
func (r *Reader) Bool(key string, def bool) bool {
	v, ok := r.Get(key)
	switch {
	case !ok || v.IsComputed():
		return def
	case v.IsBool():
		return v.BoolValue()
	case v.IsString():
		if v.StringValue() == "" {
			return def
		}
		b, err := strconv.ParseBool(v.StringValue())
		if err == nil {
			return b
		}
	}
	r.fail(key, "%s must be a boolean", key)
	return def
}

// Int is key's value, or def when absent.
func (r *Reader) Int(key string, def int) int {
	v, ok := r.Get(key)
	switch {
	case !ok || v.IsComputed():
		return def
	case v.IsNumber():
		n := v.NumberValue()
		if n == math.Trunc(n) && math.Abs(n) < 1<<31 {
			return int(n)
		}
	case v.IsString():
		if v.StringValue() == "" {
			return def
		}
		n, err := strconv.Atoi(v.StringValue())
		if err == nil {
			return n
		}
	}
	r.fail(key, "%s must be an integer", key)
	return def
}

// Strings is key's list of strings, or nil when absent.
func (r *Reader) Strings(key string) []string {
	v, ok := r.Get(key)
	if !ok || v.IsComputed() {
		return nil
	}
	if !v.IsArray() {
		r.fail(key, "%s must be a list of strings", key)
		return nil
	}
	out := make([]string, 0, len(v.ArrayValue()))
	for _, item := range v.ArrayValue() {
		if !item.IsString() {
			r.fail(key, "%s must be a list of strings", key)
			return nil
		}
		out = append(out, item.StringValue())
	}
	return out
}

// Require records a failure when key is absent (unknown counts as present).
func (r *Reader) Require(keys ...string) {
	for _, key := range keys {
		v, ok := r.M[resource.PropertyKey(key)]
		if !ok || v.IsNull() || (!Unknown(v) && Plain(v).IsString() && Plain(v).StringValue() == "") {
			r.fail(key, "missing required property '%s'", key)
		}
	}
}
