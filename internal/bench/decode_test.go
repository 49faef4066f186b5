package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// oraclePage decodes a list page the plain way: encoding/json into pointer
// wire types, as the client's general decoder does. The client's fast path
// must give the same page for every body, and an error exactly when this
// does, naming the same field.
func oraclePage(body []byte) (*flosumapi.Page, string, error) {
	type item struct {
		ID                *json.Number `json:"id"`
		ExternalID        *json.Number `json:"externalId"`
		Name              *string      `json:"name"`
		UserName          *string      `json:"userName"`
		SalesforceOrgType *string      `json:"salesforceOrgType"`
	}
	var w struct {
		Total *json.Number `json:"total"`
		Items *[]item      `json:"items"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		return nil, "", err
	}
	if dec.More() {
		return nil, "", errors.New("data after the value")
	}
	integer := func(field string, n *json.Number) (int64, string, error) {
		if n == nil {
			return 0, field, errors.New("missing")
		}
		if i, err := n.Int64(); err == nil {
			return i, "", nil
		}
		f, _, err := big.ParseFloat(string(*n), 10, 256, big.ToNearestEven)
		if err != nil || !f.IsInt() {
			return 0, field, errors.New("not a whole number")
		}
		i, accuracy := f.Int64()
		if accuracy != big.Exact {
			return 0, field, errors.New("out of range")
		}
		return i, "", nil
	}
	total, field, err := integer("total", w.Total)
	if err != nil {
		return nil, field, err
	}
	if w.Items == nil {
		return nil, "items", errors.New("missing")
	}
	if total < 0 {
		return nil, "total", errors.New("negative")
	}
	page := &flosumapi.Page{Total: total, Items: make([]flosumapi.ConnectionSummary, len(*w.Items))}
	for i, it := range *w.Items {
		prefix := fmt.Sprintf("items[%d].", i)
		c := &page.Items[i]
		if c.ID, field, err = integer(prefix+"id", it.ID); err != nil {
			return nil, field, err
		}
		if c.ExternalID, field, err = integer(prefix+"externalId", it.ExternalID); err != nil {
			return nil, field, err
		}
		for _, s := range []struct {
			name string
			in   *string
			out  *string
		}{{"name", it.Name, &c.Name}, {"userName", it.UserName, &c.UserName}, {"salesforceOrgType", it.SalesforceOrgType, &c.SalesforceOrgType}} {
			if s.in == nil {
				return nil, prefix + s.name, errors.New("missing")
			}
			*s.out = *s.in
		}
	}
	return page, "", nil
}

// pageServer serves whatever body was last stored, as a 200 JSON answer.
type pageServer struct {
	body   atomic.Pointer[[]byte]
	client *flosumapi.Client
}

func newPageServer(tb testing.TB) *pageServer {
	tb.Helper()
	ps := &pageServer{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(*ps.body.Load())
	}))
	tb.Cleanup(ts.Close)
	client, err := flosumapi.New(flosumapi.Config{BaseURL: ts.URL, AccessToken: "token"})
	if err != nil {
		tb.Fatal(err)
	}
	ps.client = client
	return ps
}

func (ps *pageServer) check(t *testing.T, body []byte) {
	t.Helper()
	ps.body.Store(&body)
	got, err := ps.client.ListConnectionsPage(context.Background(), "", 1, flosumapi.PageLimit)
	want, wantField, wantErr := oraclePage(body)
	switch {
	case wantErr != nil && err == nil:
		t.Errorf("body %q: decoded, but encoding/json rejects it (%v)", body, wantErr)
	case wantErr == nil && err != nil:
		t.Errorf("body %q: %v, but encoding/json decodes it", body, err)
	case err != nil:
		var decodeErr *flosumapi.DecodeError
		if !errors.As(err, &decodeErr) {
			t.Errorf("body %q: error %v is not a *DecodeError", body, err)
		} else if decodeErr.Field != wantField {
			t.Errorf("body %q: error names field %q, want %q (%v)", body, decodeErr.Field, wantField, err)
		}
	default:
		if got.Total != want.Total || !slices.Equal(got.Items, want.Items) || got.Items == nil {
			t.Errorf("body %q: decoded %+v, want %+v", body, got, want)
		}
	}
}

// pageSeeds are bodies the fast path decodes and bodies it must leave to the
// general decoder (which alone reports errors).
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

// TestDecodePageMatchesEncodingJSON checks the client's page decoding
// against encoding/json on the seeds, and on a real page of the test server.
func TestDecodePageMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t)
	for _, seed := range pageSeeds {
		ps.check(t, []byte(seed))
	}
	page := testserver.ListPage{Total: 3000}
	for _, c := range testserver.Seed(2000) {
		page.Items = append(page.Items, testserver.ListItem{ID: c.ID, ExternalID: c.ExternalID, Name: c.Name, UserName: c.UserName, SalesforceOrgType: c.SalesforceOrgType})
	}
	body, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	ps.check(t, body)
}

// FuzzDecodePage compares the client's page decoding with encoding/json on
// any body. Run it with go test -fuzz FuzzDecodePage ./internal/bench/ (it
// goes through HTTP, so minimising an input can take a while).
func FuzzDecodePage(f *testing.F) {
	for _, seed := range pageSeeds {
		f.Add([]byte(seed))
	}
	ps := newPageServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ps.check(t, body)
	})
}
