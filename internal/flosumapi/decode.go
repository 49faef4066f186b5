package flosumapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// DecodeError is a 200 answer whose body does not match the API's schema.
type DecodeError struct {
	Path string
	// Field names the offending field, such as "items[3].userName".
	Field  string
	Reason string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("GET %s: the answer is not valid JSON for this endpoint: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("GET %s: field %s in the answer %s", e.Path, e.Field, e.Reason)
}

// The wire types use pointers so that a missing or null field is told apart
// from a zero value, and json.Number so that ids are checked exactly.
type (
	wireConnection struct {
		ID                *json.Number `json:"id"`
		ExternalID        *json.Number `json:"externalId"`
		Name              *string      `json:"name"`
		UserFullName      *string      `json:"userFullName"`
		UserName          *string      `json:"userName"`
		SalesforceOrgID   *string      `json:"salesforceOrgId"`
		SalesforceOrgType *string      `json:"salesforceOrgType"`
	}
	wireListItem struct {
		ID                *json.Number `json:"id"`
		ExternalID        *json.Number `json:"externalId"`
		Name              *string      `json:"name"`
		UserName          *string      `json:"userName"`
		SalesforceOrgType *string      `json:"salesforceOrgType"`
	}
	wirePage struct {
		Total *json.Number    `json:"total"`
		Items *[]wireListItem `json:"items"`
	}
	wireConnectionID struct {
		ConnectionID *json.Number `json:"connectionId"`
	}
)

// fields checks required fields in order and converts them; the first
// problem found is kept.
type fields struct {
	path   string
	prefix string
	err    *DecodeError
}

func (f *fields) fail(name, reason string) {
	if f.err == nil {
		f.err = &DecodeError{Path: f.path, Field: f.prefix + name, Reason: reason}
	}
}

func (f *fields) str(name string, v *string) string {
	if v == nil {
		f.fail(name, "is missing (required)")
		return ""
	}
	return *v
}

func (f *fields) integer(name string, v *json.Number) int64 {
	if v == nil {
		f.fail(name, "is missing (required)")
		return 0
	}
	n, reason := parseInteger(string(*v))
	if reason != "" {
		f.fail(name, reason)
	}
	return n
}

// parseInteger accepts a JSON number that is a whole number within int64,
// such as 42 or 42.0 or 4.2e1. It works on the decimal digits exactly, so no
// rounding can turn 1e-999 or 1.000…01 into a whole number.
func parseInteger(text string) (int64, string) {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return i, ""
	}
	negative, digits, exponent, ok := splitNumber(text)
	switch {
	case !ok:
		return 0, fmt.Sprintf("is %q, not a number", text)
	case digits == "":
		return 0, "" // zero, however written
	case exponent < 0:
		return 0, fmt.Sprintf("is %s, not a whole number", text)
	case len(digits)+exponent > 19:
		return 0, fmt.Sprintf("is %s, beyond the range of a 64-bit integer", text)
	}
	whole := digits + strings.Repeat("0", exponent)
	if negative {
		whole = "-" + whole
	}
	i, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Sprintf("is %s, beyond the range of a 64-bit integer", text)
	}
	return i, ""
}

// maxExponent bounds the exponents splitNumber works with; beyond it every
// non-zero value is out of range or not whole anyway.
const maxExponent = 1 << 20

// splitNumber reads a JSON number as sign, significant digits (no leading or
// trailing zeros; "" for zero) and the power of ten they are multiplied by.
func splitNumber(text string) (negative bool, digits string, exponent int, ok bool) {
	rest := text
	if strings.HasPrefix(rest, "-") {
		negative, rest = true, rest[1:]
	}
	mantissa, exp, hasExp := strings.Cut(strings.ToLower(rest), "e")
	intPart, fracPart, hasFrac := strings.Cut(mantissa, ".")
	if intPart == "" || (hasFrac && fracPart == "") || !allDigits(intPart) || !allDigits(fracPart) ||
		(len(intPart) > 1 && intPart[0] == '0') {
		return false, "", 0, false
	}
	if hasExp {
		sign := 1
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			if exp[0] == '-' {
				sign = -1
			}
			exp = exp[1:]
		}
		if exp == "" || !allDigits(exp) {
			return false, "", 0, false
		}
		exp = strings.TrimLeft(exp, "0")
		if len(exp) > 7 {
			exponent = sign * maxExponent
		} else {
			n, _ := strconv.Atoi("0" + exp)
			exponent = sign * min(n, maxExponent)
		}
	}
	digits = strings.TrimLeft(intPart+fracPart, "0")
	exponent -= len(fracPart)
	trimmed := strings.TrimRight(digits, "0")
	exponent += len(digits) - len(trimmed)
	return negative, trimmed, exponent, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func unmarshal(path string, body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return &DecodeError{Path: path, Reason: err.Error()}
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return &DecodeError{Path: path, Reason: "unexpected data after the JSON value"}
	}
	return nil
}

func decodeConnection(path string, body []byte) (*Connection, error) {
	var w wireConnection
	if err := unmarshal(path, body, &w); err != nil {
		return nil, err
	}
	f := fields{path: path}
	c := &Connection{
		ID:                f.integer("id", w.ID),
		ExternalID:        f.integer("externalId", w.ExternalID),
		Name:              f.str("name", w.Name),
		UserFullName:      f.str("userFullName", w.UserFullName),
		UserName:          f.str("userName", w.UserName),
		SalesforceOrgID:   f.str("salesforceOrgId", w.SalesforceOrgID),
		SalesforceOrgType: f.str("salesforceOrgType", w.SalesforceOrgType),
	}
	if f.err != nil {
		return nil, f.err
	}
	return c, nil
}

// decodePage decodes a list page.
func decodePage(body []byte) (*Page, error) {
	const path = connectionsPath
	var w wirePage
	if err := unmarshal(path, body, &w); err != nil {
		return nil, err
	}
	f := fields{path: path}
	total := f.integer("total", w.Total)
	if w.Items == nil {
		f.fail("items", "is missing (required)")
	}
	if f.err != nil {
		return nil, f.err
	}
	if total < 0 {
		return nil, &DecodeError{Path: path, Field: "total", Reason: fmt.Sprintf("is %d, less than zero", total)}
	}
	page := &Page{Total: total, Items: make([]ConnectionSummary, len(*w.Items))}
	for i, item := range *w.Items {
		f.prefix = fmt.Sprintf("items[%d].", i)
		page.Items[i] = ConnectionSummary{
			ID:                f.integer("id", item.ID),
			ExternalID:        f.integer("externalId", item.ExternalID),
			Name:              f.str("name", item.Name),
			UserName:          f.str("userName", item.UserName),
			SalesforceOrgType: f.str("salesforceOrgType", item.SalesforceOrgType),
		}
		if f.err != nil {
			return nil, f.err
		}
	}
	return page, nil
}

func decodeConnectionID(path string, body []byte) (int64, error) {
	var w wireConnectionID
	if err := unmarshal(path, body, &w); err != nil {
		return 0, err
	}
	f := fields{path: path}
	id := f.integer("connectionId", w.ConnectionID)
	if f.err != nil {
		return 0, f.err
	}
	return id, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
