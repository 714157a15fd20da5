package props

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Field says how a change to one input is applied, as the upstream schema does.
type Field struct {
	Name string
	// ForceNew: a change replaces the resource (Terraform's ForceNew).
	ForceNew bool
	// Set: a list compared without order (Terraform's TypeSet).
	Set bool
	// Computed: optional and filled by the provider when not given, so a new
	// input that is absent is no change (Terraform's Optional+Computed).
	Computed bool
}

// DiffResult is the engine's view of a change.
type DiffResult struct {
	Changed  bool
	Replaces []string
	Diffs    []string
	Detailed map[string]*pulumirpc.PropertyDiff
}

// Diff compares the last state (olds: outputs) with the checked new inputs (news),
// field by field. A new value not known yet counts as a change.
func Diff(fields []Field, olds, news resource.PropertyMap) DiffResult {
	result := DiffResult{Detailed: map[string]*pulumirpc.PropertyDiff{}}
	for _, f := range fields {
		key := resource.PropertyKey(f.Name)
		oldV, hadOld := olds[key]
		newV, hasNew := news[key]
		// As Terraform reads them: null and an empty list are the same.
		hadOld = hadOld && !empty(oldV)
		hasNew = hasNew && !empty(newV)
		if !hasNew && f.Computed {
			continue
		}
		var kind pulumirpc.PropertyDiff_Kind
		switch {
		case !hadOld && !hasNew:
			continue
		case hasNew && Unknown(newV):
			kind = pulumirpc.PropertyDiff_UPDATE
		case !hadOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		case Equal(oldV, newV, f.Set):
			continue
		default:
			kind = pulumirpc.PropertyDiff_UPDATE
		}
		if f.ForceNew {
			kind += pulumirpc.PropertyDiff_ADD_REPLACE - pulumirpc.PropertyDiff_ADD
			result.Replaces = append(result.Replaces, f.Name)
		}
		result.Changed = true
		result.Diffs = append(result.Diffs, f.Name)
		result.Detailed[f.Name] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return result
}

// Response is the result as the engine's DiffResponse.
func (d DiffResult) Response() *pulumirpc.DiffResponse {
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if d.Changed {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{
		Changes:         changes,
		Replaces:        d.Replaces,
		Diffs:           d.Diffs,
		DetailedDiff:    d.Detailed,
		HasDetailedDiff: true,
	}
}

// Equal compares two values without their secret wrapping; asSet compares lists
// of strings without order or repeats.
func Equal(a, b resource.PropertyValue, asSet bool) bool {
	a, b = Plain(a), Plain(b)
	if asSet && a.IsArray() && b.IsArray() {
		return setOf(a).equal(setOf(b))
	}
	return a.DeepEquals(b)
}

type stringSet map[string]bool

func setOf(v resource.PropertyValue) stringSet {
	s := stringSet{}
	for _, item := range v.ArrayValue() {
		s[item.String()] = true
	}
	return s
}

func (s stringSet) equal(o stringSet) bool {
	if len(s) != len(o) {
		return false
	}
	for k := range s {
		if !o[k] {
			return false
		}
	}
	return true
}

// SortedUnique is items sorted, each once.
func SortedUnique(items []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, item := range items {
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	sort.Strings(out)
	return out
}

func empty(v resource.PropertyValue) bool {
	p := Plain(v)
	return p.IsNull() || (p.IsArray() && len(p.ArrayValue()) == 0)
}
