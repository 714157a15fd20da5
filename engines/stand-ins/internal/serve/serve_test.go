package serve

import "testing"

func TestEngineAddressSkipsFlags(t *testing.T) {
	cases := map[string][]string{
		"127.0.0.1:4000": {"-v=9", "--logtostderr", "--tracing", "http://x", "127.0.0.1:4000"},
		"":               {"--logflow"},
		"localhost:1":    {"localhost:1"},
	}
	for want, args := range cases {
		if got := EngineAddress(args); got != want {
			t.Errorf("EngineAddress(%v) = %q, want %q", args, got, want)
		}
	}
}
