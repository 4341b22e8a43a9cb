package hub

import (
	"strings"
	"testing"
)

func TestEnrolCodeShapeAndTyping(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := NewEnrolCode()
		if len(c) != 19 || strings.Count(c, "-") != 3 || strings.ContainsAny(c, "IO01") {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q twice", c)
		}
		seen[c] = true
		plain := strings.ReplaceAll(c, "-", "")
		for _, typed := range []string{c, strings.ToLower(c), plain, strings.ToLower(plain), " " + c[:9] + " " + c[10:] + " "} {
			if got, ok := NormalizeCode(typed); !ok || got != plain {
				t.Fatalf("%q typed as %q: %q %v", c, typed, got, ok)
			}
		}
	}
	for _, bad := range []string{"", "ABCD-EFGH-JKLM-NPQ", "ABCD-EFGH-JKLM-NPQRS", "ABCD-EFGH-JKLM-NPQ0", "ABCD-EFGH-JKLM-NPQ啊"} {
		if _, ok := NormalizeCode(bad); ok {
			t.Errorf("%q taken for a code", bad)
		}
	}
	if len(codeAlphabet) != 32 {
		t.Fatalf("alphabet of %d", len(codeAlphabet))
	}
}
