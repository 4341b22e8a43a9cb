package cmdline

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		bad  bool
	}{
		{"espeak-ng -v cmn", []string{"espeak-ng", "-v", "cmn"}, false},
		{"  lp   -d kiosk ", []string{"lp", "-d", "kiosk"}, false},
		{`say '{text}' "a b" c\ d`, []string{"say", "{text}", "a b", "c d"}, false},
		{`x "q\"uote" 'it''s' $HOME ;rm`, []string{"x", `q"uote`, "its", "$HOME", ";rm"}, false},
		{`x ""`, []string{"x", ""}, false},
		{`x 'open`, nil, true},
		{`x "open`, nil, true},
		{`x \`, nil, true},
		{"", nil, false},
	}
	for _, c := range cases {
		got, err := Split(c.in)
		if (err != nil) != c.bad || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, %v; want %q (error %v)", c.in, got, err, c.want, c.bad)
		}
	}
}
