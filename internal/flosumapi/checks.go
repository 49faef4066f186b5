package flosumapi

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckBaseURL accepts an absolute https URL, or http for a loopback host
// (anywhere else the token would cross the network in clear), without
// credentials, query or fragment, even an empty one. It returns the URL without a trailing
// slash.
func CheckBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return "", fmt.Errorf("base URL %q is not an absolute URL", raw)
	}
	// ForceQuery and the '#' catch an empty query or fragment ("/?", "/#"),
	// which would put the API's paths after them.
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		shown := raw // u.String() would drop an empty fragment
		if u.User != nil {
			shown = u.Redacted()
		}
		return "", fmt.Errorf("base URL %q must not carry credentials, a query or a fragment (not even an empty \"?\" or \"#\")", shown)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("base URL %q uses http:// on a host that is not loopback, which would send the access token unencrypted; use https:// (http:// is allowed only for 127.0.0.0/8, ::1 and localhost)", raw)
		}
	default:
		return "", fmt.Errorf("base URL %q must use https://", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var errNoCertificate = errors.New("the CA certificate PEM holds no certificate that could be parsed")

// CheckCACertPEM reports whether pem holds at least one certificate that a
// Client can trust in addition to the system's roots.
func CheckCACertPEM(pem string) error {
	if !x509.NewCertPool().AppendCertsFromPEM([]byte(pem)) {
		return errNoCertificate
	}
	return nil
}
