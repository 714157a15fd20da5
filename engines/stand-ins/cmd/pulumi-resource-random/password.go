package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"

	"migrate-first/engines/stand-ins/internal/props"
	"migrate-first/engines/stand-ins/internal/randpass"
)

const passwordType = "random:index/randomPassword:RandomPassword"

// passwordFields: upstream marks every input RequiresReplace, so any change
// replaces the password (a new result).
var passwordFields = func() []props.Field {
	fields := []props.Field{}
	for _, name := range []string{"length", "special", "upper", "lower", "numeric", "number",
		"minUpper", "minLower", "minNumeric", "minSpecial", "overrideSpecial", "keepers"} {
		fields = append(fields, props.Field{Name: name, ForceNew: true})
	}
	return fields
}()

// checkPassword fills upstream's defaults and validates, keeping the inputs as
// given (a secret keeper stays secret).
func checkPassword(news resource.PropertyMap) (resource.PropertyMap, []props.Failure) {
	in := news.Copy()
	r := &props.Reader{M: in}
	r.Require("length")
	for _, key := range []string{"special", "upper", "lower"} {
		if _, ok := r.Get(key); !ok {
			in[resource.PropertyKey(key)] = resource.NewBoolProperty(true)
		}
	}
	for _, key := range []string{"minUpper", "minLower", "minNumeric", "minSpecial"} {
		if _, ok := r.Get(key); !ok {
			in[resource.PropertyKey(key)] = resource.NewNumberProperty(0)
		}
	}
	// number is the deprecated spelling of numeric: the two follow each other.
	number, hasNumber := r.Get("number")
	numeric, hasNumeric := r.Get("numeric")
	switch {
	case hasNumber && hasNumeric && !props.Equal(number, numeric, false) && !r.Unknown("number") && !r.Unknown("numeric"):
		r.Failures = append(r.Failures, props.Failure{Property: "numeric", Reason: "numeric and its deprecated alias number must agree"})
	case hasNumeric:
		in["number"] = in["numeric"]
	case hasNumber:
		in["numeric"] = in["number"]
	default:
		in["numeric"] = resource.NewBoolProperty(true)
		in["number"] = resource.NewBoolProperty(true)
	}
	// "" and no overrideSpecial are the same (upstream does not replace between them).
	if v, ok := r.Get("overrideSpecial"); ok && v.IsString() && v.StringValue() == "" {
		delete(in, "overrideSpecial")
	}
	if !in.ContainsUnknowns() {
		if err := passwordParams(r).Validate(); err != nil {
			r.Failures = append(r.Failures, props.Failure{Property: "length", Reason: err.Error()})
		}
	}
	return in, r.Failures
}

func passwordParams(r *props.Reader) randpass.Params {
	return randpass.Params{
		Length:          r.Int("length", 0),
		Upper:           r.Bool("upper", true),
		MinUpper:        r.Int("minUpper", 0),
		Lower:           r.Bool("lower", true),
		MinLower:        r.Int("minLower", 0),
		Numeric:         r.Bool("numeric", true),
		MinNumeric:      r.Int("minNumeric", 0),
		Special:         r.Bool("special", true),
		MinSpecial:      r.Int("minSpecial", 0),
		OverrideSpecial: r.String("overrideSpecial", ""),
	}
}

// createPassword is the outputs: the inputs, a new result and its bcrypt hash,
// both secret; in a preview both are unknown.
func createPassword(in resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	out := in.Copy()
	if preview || in.ContainsUnknowns() {
		out["result"] = props.UnknownValue()
		out["bcryptHash"] = props.UnknownValue()
		return out, nil
	}
	r := &props.Reader{M: in}
	result, err := randpass.Generate(passwordParams(r))
	if err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(result), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	out["result"] = resource.MakeSecret(resource.NewStringProperty(result))
	out["bcryptHash"] = resource.MakeSecret(resource.NewStringProperty(string(hash)))
	return out, nil
}
