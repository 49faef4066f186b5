package flosumapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets check the decoders against a reference written here with
// encoding/json and a digit-by-digit reading of numbers (independent of the
// client's generic decoder and math/big), so that the client's strict reading
// of the schema (required fields, exact whole numbers, no trailing data)
// gives the same result as the plain one, for every body. Seeds are in
// testdata/fuzz/<FuzzName>/ and below.

// refInteger is the schema's rule for ids and totals: a JSON number (not a
// string) that is a whole number within int64 (42.0 and 4.2e1 are 42),
// decided exactly on its decimal digits, without math/big.
func refInteger(n *json.RawMessage) (int64, bool) {
	if n == nil {
		return 0, false
	}
	text := string(*n)
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return i, true
	}
	negative, digits, exponent, ok := splitNumber(text)
	switch {
	case !ok:
		return 0, false
	case digits == "":
		return 0, true // zero, however written
	case exponent < 0 || len(digits)+exponent > 19:
		return 0, false
	}
	whole := digits + strings.Repeat("0", exponent)
	if negative {
		whole = "-" + whole
	}
	i, err := strconv.ParseInt(whole, 10, 64)
	return i, err == nil
}

// splitNumber reads a JSON number as sign, significant digits (no leading or
// trailing zeros; "" for zero) and the power of ten they are multiplied by.
// Exponents are clamped to ±2^20, beyond which every non-zero value is out of
// range or not whole anyway.
func splitNumber(text string) (negative bool, digits string, exponent int, ok bool) {
	const maxExponent = 1 << 20
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
	return strings.Trim(s, "0123456789") == ""
}

// refDecode decodes body into v as the client must: numbers kept as they
// were sent, and nothing but white space after the value.
func refDecode(body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	if dec.Decode(v) != nil {
		return false
	}
	return len(bytes.TrimSpace(body[dec.InputOffset():])) == 0
}

type refChecker struct{ field string }

func (c *refChecker) integer(name string, n *json.RawMessage) int64 {
	i, ok := refInteger(n)
	if !ok && c.field == "" {
		c.field = name
	}
	return i
}

func (c *refChecker) str(name string, s *string) string {
	if s == nil {
		if c.field == "" {
			c.field = name
		}
		return ""
	}
	return *s
}

// refOrgID is the schema's rule for Salesforce org ids: 15 or 18 ASCII
// letters and digits.
var refOrgID = regexp.MustCompile(`^([A-Za-z0-9]{15}|[A-Za-z0-9]{18})$`)

func (c *refChecker) orgID(name string, s *string) string {
	v := c.str(name, s)
	if s != nil && !refOrgID.MatchString(v) && c.field == "" {
		c.field = name
	}
	return v
}

// refResult is a reference decode: ok, or the first failing field ("" for
// JSON that does not decode at all).
type refResult struct {
	ok    bool
	field string
}

func refDecodePage(body []byte) (*page[ConnectionSummary], refResult) {
	var w struct {
		Total *json.RawMessage `json:"total"`
		Items *[]struct {
			ID                *json.RawMessage `json:"id"`
			ExternalID        *json.RawMessage `json:"externalId"`
			Name              *string          `json:"name"`
			UserName          *string          `json:"userName"`
			SalesforceOrgType *string          `json:"salesforceOrgType"`
		} `json:"items"`
	}
	decoded := refDecode(body, &w)
	if !decoded {
		return nil, refResult{}
	}
	var c refChecker
	total := c.integer("total", w.Total)
	if total < 0 && c.field == "" {
		c.field = "total"
	}
	if w.Items == nil && c.field == "" {
		c.field = "items"
	}
	if c.field != "" {
		return nil, refResult{field: c.field}
	}
	page := &page[ConnectionSummary]{Total: total, Items: []ConnectionSummary{}}
	for i, item := range *w.Items {
		prefix := fmt.Sprintf("items[%d].", i)
		s := ConnectionSummary{
			ID:                c.integer(prefix+"id", item.ID),
			ExternalID:        c.integer(prefix+"externalId", item.ExternalID),
			Name:              c.str(prefix+"name", item.Name),
			UserName:          c.str(prefix+"userName", item.UserName),
			SalesforceOrgType: c.str(prefix+"salesforceOrgType", item.SalesforceOrgType),
		}
		if c.field != "" {
			return nil, refResult{field: c.field}
		}
		page.Items = append(page.Items, s)
	}
	return page, refResult{ok: true}
}

func refDecodeConnection(body []byte) (*Connection, refResult) {
	var w struct {
		ID                *json.RawMessage `json:"id"`
		ExternalID        *json.RawMessage `json:"externalId"`
		Name              *string          `json:"name"`
		UserFullName      *string          `json:"userFullName"`
		UserName          *string          `json:"userName"`
		SalesforceOrgID   *string          `json:"salesforceOrgId"`
		SalesforceOrgType *string          `json:"salesforceOrgType"`
	}
	decoded := refDecode(body, &w)
	if !decoded {
		return nil, refResult{}
	}
	var c refChecker
	conn := &Connection{
		ID:                c.integer("id", w.ID),
		ExternalID:        c.integer("externalId", w.ExternalID),
		Name:              c.str("name", w.Name),
		UserFullName:      c.str("userFullName", w.UserFullName),
		UserName:          c.str("userName", w.UserName),
		SalesforceOrgID:   c.orgID("salesforceOrgId", w.SalesforceOrgID),
		SalesforceOrgType: c.str("salesforceOrgType", w.SalesforceOrgType),
	}
	if c.field != "" {
		return nil, refResult{field: c.field}
	}
	return conn, refResult{ok: true}
}

func refDecodeConnectionID(body []byte) (int64, refResult) {
	var w struct {
		ConnectionID *json.RawMessage `json:"connectionId"`
	}
	decoded := refDecode(body, &w)
	if !decoded {
		return 0, refResult{}
	}
	var c refChecker
	id := c.integer("connectionId", w.ConnectionID)
	if c.field != "" {
		return 0, refResult{field: c.field}
	}
	return id, refResult{ok: true}
}

// checkDecodeOutcome compares a decoder's error with the reference's.
func checkDecodeOutcome(t *testing.T, path string, body []byte, err error, ref refResult) {
	t.Helper()
	if ref.ok {
		if err != nil {
			t.Fatalf("body %q: got error %v, the reference decodes it", body, err)
		}
		return
	}
	if err == nil {
		t.Fatalf("body %q: decoded, but the reference rejects it (field %q)", body, ref.field)
	}
	var decErr *DecodeError
	if !errors.As(err, &decErr) {
		t.Fatalf("body %q: error %v (%T) is not a *DecodeError", body, err, err)
	}
	if decErr.Path != path {
		t.Errorf("Path = %q, want %q", decErr.Path, path)
	}
	if decErr.Field != ref.field {
		t.Fatalf("body %q: Field = %q, the reference says %q (%v)", body, decErr.Field, ref.field, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "GET "+path+": ") {
		t.Errorf("error text %q", msg)
	}
}

func addBodySeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

// pageSeeds are tricky list pages: white space, unknown and repeated fields,
// escapes, invalid UTF-8, integers at and past the int64 limits, and JSON
// that is not valid.
var pageSeeds = []string{
	`{"total":0,"items":[]}`,
	` { "total" : 2 , "items" : [ {"id":1,"externalId":7,"name":"a","userName":"u","salesforceOrgType":"SANDBOX"} ,` + "\n\t\r" +
		`{"salesforceOrgType":"PRODUCTION","userName":"v","name":"b","externalId":-9,"id":2} ] } `,
	`{"items":[{"id":1,"externalId":7,"name":"Zürich","userName":"u","salesforceOrgType":"SCRATCH","extra":{"a":[1,2.5e3,-0.1E-2,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"]}}],"total":1,"page":1,"more":null}`,
	`{"total":1,"items":[{"id":9223372036854775807,"externalId":-9223372036854775808,"name":"","userName":"","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":9223372036854775808,"externalId":1,"name":"","userName":"","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":-9223372036854775809,"externalId":1,"name":"","userName":"","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":42.0,"externalId":4.2e1,"name":"","userName":"","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":42.5,"externalId":1,"name":"","userName":"","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":"42","externalId":1,"name":"","userName":"","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":-0,"externalId":0,"name":"","userName":"","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":01,"externalId":1,"name":"","userName":"","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":1,"externalId":1,"name":"O\"Brien","userName":"\u00fc","salesforceOrgType":""}]}`,
	`{"total":1,"items":[{"id":1,"externalId":1,"name":"a","userName":"u"}]}`,
	`{"total":1,"items":[{"id":1,"externalId":1,"name":null,"userName":"u","salesforceOrgType":"S"}]}`,
	`{"total":1,"items":[{"id":1,"externalId":1,"name":5,"userName":"u","salesforceOrgType":"S"}]}`,
	`{"total":1,"items":[{"ID":1,"externalId":1,"name":"a","userName":"u","salesforceOrgType":"S"}]}`,
	`{"total":1,"items":[{"id":1,"id":2,"externalId":1,"name":"a","userName":"u","salesforceOrgType":"S"}]}`,
	`{"total":1,"items":[{"id":1,"externalId":1,"name":"a","userName":"u","salesforceOrgType":"S","ſalesforceOrgType":"X"}]}`,
	`{"total":1,"items":[null]}`,
	`{"total":1,"items":[{}]}`,
	`{"total":1,"items":null}`,
	`{"total":1}`,
	`{"items":[]}`,
	`{"total":-1,"items":[]}`,
	`{"Total":1,"items":[]}`,
	`{"total":1,"items":[],"items":[]}`,
	`{"total":0,"items":[]} `,
	`{"total":0,"items":[]}]`,
	`{"total":0,"items":[]}x`,
	`{"total":0,"items":[]}{}`,
	`{"total":0,"items":[],}`,
	`{"total":0,"items":[1]}`,
	`{"total":0 "items":[]}`,
	`{"total":0,"items":[],"x":tru}`,
	`{"total":0,"items":[],"x":"\x"}`,
	`{"total":0,"items":[],"x":"` + "\x01" + `"}`,
	`{"total":0,"items":[],"x":"` + "\xff" + `"}`,
	`{"total":1,"items":[{"id":1,"externalId":1,"name":"` + "\xff" + `","userName":"u","salesforceOrgType":"S"}]}`,
	`{"total":0,"items":[],"x":1.}`,
	`{"total":0,"items":[],"x":-}`,
	`{"total":0,"items":[],"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	"\ufeff{\"total\":0,\"items\":[]}",
	`[]`, `null`, ``, `{`, `{}`,
}

func FuzzDecodePage(f *testing.F) {
	addBodySeeds(f, pageSeeds...)
	addBodySeeds(f, validPage, `{"total":0,"items":[]}`, `{"items":[],"total":0.0}`, `{"total":1,"items":[{}]}`,
		`{"total":1,"items":[{"id":1e30,"externalId":1,"name":"a","userName":"b","salesforceOrgType":"SCRATCH"}]}`,
		`{"TOTAL":1,"Items":[{"ID":"7","externalId":-0,"name":"\u00e9","userName":"","salesforceOrgType":null}]}`,
		`{"total":-1,"items":[]}`, `{"total":1,"items":null}`, `{"total":2,"total":3,"items":[]}`, `{"total":0,"items":[]}]`,
		`{"total":0,"items":[],"extra":{"a":[1,2,{"b":"\""}]}}`, `{"total":9223372036854775807,"items":[]}`, "{\"total\":1,\"items\":[{\"name\":\"\xff\"}]}")
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodePage(body)
		want, ref := refDecodePage(body)
		checkDecodeOutcome(t, ConnectionsPath, body, err, ref)
		if err != nil {
			if got != nil {
				t.Fatal("a page was returned with the error")
			}
			return
		}
		if got.Total < 0 || got.Items == nil {
			t.Fatalf("page %+v breaks the invariants", got)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("body %q:\n got %+v\nwant %+v", body, got, want)
		}
	})
}

func FuzzDecodeConnection(f *testing.F) {
	addBodySeeds(f, validConnection, `{}`, `{"id":1.5}`, `{"id":42.0,"externalId":4.2e1,"name":"","userFullName":"","userName":"","salesforceOrgId":"","salesforceOrgType":"SCRATCH"}`,
		`{"id":9223372036854775808}`, `null`, `[]`, `{"id":1,"id":null}`, validConnection[:30], validConnection+"}")
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeConnection(body)
		want, ref := refDecodeConnection(body)
		checkDecodeOutcome(t, testConnectionPath, body, err, ref)
		if err != nil {
			if got != nil {
				t.Fatal("a connection was returned with the error")
			}
			return
		}
		if *got != *want {
			t.Fatalf("body %q:\n got %+v\nwant %+v", body, got, want)
		}
	})
}

func FuzzDecodeConnectionID(f *testing.F) {
	addBodySeeds(f, validConnectionID, `{}`, `{"connectionId":null}`, `{"connectionId":"12"}`, `{"connectionId":1e2}`,
		`{"connectionId":-9223372036854775809}`, `{"connectionid":5}`, `{"connectionId":1}x`, ``)
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeConnectionID("/api/v1/connections/connectionId/x", body)
		want, ref := refDecodeConnectionID(body)
		checkDecodeOutcome(t, "/api/v1/connections/connectionId/x", body, err, ref)
		if err == nil && got != want {
			t.Fatalf("body %q: got %d, want %d", body, got, want)
		}
		if err != nil && got != 0 {
			t.Fatalf("got %d with the error", got)
		}
	})
}

func FuzzDecodeErrorBody(f *testing.F) {
	addBodySeeds(f, `{"message":["a","b"],"error":"Bad Request","statusCode":400}`, `{"message":"x","error":null,"statusCode":404}`,
		`{"message":{"a":1}}`, `{"statusCode":"x"}`, `<html><body>Bad gateway</body></html>`, `<script>alert(1)</script>`, ``, `null`, "\xff\xfe<p>é</p>")
	f.Fuzz(func(t *testing.T, body []byte) {
		name, messages, ok := decodeErrorBody(body)
		if !ok && (name != "" || messages != nil) {
			t.Fatalf("not ok but returned %q, %q", name, messages)
		}
		if ok && !json.Valid(body) {
			t.Fatalf("body %q is not JSON but was read as the API's error", body)
		}
		resp := &http.Response{StatusCode: 502}
		apiErr := newAPIError("GET", "/p", resp, body, 1, newRedactor(secretToken))
		text := apiErr.Error()
		if strings.Contains(text, secretToken) {
			t.Fatalf("error text %q quotes the token", text)
		}
		if !strings.HasPrefix(text, "GET /p: HTTP 502 Bad Gateway") {
			t.Fatalf("error text %q", text)
		}
		if ok != (apiErr.Snippet == "" && (apiErr.Messages != nil || apiErr.ErrorName != "" || ok)) {
			t.Fatalf("ok=%v but APIError = %+v", ok, apiErr)
		}
		s := snippet(body)
		if !utf8.ValidString(s) || len(s) > snippetLength+len("…") {
			t.Fatalf("snippet %q: invalid UTF-8 or longer than %d bytes", s, snippetLength)
		}
		if strings.ContainsAny(s, "\n\t\r") {
			t.Fatalf("snippet %q: white space not collapsed", s)
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	now := time.Now()
	for _, s := range []string{"", "0", "5", "60", "61", "-1", "garbage", " 7 ", "9223372036854775807", "99999999999999999999", "18446744074",
		now.Add(30 * time.Second).UTC().Format(http.TimeFormat), now.Add(-time.Hour).UTC().Format(http.TimeFormat),
		now.Add(2 * time.Hour).UTC().Format(http.TimeFormat), "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway} {
			wait, ok := retryAfter(&http.Response{StatusCode: status, Header: http.Header{"Retry-After": {value}}})
			if wait < 0 || wait > maxRetryAfter {
				t.Fatalf("Retry-After %q on %d: wait %v outside [0, %v]", value, status, wait, maxRetryAfter)
			}
			if !ok && wait != 0 {
				t.Fatalf("Retry-After %q on %d: %v, false: a wait without ok", value, status, wait)
			}
			if ok && (value == "" || status == http.StatusBadGateway) {
				t.Fatalf("Retry-After %q on %d is ok", value, status)
			}
		}
	})
}

// TestDecodeRefusesTrailingData checks that a body with anything but white
// space after its JSON value is refused, stray closing brackets included
// (json.Decoder.More alone would take those for the end of a list).
func TestDecodeRefusesTrailingData(t *testing.T) {
	for _, tail := range []string{"}", "]", " ]]", "}junk", "x", "{}", "1", `"s"`, ","} {
		_, err := decodeConnectionID("/x", []byte(validConnectionID+tail))
		assertContains(t, mustErr(t, err), "the answer is not valid JSON for this endpoint")
	}
	if _, err := decodeConnectionID("/x", []byte(validConnectionID+" \n\t ")); err != nil {
		t.Errorf("trailing white space refused: %v", err)
	}
}
