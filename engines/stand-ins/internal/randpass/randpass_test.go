package randpass

import (
	"strings"
	"testing"
)

func count(s, set string) int {
	n := 0
	for _, r := range s {
		if strings.ContainsRune(set, r) {
			n++
		}
	}
	return n
}

func TestLengthAndClasses(t *testing.T) {
	p := Params{Length: 32, Upper: true, Lower: true, Numeric: true}
	for i := 0; i < 200; i++ {
		s, err := Generate(p)
		if err != nil {
			t.Fatal(err)
		}
		if len([]rune(s)) != 32 {
			t.Fatalf("length %d", len(s))
		}
		if count(s, DefaultSpecial) != 0 {
			t.Fatalf("special character in %q with special false", s)
		}
	}
}

func TestMinimums(t *testing.T) {
	p := Params{Length: 12, Upper: true, Lower: true, Numeric: true, Special: true, MinUpper: 3, MinLower: 3, MinNumeric: 3, MinSpecial: 3, OverrideSpecial: "_-"}
	for i := 0; i < 200; i++ {
		s, err := Generate(p)
		if err != nil {
			t.Fatal(err)
		}
		if count(s, Upper) != 3 || count(s, Lower) != 3 || count(s, Numeric) != 3 || count(s, "_-") != 3 {
			t.Fatalf("minimums not met in %q", s)
		}
	}
}

func TestOverrideSpecialOnly(t *testing.T) {
	s, err := Generate(Params{Length: 50, Special: true, OverrideSpecial: "#"})
	if err != nil {
		t.Fatal(err)
	}
	if s != strings.Repeat("#", 50) {
		t.Fatalf("got %q", s)
	}
}

func TestDistinct(t *testing.T) {
	p := Params{Length: 32, Upper: true, Lower: true, Numeric: true}
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		s, _ := Generate(p)
		if seen[s] {
			t.Fatal("a 32-character password repeated")
		}
		seen[s] = true
	}
}

func TestValidation(t *testing.T) {
	bad := []Params{
		{Length: 0, Upper: true},
		{Length: 3, Upper: true, MinUpper: 2, MinLower: 2},
		{Length: 8},
		{Length: 8, Upper: true, MinSpecial: -1},
	}
	for _, p := range bad {
		if _, err := Generate(p); err == nil {
			t.Errorf("Generate(%+v) accepted", p)
		}
	}
}
