// Package randpass generates random strings the way the random provider's
// random_password/random_string do (terraform-provider-random internal/random):
// the minimum counts of each class first, the rest from every enabled class,
// then shuffled; every choice from crypto/rand.
package randpass

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"sort"
)

const (
	Numeric        = "0123456789"
	Lower          = "abcdefghijklmnopqrstuvwxyz"
	Upper          = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	DefaultSpecial = "!@#$%&*()-_=+[]{}<>:?"
)

// Params are the inputs of RandomPassword that shape the result.
type Params struct {
	Length          int
	Upper           bool
	MinUpper        int
	Lower           bool
	MinLower        int
	Numeric         bool
	MinNumeric      int
	Special         bool
	MinSpecial      int
	OverrideSpecial string
}

// Validate is upstream's plan-time validation.
func (p Params) Validate() error {
	if p.Length < 1 {
		return errors.New("length must be at least 1")
	}
	for _, n := range []int{p.MinUpper, p.MinLower, p.MinNumeric, p.MinSpecial} {
		if n < 0 {
			return errors.New("minimum counts must not be negative")
		}
	}
	if sum := p.MinUpper + p.MinLower + p.MinNumeric + p.MinSpecial; p.Length < sum {
		return fmt.Errorf("length (%d) must be at least the sum of minUpper, minLower, minNumeric and minSpecial (%d)", p.Length, sum)
	}
	if !p.Upper && !p.Lower && !p.Numeric && !p.Special {
		return errors.New("at least one of upper, lower, numeric and special must be true")
	}
	return nil
}

// Generate is a new random string for p.
func Generate(p Params) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	special := DefaultSpecial
	if p.OverrideSpecial != "" {
		special = p.OverrideSpecial
	}
	chars := ""
	if p.Upper {
		chars += Upper
	}
	if p.Lower {
		chars += Lower
	}
	if p.Numeric {
		chars += Numeric
	}
	if p.Special {
		chars += special
	}
	// As upstream: the minimums are drawn from their class whether or not the class is enabled.
	result := []rune{}
	for _, m := range []struct {
		set string
		n   int
	}{{Numeric, p.MinNumeric}, {Lower, p.MinLower}, {Upper, p.MinUpper}, {special, p.MinSpecial}} {
		drawn, err := draw(m.set, m.n)
		if err != nil {
			return "", err
		}
		result = append(result, drawn...)
	}
	rest, err := draw(chars, p.Length-len(result))
	if err != nil {
		return "", err
	}
	result = append(result, rest...)
	return string(shuffle(result)), nil
}

func draw(set string, n int) ([]rune, error) {
	runes := []rune(set)
	if n > 0 && len(runes) == 0 {
		return nil, errors.New("the character set specified is empty")
	}
	out := make([]rune, n)
	size := big.NewInt(int64(len(runes)))
	for i := range out {
		idx, err := rand.Int(rand.Reader, size)
		if err != nil {
			return nil, err
		}
		out[i] = runes[idx.Int64()]
	}
	return out, nil
}

// shuffle orders the runes by random 64-bit keys (upstream sorts by random bytes).
func shuffle(runes []rune) []rune {
	keys := make([]uint64, len(runes))
	for i := range keys {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
		keys[i] = n.Uint64()
	}
	idx := make([]int, len(runes))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	out := make([]rune, len(runes))
	for i, j := range idx {
		out[i] = runes[j]
	}
	return out
}
