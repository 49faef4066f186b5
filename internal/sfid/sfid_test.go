package sfid

import (
	"strings"
	"testing"
)

// Test vectors from ../shared/api/FACTS.md.
var vectors = []struct{ id15, id18 string }{
	{"001xx000003DHur", "001xx000003DHurAAG"},
	{"00DB00000003brX", "00DB00000003brXMAQ"},
	{"00DB0000000pqd1", "00DB0000000pqd1MAA"},
	{"00DV0025306tGV5", "00DV0025306tGV5MAM"},
}

func TestTo18(t *testing.T) {
	for _, v := range vectors {
		for _, in := range []string{v.id15, v.id18, strings.ToUpper(v.id18), strings.ToLower(v.id18)} {
			got, err := To18(in)
			if err != nil {
				t.Fatalf("To18(%q): %v", in, err)
			}
			if got != v.id18 {
				t.Errorf("To18(%q) = %q, want %q", in, got, v.id18)
			}
		}
	}
}

func TestTo15(t *testing.T) {
	for _, v := range vectors {
		for _, in := range []string{v.id15, v.id18, strings.ToLower(v.id18)} {
			got, err := To15(in)
			if err != nil {
				t.Fatalf("To15(%q): %v", in, err)
			}
			if got != v.id15 {
				t.Errorf("To15(%q) = %q, want %q", in, got, v.id15)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	cases := map[string]string{
		"":                    "has 15 or 18 characters",
		"abc":                 `"abc" has 3`,
		"00DB00000003brXM":    "has 16",
		"00DB00000003br-":     `'-' at position 15`,
		"00DB00000003brXMA!":  `'!' at position 18`,
		"00DB00000003brXMA9":  `suffix character '9'`,
		"00DB00000003BRXMAZ":  "marks character 11 ('0') as an uppercase letter",
		"00DB0000000pqd1MAA ": "has 19",
		// Mixed case whose suffix disagrees: mistyped, never "restored".
		"00DB00000003brXAAA": `suffix "AAA" does not match the letter case of its first 15 characters, which call for "MAQ"`,
		"001xx000003DHurAAA": `which call for "AAG"`,
		// Characters, not bytes: "é" is two bytes, "日" three.
		"00DB00000003bré":    `"00DB00000003bré" has 'é' at position 15`,
		"00DB00000003b日":     `"00DB00000003b日" has 14`,
		"00DB0000000日brXMAQ": `'日' at position 12`,
	}
	for in, want := range cases {
		_, err := To18(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("To18(%q) error = %v, want it to contain %q", in, err, want)
		}
		if _, err15 := To15(in); err15 == nil || err15.Error() != err.Error() {
			t.Errorf("To15(%q) error = %v, want the same as To18's", in, err15)
		}
	}
}

func TestCheckFormat(t *testing.T) {
	for _, ok := range []string{"00DB00000003brX", "00DB00000003brXMAQ", "zzzzzzzzzzzzzzz"} {
		if err := CheckFormat(ok); err != nil {
			t.Errorf("CheckFormat(%q) = %v, want nil", ok, err)
		}
	}
	// CheckFormat looks at form only: a wrong suffix is To18's to find.
	if err := CheckFormat("00DB00000003brXMA9"); err != nil {
		t.Errorf("CheckFormat with a bad suffix = %v, want nil", err)
	}
}

// FuzzTo18 checks the round trip: whatever To18 accepts, To15 and To18 agree
// with it, and the result is stable under a change of case.
func FuzzTo18(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.id15)
		f.Add(v.id18)
	}
	f.Add("abc")
	f.Add("00DB00000003brXMA9")
	f.Fuzz(func(t *testing.T, in string) {
		id18, err := To18(in)
		if err != nil {
			return
		}
		if len(id18) != Length18 {
			t.Fatalf("To18(%q) = %q: not 18 characters", in, id18)
		}
		if Suffix(id18[:Length15]) != id18[Length15:] {
			t.Fatalf("To18(%q) = %q: suffix does not match", in, id18)
		}
		for _, again := range []string{id18, strings.ToUpper(id18), strings.ToLower(id18), id18[:Length15]} {
			if got, err := To18(again); err != nil || got != id18 {
				t.Fatalf("To18(%q) = %q, %v; want %q", again, got, err, id18)
			}
		}
	})
}
