package flosumapi

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// redacted stands in for a secret in text meant for people.
const redacted = "[REDACTED]"

// MaxTokenLength is the longest access or refresh token accepted, in
// characters: far beyond any bearer token (a JWT is a few thousand), and
// short enough that a header holding it fits every server's limit.
const MaxTokenLength = 8192

// CheckAccessToken returns the token without the whitespace around it (a
// token read from a file usually ends in a newline) and refuses one that
// is empty, longer than MaxTokenLength, or has whitespace, a control
// character or invalid UTF-8 inside. Its errors never quote the token.
func CheckAccessToken(raw string) (string, error) { return checkToken("access token", raw) }

// CheckRefreshToken is CheckAccessToken for a refresh token.
func CheckRefreshToken(raw string) (string, error) { return checkToken("refresh token", raw) }

// checkToken is CheckAccessToken for a token of the kind named.
func checkToken(kind, raw string) (string, error) {
	token := strings.TrimSpace(raw)
	if token == "" {
		if raw != "" {
			return "", fmt.Errorf("the %s is only whitespace; %s is required", kind, article(kind))
		}
		return "", fmt.Errorf("%s is required", article(kind))
	}
	if !utf8.ValidString(token) {
		return "", fmt.Errorf("the %s has a byte that is not UTF-8 text; copy it again", kind)
	}
	length := utf8.RuneCountInString(token)
	if length > MaxTokenLength {
		return "", fmt.Errorf("the %s is %d characters long, more than the %d a token may have; copy it again", kind, length, MaxTokenLength)
	}
	position := 0
	for _, r := range token {
		position++
		switch {
		case unicode.IsSpace(r):
			return "", fmt.Errorf("the %s has whitespace inside it (character %d of %d): a token is a single word, so it was probably copied with a space or line break; copy it again", kind, position, length)
		case unicode.IsControl(r):
			return "", fmt.Errorf("the %s has a control character inside it (character %d of %d); copy it again", kind, position, length)
		}
	}
	return token, nil
}

// article is kind with "an" or "a" before it.
func article(kind string) string {
	if strings.HasPrefix(kind, "a") {
		return "an " + kind
	}
	return "a " + kind
}

// redactor hides secrets in text meant for people: errors and logs. Secrets
// can be added at any time, such as tokens obtained at run time, and from
// any goroutine.
type redactor struct {
	mu sync.RWMutex
	// forms holds every form of every secret, longest first, so that a
	// longer form is hidden whole before a shorter one inside it.
	forms []string
}

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		r.Add(s)
	}
	return r
}

// Add makes r hide secret, in each of the forms it can take in text.
func (r *redactor) Add(secret string) {
	if secret == "" {
		return
	}
	forms := secretForms(secret)
	if clean := sanitize(secret); clean != secret && clean != "" {
		forms = append(forms, secretForms(clean)...) // what hide compares with
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, form := range forms {
		if !slices.Contains(r.forms, form) {
			r.forms = append(r.forms, form)
		}
	}
	slices.SortStableFunc(r.forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
}

// hide makes text valid UTF-8, then replaces every form of every secret.
// Sanitising first matters: dropping an invalid byte afterwards (as
// strings.ToValidUTF8 does) could join two halves of a secret back together.
// U+FFFD, which decoders such as encoding/json put for an invalid byte, is
// dropped too, so that a secret split by one is hidden as well.
func (r *redactor) hide(text string) string {
	text = sanitize(text)
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, form := range r.forms {
		text = strings.ReplaceAll(text, form, redacted)
	}
	return text
}

func sanitize(text string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(text, ""), string(utf8.RuneError), "")
}

// hideError returns err with every secret hidden in its text; err stays
// reachable with errors.As and errors.Is.
func (r *redactor) hideError(err error) error {
	if err == nil {
		return nil
	}
	if text := err.Error(); r.hide(text) == text {
		return err
	}
	return &redactedError{err: err, secrets: r}
}

// String and GoString keep the secrets out of any %v of a redactor.
func (r *redactor) String() string   { return redacted }
func (r *redactor) GoString() string { return redacted }

type redactedError struct {
	err     error
	secrets *redactor
}

func (e *redactedError) Error() string { return e.secrets.hide(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// minEncodedForm is the shortest part of a base64 encoding that is hidden
// on its own: shorter ones would hide ordinary text.
const minEncodedForm = 8

// secretForms lists how secret can appear in text: as it is, escaped in JSON
// (by Go, with or without HTML escapes, and with "\/"), percent-encoded (in
// upper- or lower-case hex), and in base64, whole or inside a longer encoded
// value (such as a Basic credential) at any of the three byte alignments.
func secretForms(secret string) []string {
	forms := []string{secret}
	for _, escapeHTML := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		_ = enc.Encode(secret) // a string always encodes
		escaped := strings.TrimSuffix(strings.TrimSpace(b.String()), `"`)[1:]
		forms = append(forms, escaped, strings.ReplaceAll(escaped, "/", `\/`))
	}
	for _, escaped := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		forms = append(forms, escaped, percentHex.ReplaceAllStringFunc(escaped, strings.ToLower))
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		raw := enc.WithPadding(base64.NoPadding)
		forms = append(forms, enc.EncodeToString([]byte(secret)), raw.EncodeToString([]byte(secret)))
		for shift := range 3 {
			// The characters that depend on secret's bytes alone: the
			// first ones after a shift also encode the bytes before it,
			// the last ones those after it.
			encoded := raw.EncodeToString(append(make([]byte, shift), secret...))
			first, end := (8*shift+5)/6, 8*(shift+len(secret))/6
			if end-first >= minEncodedForm {
				forms = append(forms, encoded[first:end])
			}
		}
	}
	return forms
}

var percentHex = regexp.MustCompile(`%[0-9A-F]{2}`)
