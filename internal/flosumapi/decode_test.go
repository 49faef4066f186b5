package flosumapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

const (
	testConnectionPath = "/api/v1/connections/7"
	validConnection    = `{"id":7,"externalId":900049,"name":"Finance Sandbox 7","userFullName":"Admin 7","userName":"admin7@finance.example.com","salesforceOrgId":"00D5e000000XyZaEAK","salesforceOrgType":"SANDBOX"}`
	validPage          = `{"total":2,"items":[{"id":1,"externalId":900007,"name":"Sales Production 1","userName":"admin1@sales.example.com","salesforceOrgType":"PRODUCTION"},{"id":2,"externalId":900014,"name":"Service Sandbox 2","userName":"admin2@service.example.com","salesforceOrgType":"SANDBOX"}]}`
	validConnectionID  = `{"connectionId":42}`
)

var (
	connectionFields = []string{"id", "externalId", "name", "userFullName", "userName", "salesforceOrgId", "salesforceOrgType"}
	listItemFields   = []string{"id", "externalId", "name", "userName", "salesforceOrgType"}
)

// withField returns the JSON object body with field set to raw, or removed
// when raw is empty. path is a dotted path such as "items.1.userName".
func withField(t testing.TB, body, path, raw string) string {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(path, ".")
	node := doc
	for _, part := range parts[:len(parts)-1] {
		switch n := node.(type) {
		case map[string]any:
			node = n[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil {
				panic("bad path element " + part)
			}
			node = n[i]
		}
	}
	obj, ok := node.(map[string]any)
	if !ok {
		panic("path does not lead to an object")
	}
	last := parts[len(parts)-1]
	if raw == "" {
		delete(obj, last)
	} else {
		obj[last] = json.RawMessage(raw)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func decodeConnection(body []byte) (*Connection, error) {
	return decode[Connection, wireConnection](testConnectionPath, body)
}

func decodePage(body []byte) (*page[ConnectionSummary], error) {
	return decode[page[ConnectionSummary], wirePage[wireConnectionSummary]](ConnectionsPath, body)
}

func decodeConnectionID(path string, body []byte) (int64, error) {
	answer, err := decode[connectionID, wireConnectionID](path, body)
	if err != nil {
		return 0, err
	}
	return answer.ConnectionID, nil
}

func asDecodeError(t *testing.T, err error) *DecodeError {
	t.Helper()
	var decErr *DecodeError
	if !errors.As(err, &decErr) {
		t.Fatalf("error %v (%T) is not a *DecodeError", err, err)
	}
	return decErr
}

func TestDecodeValidBodies(t *testing.T) {
	c, err := decodeConnection([]byte(validConnection))
	if err != nil {
		t.Fatal(err)
	}
	want := Connection{ID: 7, ExternalID: 900049, Name: "Finance Sandbox 7", UserFullName: "Admin 7", UserName: "admin7@finance.example.com", SalesforceOrgID: "00D5e000000XyZaEAK", SalesforceOrgType: "SANDBOX"}
	if *c != want {
		t.Errorf("decodeConnection = %+v, want %+v", *c, want)
	}
	page, err := decodePage([]byte(validPage))
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || len(page.Items) != 2 || page.Items[1] != (ConnectionSummary{ID: 2, ExternalID: 900014, Name: "Service Sandbox 2", UserName: "admin2@service.example.com", SalesforceOrgType: "SANDBOX"}) {
		t.Errorf("decodePage = %+v", page)
	}
	empty, err := decodePage([]byte(`{"total":0,"items":[]}`))
	if err != nil || empty.Total != 0 || empty.Items == nil || len(empty.Items) != 0 {
		t.Errorf("empty page = %+v, %v; want total 0 and a non-nil empty slice", empty, err)
	}
	id, err := decodeConnectionID("/x", []byte(validConnectionID))
	if err != nil || id != 42 {
		t.Errorf("decodeConnectionID = %d, %v", id, err)
	}
	// Unknown fields are ignored; whitespace is allowed.
	c, err = decodeConnection([]byte(" \n" + strings.Replace(validConnection, `{`, `{"createdAt":"2024-01-01","tags":[1,{"a":null}], `, 1) + "\n"))
	if err != nil || *c != want {
		t.Errorf("with unknown fields: %+v, %v", c, err)
	}
	// Strings with escapes and non-ASCII text are decoded.
	c, err = decodeConnection([]byte(withField(t, validConnection, "name", `"Ventes \"Europe\" \u00e9t\u00e9 \ud83d\ude00"`)))
	if err != nil || c.Name != `Ventes "Europe" été 😀` {
		t.Errorf("escaped name: %+v, %v", c, err)
	}
}

func TestDecodeMissingRequiredFields(t *testing.T) {
	type tc struct {
		name, body, field string
		decode            func([]byte) error
	}
	var tests []tc
	conn := func(b []byte) error { _, err := decodeConnection(b); return err }
	page := func(b []byte) error { _, err := decodePage(b); return err }
	connID := func(b []byte) error { _, err := decodeConnectionID("/x", b); return err }
	for _, f := range connectionFields {
		tests = append(tests,
			tc{name: "connection without " + f, body: withField(t, validConnection, f, ""), field: f, decode: conn},
			tc{name: "connection with null " + f, body: withField(t, validConnection, f, "null"), field: f, decode: conn})
	}
	tests = append(tests,
		tc{name: "page without total", body: withField(t, validPage, "total", ""), field: "total", decode: page},
		tc{name: "page without items", body: withField(t, validPage, "items", ""), field: "items", decode: page},
		tc{name: "page with null items", body: withField(t, validPage, "items", "null"), field: "items", decode: page},
		tc{name: "connectionId missing", body: `{}`, field: "connectionId", decode: connID},
		tc{name: "connectionId null", body: `{"connectionId":null}`, field: "connectionId", decode: connID},
	)
	for _, f := range listItemFields {
		for _, i := range []int{0, 1} {
			tests = append(tests, tc{
				name: fmt.Sprintf("item %d without %s", i, f), body: withField(t, validPage, fmt.Sprintf("items.%d.%s", i, f), ""),
				field: fmt.Sprintf("items[%d].%s", i, f), decode: page,
			})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode([]byte(tt.body))
			decErr := asDecodeError(t, err)
			if decErr.Field != tt.field {
				t.Errorf("Field = %q, want %q (error %q)", decErr.Field, tt.field, err)
			}
			assertContains(t, mustErr(t, err), "field "+tt.field+" in the answer is missing (required)")
		})
	}
}

func TestDecodeMissingFieldThroughServer(t *testing.T) {
	srv := startServer(t, 10)
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/7", Status: 200, Body: withField(t, validConnection, "userFullName", "")})
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/connectionId/", Status: 200, Body: `{"id":7}`})
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections", Query: "page=1&", Status: 200, Body: withField(t, validPage, "items.0.userName", "")})
	client, _ := clientFor(t, srv)
	ctx := context.Background()

	_, err := client.GetConnection(ctx, 7)
	if want := "GET /api/v1/connections/7: field userFullName in the answer is missing (required)"; mustErr(t, err) != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if asDecodeError(t, err).Field != "userFullName" {
		t.Error("wrong field")
	}

	_, err = client.GetConnectionID(ctx, testserver.OrgID(7))
	assertContains(t, mustErr(t, err), "field connectionId in the answer is missing (required)")

	_, err = client.ListConnections(ctx, "")
	if want := "GET /api/v1/connections: field items[0].userName in the answer is missing (required)"; mustErr(t, err) != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	// A decode error is neither retried nor re-read: the same body would
	// come back.
	assertRequests(t, srv, "/", 3)
}

func TestDecodeUnknownOrgTypePassesThrough(t *testing.T) {
	for _, orgType := range []string{"SCRATCH", "DEVELOPER", "", "sandbox"} {
		c, err := decodeConnection([]byte(withField(t, validConnection, "salesforceOrgType", jsonOf(t, orgType))))
		if err != nil || c.SalesforceOrgType != orgType {
			t.Errorf("org type %q: got %+v, %v", orgType, c, err)
		}
		p, err := decodePage([]byte(withField(t, validPage, "items.1.salesforceOrgType", jsonOf(t, orgType))))
		if err != nil || p.Items[1].SalesforceOrgType != orgType {
			t.Errorf("org type %q in a page: got %+v, %v", orgType, p, err)
		}
	}

	srv := startServer(t, 10)
	scratch := withField(t, validConnection, "salesforceOrgType", `"SCRATCH"`)
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/7", Status: 200, Body: scratch})
	client, _ := clientFor(t, srv)
	c, err := client.GetConnection(context.Background(), 7)
	if err != nil || c.SalesforceOrgType != "SCRATCH" {
		t.Errorf("GetConnection: %+v, %v", c, err)
	}
}

func TestDecodeIntegers(t *testing.T) {
	tests := []struct {
		raw     string
		want    int64
		wantErr string // empty: accepted
	}{
		{raw: "42", want: 42},
		{raw: "42.0", want: 42},
		{raw: "4.2e1", want: 42},
		{raw: "4200e-2", want: 42},
		{raw: "0", want: 0},
		{raw: "-0", want: 0},
		{raw: "-7", want: -7},
		{raw: "9223372036854775807", want: 9223372036854775807},
		{raw: "-9223372036854775808", want: -9223372036854775808},
		{raw: "9.223372036854775807e18", want: 9223372036854775807},
		{raw: "1.5", wantErr: "is 1.5, not a whole number"},
		{raw: "0.1", wantErr: "is 0.1, not a whole number"},
		{raw: "1e-400", wantErr: "not a whole number"},
		{raw: "1e30", wantErr: "is 1e30, beyond the range of a 64-bit integer"},
		{raw: "9223372036854775808", wantErr: "is 9223372036854775808, beyond the range of a 64-bit integer"},
		{raw: "-9223372036854775809", wantErr: "beyond the range of a 64-bit integer"},
		{raw: "1e400", wantErr: "beyond the range of a 64-bit integer"},
		{raw: "100000000000000000000000000000000000000000000000000000000000000000000000000000000001", wantErr: "beyond the range of a 64-bit integer"},
	}
	type target struct {
		name, body, field string
		decode            func([]byte) (int64, error)
	}
	targets := []target{
		{name: "connection id", body: validConnection, field: "id", decode: func(b []byte) (int64, error) {
			c, err := decodeConnection(b)
			if err != nil {
				return 0, err
			}
			return c.ID, nil
		}},
		{name: "externalId", body: validConnection, field: "externalId", decode: func(b []byte) (int64, error) {
			c, err := decodeConnection(b)
			if err != nil {
				return 0, err
			}
			return c.ExternalID, nil
		}},
		{name: "connectionId", body: validConnectionID, field: "connectionId", decode: func(b []byte) (int64, error) {
			return decodeConnectionID("/x", b)
		}},
		{name: "item id", body: validPage, field: "items.1.id", decode: func(b []byte) (int64, error) {
			p, err := decodePage(b)
			if err != nil {
				return 0, err
			}
			return p.Items[1].ID, nil
		}},
	}
	for _, target := range targets {
		for _, tt := range tests {
			t.Run(target.name+"="+tt.raw, func(t *testing.T) {
				got, err := target.decode([]byte(withField(t, target.body, target.field, tt.raw)))
				if tt.wantErr == "" {
					if err != nil || got != tt.want {
						t.Errorf("got %d, %v; want %d", got, err, tt.want)
					}
					return
				}
				decErr := asDecodeError(t, err)
				if want := strings.ReplaceAll(strings.ReplaceAll(target.field, ".1.", "[1]."), "items.", "items"); decErr.Field != want {
					t.Errorf("Field = %q, want %q", decErr.Field, want)
				}
				assertContains(t, mustErr(t, err), tt.wantErr)
			})
		}
	}

	// The page total: whole, within int64, and not negative.
	for raw, wantErr := range map[string]string{"2.5": "not a whole number", "-1": "is -1, less than zero", "1e30": "beyond the range", "9223372036854775808": "beyond the range"} {
		_, err := decodePage([]byte(withField(t, validPage, "total", raw)))
		if decErr := asDecodeError(t, err); decErr.Field != "total" {
			t.Errorf("total %s: Field = %q", raw, decErr.Field)
		}
		assertContains(t, mustErr(t, err), wantErr)
	}
}

func TestDecodeWrongTypes(t *testing.T) {
	tests := []struct{ name, body string }{
		{"id as text", withField(t, validConnection, "id", `"seven"`)},
		{"id as bool", withField(t, validConnection, "id", `true`)},
		{"name as number", withField(t, validConnection, "name", `7`)},
		{"name as object", withField(t, validConnection, "name", `{"first":"x"}`)},
		{"array body", `[` + validConnection + `]`},
		{"string body", `"hello"`},
		{"null body", `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := decodeConnection([]byte(tt.body))
			if c != nil {
				t.Errorf("got %+v", c)
			}
			_ = asDecodeError(t, err)
			assertContains(t, mustErr(t, err), "GET "+testConnectionPath+": ")
		})
	}
}

func TestDecodeTruncatedJSON(t *testing.T) {
	for _, full := range []string{validConnection, validPage, validConnectionID} {
		for _, cut := range []int{0, 1, len(full) / 3, len(full) / 2, len(full) - 1} {
			body := full[:cut]
			for name, decode := range map[string]func([]byte) error{
				"connection": func(b []byte) error { _, err := decodeConnection(b); return err },
				"page":       func(b []byte) error { _, err := decodePage(b); return err },
				"id":         func(b []byte) error { _, err := decodeConnectionID("/x", b); return err },
			} {
				err := decode([]byte(body))
				decErr := asDecodeError(t, err)
				if decErr.Field != "" {
					t.Errorf("%s of %q: Field = %q, want none", name, body, decErr.Field)
				}
				assertContains(t, mustErr(t, err), "the answer is not valid JSON for this endpoint")
			}
		}
	}
	_, err := decodeConnection([]byte(validConnection + ` {}`))
	assertContains(t, mustErr(t, err), "unexpected data after the JSON value")

	srv := startServer(t, 10)
	srv.AddFault(testserver.Fault{Status: 200, Body: validConnection[:40]})
	client, _ := clientFor(t, srv)
	_, err = client.GetConnection(context.Background(), 7)
	_ = asDecodeError(t, err)
	assertContains(t, mustErr(t, err), "GET /api/v1/connections/7: the answer is not valid JSON for this endpoint: unexpected EOF")
	assertRequests(t, srv, "/", 1)
}

func TestDecodeBadIDsThroughServer(t *testing.T) {
	for raw, want := range map[string]string{
		"1.5":                 "field id in the answer is 1.5, not a whole number",
		"1e30":                "field id in the answer is 1e30, beyond the range of a 64-bit integer",
		"9223372036854775808": "field id in the answer is 9223372036854775808, beyond the range of a 64-bit integer",
	} {
		srv := startServer(t, 10)
		srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/7", Status: 200, Body: withField(t, validConnection, "id", raw)})
		srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections", Query: "page=1&", Status: 200, Body: withField(t, validPage, "items.0.id", raw)})
		client, _ := clientFor(t, srv)
		_, err := client.GetConnection(context.Background(), 7)
		assertContains(t, mustErr(t, err), "GET /api/v1/connections/7: "+want)
		_, err = client.ListConnections(context.Background(), "")
		assertContains(t, mustErr(t, err), "GET /api/v1/connections: "+strings.Replace(want, "field id", "field items[0].id", 1))
		assertRequests(t, srv, "/", 2)
	}
}

// TestDecodeStrict: numbers must be JSON numbers, not strings holding one,
// and an org id must look like one (15 or 18 letters and digits).
func TestDecodeStrict(t *testing.T) {
	tests := []struct {
		name, field, want string
		decode            func() error
	}{
		{"id as a string", "id", `field id in the answer is "7", not a number`, func() error {
			_, err := decodeConnection([]byte(withField(t, validConnection, "id", `"7"`)))
			return err
		}},
		{"total as a string", "total", `field total in the answer is "3", not a number`, func() error {
			_, err := decodePage([]byte(withField(t, validPage, "total", `"3"`)))
			return err
		}},
		{"item id as a string", "items[1].id", `field items[1].id in the answer is "2", not a number`, func() error {
			_, err := decodePage([]byte(withField(t, validPage, "items.1.id", `"2"`)))
			return err
		}},
		{"connectionId as a string", "connectionId", `field connectionId in the answer is "42", not a number`, func() error {
			_, err := decodeConnectionID(testConnectionPath, []byte(`{"connectionId":"42"}`))
			return err
		}},
		{"id as a boolean", "id", `field id in the answer is true, not a number`, func() error {
			_, err := decodeConnection([]byte(withField(t, validConnection, "id", `true`)))
			return err
		}},
	}
	for _, orgID := range []string{"", "00D5e", "00D5e000000XyZaEAKX", "00D5e000000XyZ-EAK", "00D5e000000XyZé"} {
		tests = append(tests, struct {
			name, field, want string
			decode            func() error
		}{"org id " + orgID, "salesforceOrgId", fmt.Sprintf("field salesforceOrgId in the answer is %q, not a Salesforce org id (15 or 18 letters and digits)", orgID), func() error {
			_, err := decodeConnection([]byte(withField(t, validConnection, "salesforceOrgId", jsonOf(t, orgID))))
			return err
		}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode()
			if decErr := asDecodeError(t, err); decErr.Field != tt.field {
				t.Errorf("Field = %q, want %q", decErr.Field, tt.field)
			}
			assertContains(t, mustErr(t, err), tt.want)
		})
	}
	for _, orgID := range []string{"00D5e000000XyZa", "00D5e000000XyZaEAK"} {
		if _, err := decodeConnection([]byte(withField(t, validConnection, "salesforceOrgId", jsonOf(t, orgID)))); err != nil {
			t.Errorf("org id %q refused: %v", orgID, err)
		}
	}

	// Through the client: a GET answer with a number as a string is refused.
	srv := startServer(t, 10)
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/7", Status: 200, Body: withField(t, validConnection, "id", `"7"`)})
	client, _ := clientFor(t, srv)
	_, err := client.GetConnection(context.Background(), 7)
	assertContains(t, mustErr(t, err), `GET /api/v1/connections/7: field id in the answer is "7", not a number`)
}
