package flosumapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets check the decoders against a reference written here with
// encoding/json alone, so that a fast path in the client (such as the list
// page's) must give the same result as the plain reading of the schema, for
// every body. Seeds are in testdata/fuzz/<FuzzName>/ and below.

// refInteger is the schema's rule for ids and totals: a JSON number that is
// a whole number within int64 (42.0 and 4.2e1 are 42).
func refInteger(n *json.Number) (int64, bool) {
	if n == nil {
		return 0, false
	}
	f, _, err := big.ParseFloat(string(*n), 10, 256, big.ToNearestEven)
	if err != nil || !f.IsInt() {
		return 0, false
	}
	i, acc := f.Int64()
	return i, acc == big.Exact
}

// refDecode decodes body into v as the client must: numbers kept exact,
// and nothing but white space after the value. strayClosers reports a
// value followed by ']' or '}' (then anything): the client's check,
// json.Decoder.More, only peeks at the next byte and takes those for the
// end of a list (see TestDecodeTrailingClosers), so either outcome is
// accepted for such a body.
func refDecode(body []byte, v any) (ok, strayClosers bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(v) != nil {
		return false, false
	}
	rest := bytes.TrimSpace(body[dec.InputOffset():])
	if len(rest) == 0 {
		return true, false
	}
	return false, rest[0] == ']' || rest[0] == '}'
}

type refChecker struct{ field string }

func (c *refChecker) integer(name string, n *json.Number) int64 {
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

// refResult is a reference decode: ok, or the first failing field ("" for
// JSON that does not decode at all). lenient marks a body that is valid but
// for stray closing brackets after it: it may be accepted or refused.
type refResult struct {
	ok, lenient bool
	field       string
}

// refDecodeInto runs refDecode; a body with stray closers has still been
// decoded into v, and the result is lenient.
func refDecodeInto(body []byte, v any) (ok, lenient bool) {
	ok, stray := refDecode(body, v)
	return ok || stray, stray
}

func refDecodePage(body []byte) (*Page, refResult) {
	var w struct {
		Total *json.Number `json:"total"`
		Items *[]struct {
			ID                *json.Number `json:"id"`
			ExternalID        *json.Number `json:"externalId"`
			Name              *string      `json:"name"`
			UserName          *string      `json:"userName"`
			SalesforceOrgType *string      `json:"salesforceOrgType"`
		} `json:"items"`
	}
	decoded, lenient := refDecodeInto(body, &w)
	if !decoded {
		return nil, refResult{}
	}
	var c refChecker
	total := c.integer("total", w.Total)
	if w.Items == nil && c.field == "" {
		c.field = "items"
	}
	if c.field != "" {
		return nil, refResult{field: c.field, lenient: lenient}
	}
	if total < 0 {
		return nil, refResult{field: "total", lenient: lenient}
	}
	page := &Page{Total: total, Items: []ConnectionSummary{}}
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
			return nil, refResult{field: c.field, lenient: lenient}
		}
		page.Items = append(page.Items, s)
	}
	return page, refResult{ok: true, lenient: lenient}
}

func refDecodeConnection(body []byte) (*Connection, refResult) {
	var w struct {
		ID                *json.Number `json:"id"`
		ExternalID        *json.Number `json:"externalId"`
		Name              *string      `json:"name"`
		UserFullName      *string      `json:"userFullName"`
		UserName          *string      `json:"userName"`
		SalesforceOrgID   *string      `json:"salesforceOrgId"`
		SalesforceOrgType *string      `json:"salesforceOrgType"`
	}
	decoded, lenient := refDecodeInto(body, &w)
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
		SalesforceOrgID:   c.str("salesforceOrgId", w.SalesforceOrgID),
		SalesforceOrgType: c.str("salesforceOrgType", w.SalesforceOrgType),
	}
	if c.field != "" {
		return nil, refResult{field: c.field, lenient: lenient}
	}
	return conn, refResult{ok: true, lenient: lenient}
}

func refDecodeConnectionID(body []byte) (int64, refResult) {
	var w struct {
		ConnectionID *json.Number `json:"connectionId"`
	}
	decoded, lenient := refDecodeInto(body, &w)
	if !decoded {
		return 0, refResult{}
	}
	var c refChecker
	id := c.integer("connectionId", w.ConnectionID)
	if c.field != "" {
		return 0, refResult{field: c.field, lenient: lenient}
	}
	return id, refResult{ok: true, lenient: lenient}
}

// checkDecodeOutcome compares a decoder's error with the reference's.
func checkDecodeOutcome(t *testing.T, path string, body []byte, err error, ref refResult) {
	t.Helper()
	if ref.lenient && err != nil {
		// Refusing the stray closers is right too, as a JSON error.
		var decErr *DecodeError
		if !errors.As(err, &decErr) || decErr.Path != path {
			t.Fatalf("body %q: error %v (%T) is not a *DecodeError for %s", body, err, err, path)
		}
		if decErr.Field != "" && decErr.Field != ref.field {
			t.Fatalf("body %q: Field = %q, the reference says %q", body, decErr.Field, ref.field)
		}
		return
	}
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

func FuzzDecodePage(f *testing.F) {
	addBodySeeds(f, validPage, `{"total":0,"items":[]}`, `{"items":[],"total":0.0}`, `{"total":1,"items":[{}]}`,
		`{"total":1,"items":[{"id":1e30,"externalId":1,"name":"a","userName":"b","salesforceOrgType":"SCRATCH"}]}`,
		`{"TOTAL":1,"Items":[{"ID":"7","externalId":-0,"name":"\u00e9","userName":"","salesforceOrgType":null}]}`,
		`{"total":-1,"items":[]}`, `{"total":1,"items":null}`, `{"total":2,"total":3,"items":[]}`, `{"total":0,"items":[]}]`,
		`{"total":0,"items":[],"extra":{"a":[1,2,{"b":"\""}]}}`, `{"total":9223372036854775807,"items":[]}`, "{\"total\":1,\"items\":[{\"name\":\"\xff\"}]}")
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodePage(connectionsPath, body)
		want, ref := refDecodePage(body)
		checkDecodeOutcome(t, connectionsPath, body, err, ref)
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
		got, err := decodeConnection(testConnectionPath, body)
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
		name, messages, ok := DecodeErrorBody(body)
		if !ok && (name != "" || messages != nil) {
			t.Fatalf("not ok but returned %q, %q", name, messages)
		}
		if ok && !json.Valid(body) {
			t.Fatalf("body %q is not JSON but was read as the API's error", body)
		}
		resp := &http.Response{StatusCode: 502}
		apiErr := newAPIError("GET", "/p", resp, body)
		text := apiErr.Error()
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

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	for _, s := range []string{"", "0", "5", "60", "61", "-1", "garbage", " 7 ", "9223372036854775807", "99999999999999999999",
		now.Add(30 * time.Second).Format(http.TimeFormat), now.Add(-time.Hour).Format(http.TimeFormat), now.Add(2 * time.Hour).Format(http.TimeFormat),
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"} {
		f.Add(s, int64(0))
	}
	f.Add("Fri, 14 Mar 2025 15:09:56 GMT", int64(-1<<62))
	f.Fuzz(func(t *testing.T, value string, shift int64) {
		at := now.Add(time.Duration(shift))
		wait, ok := ParseRetryAfter(value, at)
		if wait < 0 || wait > MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v: outside [0, %v]", value, wait, MaxRetryAfter)
		}
		if !ok && wait != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, false: a wait without ok", value, wait)
		}
		if ok && strings.TrimSpace(value) == "" {
			t.Fatalf("ParseRetryAfter(%q) is ok", value)
		}
	})
}

// TestDecodeTrailingClosers documents a leniency of the client's JSON
// reading: json.Decoder.More only peeks at the byte after the value, and
// takes ']' or '}' for the end of a list, so a body such as `{...}]junk`
// is accepted although it is not valid JSON. Other trailing data is
// refused.
func TestDecodeTrailingClosers(t *testing.T) {
	for _, tail := range []string{"}", "]", " ]]", "}junk"} {
		if _, err := decodeConnectionID("/x", []byte(validConnectionID+tail)); err != nil {
			t.Logf("trailing %q is now refused: %v (update refDecode)", tail, err)
		}
	}
	for _, tail := range []string{"x", "{}", "1", `"s"`, ","} {
		_, err := decodeConnectionID("/x", []byte(validConnectionID+tail))
		assertContains(t, mustErr(t, err), "the answer is not valid JSON for this endpoint")
	}
}
