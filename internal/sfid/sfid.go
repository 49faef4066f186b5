// Package sfid validates and converts Salesforce record ids between their
// 15-character case-sensitive form and their 18-character case-safe form.
package sfid

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// Length15 is the length of a case-sensitive Salesforce id.
	Length15 = 15
	// Length18 is the length of a case-safe Salesforce id.
	Length18 = 18

	suffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
)

// CheckFormat reports whether id has 15 or 18 characters, all ASCII letters
// or digits. It does not check the suffix of an 18-character id.
// Lengths and positions count characters, not bytes.
func CheckFormat(id string) error {
	if n := utf8.RuneCountInString(id); n != Length15 && n != Length18 {
		return fmt.Errorf("a Salesforce id has 15 or 18 characters, %q has %d", id, n)
	}
	position := 0
	for _, r := range id {
		position++
		if r > unicode.MaxASCII || !isAlphanumeric(byte(r)) {
			return fmt.Errorf("a Salesforce id has only letters A-Z, a-z and digits 0-9, %q has %q at position %d", id, r, position)
		}
	}
	return nil
}

// To18 returns the 18-character case-safe form of id. A 15-character id gets
// its suffix appended. An 18-character id has its suffix checked, and the
// letter case of its first 15 characters restored from the suffix, so an id
// that was upper- or lower-cased comes back as Salesforce issued it.
func To18(id string) (string, error) {
	if err := CheckFormat(id); err != nil {
		return "", err
	}
	if len(id) == Length15 {
		return id + Suffix(id), nil
	}
	return restoreCase(id)
}

// To15 returns the 15-character case-sensitive form of id. An 18-character id
// is checked and its case restored (see To18) before the suffix is dropped.
func To15(id string) (string, error) {
	full, err := To18(id)
	if err != nil {
		return "", err
	}
	return full[:Length15], nil
}

// Suffix computes the 3-character case-safe suffix of a 15-character id: one
// character per chunk of 5, whose bit i is set when character i of the chunk
// is an uppercase letter. The caller passes exactly 15 characters.
func Suffix(id15 string) string {
	var suffix [3]byte
	for chunk := range 3 {
		bits := 0
		for i := range 5 {
			if c := id15[chunk*5+i]; c >= 'A' && c <= 'Z' {
				bits |= 1 << i
			}
		}
		suffix[chunk] = suffixAlphabet[bits]
	}
	return string(suffix[:])
}

// restoreCase checks an 18-character id's suffix against its first 15
// characters. When they match, the id is returned as it is. When the first 15
// letters are all upper or all lower case (the id was upper- or lower-cased
// as a whole), their case is restored from the suffix, which is itself
// case-insensitive. Anything else is an error: the suffix and the letters
// disagree, so the id was mistyped.
func restoreCase(id18 string) (string, error) {
	id15, suffix := id18[:Length15], strings.ToUpper(id18[Length15:])
	for i := range suffix {
		if strings.IndexByte(suffixAlphabet, suffix[i]) < 0 {
			return "", fmt.Errorf("%q is not a valid 18-character Salesforce id: suffix character %q is not one of A-Z or 0-5", id18, id18[Length15+i])
		}
	}
	if Suffix(id15) == suffix {
		return id15 + suffix, nil
	}
	if id15 != strings.ToUpper(id15) && id15 != strings.ToLower(id15) {
		return "", fmt.Errorf("%q is not a valid 18-character Salesforce id: its suffix %q does not match the letter case of its first 15 characters, which call for %q", id18, id18[Length15:], Suffix(id15))
	}
	restored := []byte(id15)
	for chunk := range 3 {
		bits := strings.IndexByte(suffixAlphabet, suffix[chunk])
		for i := range 5 {
			pos := chunk*5 + i
			upper := bits&(1<<i) != 0
			c := restored[pos]
			switch {
			case c >= '0' && c <= '9':
				if upper {
					return "", fmt.Errorf("%q is not a valid 18-character Salesforce id: its suffix %q marks character %d (%q) as an uppercase letter", id18, id18[Length15:], pos+1, c)
				}
			case upper:
				restored[pos] = toUpper(c)
			default:
				restored[pos] = toLower(c)
			}
		}
	}
	return string(restored) + suffix, nil
}

func isAlphanumeric(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func toUpper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func toLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}
