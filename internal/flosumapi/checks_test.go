package flosumapi

import (
	"strings"
	"testing"
)

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		"https://backup-us.flosum.app":       "https://backup-us.flosum.app",
		"https://backup-us.flosum.app/":      "https://backup-us.flosum.app",
		"https://backup.example.com/flosum/": "https://backup.example.com/flosum",
		"https://backup.example.com:8443":    "https://backup.example.com:8443",
		"http://127.0.0.1:8080":              "http://127.0.0.1:8080",
		"http://127.0.0.1:8080/":             "http://127.0.0.1:8080",
		"http://127.1.2.3":                   "http://127.1.2.3",
		"http://127.255.255.254:1":           "http://127.255.255.254:1",
		"http://[::1]:8080":                  "http://[::1]:8080",
		"http://[::1]":                       "http://[::1]",
		"http://localhost":                   "http://localhost",
		"http://localhost:3000/":             "http://localhost:3000",
		"http://LocalHost:3000":              "http://LocalHost:3000",
	}
	for raw, want := range ok {
		got, err := CheckBaseURL(raw)
		if err != nil {
			t.Errorf("CheckBaseURL(%q): unexpected error %v", raw, err)
			continue
		}
		if got != want {
			t.Errorf("CheckBaseURL(%q) = %q, want %q", raw, got, want)
		}
	}

	bad := map[string]string{
		"http://backup.example.com":        "not loopback",
		"http://backup-us.flosum.app":      "not loopback",
		"http://128.0.0.1":                 "not loopback",
		"http://10.0.0.1:8080":             "not loopback",
		"http://[::2]:8080":                "not loopback",
		"http://localhost.example.com":     "not loopback",
		"http://127.0.0.1.nip.io":          "not loopback",
		"ftp://backup.example.com":         "must use https://",
		"ws://127.0.0.1":                   "must use https://",
		"backup.example.com":               "not an absolute URL",
		"/api/v1":                          "not an absolute URL",
		"//backup.example.com":             "not an absolute URL",
		"https://":                         "not an absolute URL",
		"":                                 "not an absolute URL",
		"https://user:pass@backup.example": "must not carry credentials",
		"https://user@backup.example.com":  "must not carry credentials",
		"https://backup.example.com?x=1":   "a query",
		"https://backup.example.com/#frag": "a fragment",
		"https://exa mple.com":             "not an absolute URL",
		"https://x.example/?":              `"https://x.example/?" must not carry credentials, a query or a fragment (not even an empty "?" or "#")`,
		"https://x.example?":               `"https://x.example?" must not carry`,
		"https://x.example/#":              `"https://x.example/#" must not carry credentials, a query or a fragment (not even an empty "?" or "#")`,
		"https://x.example/flosum#":        `"https://x.example/flosum#" must not carry`,
		"https://x.example/?#":             `"https://x.example/?#" must not carry`,
	}
	for raw, want := range bad {
		got, err := CheckBaseURL(raw)
		if err == nil {
			t.Errorf("CheckBaseURL(%q) = %q, want an error containing %q", raw, got, want)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckBaseURL(%q) error %q does not contain %q", raw, err, want)
		}
	}
}

func TestCheckBaseURL_httpErrorExplainsWhy(t *testing.T) {
	t.Parallel()
	_, err := CheckBaseURL("http://backup.example.com")
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"unencrypted", "https://", "127.0.0.0/8", "::1", "localhost"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestCheckCACertPEM(t *testing.T) {
	if err := CheckCACertPEM("garbage"); err == nil || !strings.Contains(err.Error(), "holds no certificate") {
		t.Errorf("CheckCACertPEM(garbage) = %v, want an error", err)
	}
}
