package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/sfid"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// The TestAcc tests read the data sources from a real Flosum tenant when
// TF_ACC is set (make testacc), and from a test server seeded to match
// otherwise (make test), so that CI always runs them. They only read, and
// assert shapes and relations that hold on any tenant, never values only the
// test server has.

// Variables naming the live tenant's connection, besides the provider's own.
const (
	envAccConnectionID    = "FLOSUM_ACC_CONNECTION_ID"
	envAccSalesforceOrgID = "FLOSUM_ACC_SALESFORCE_ORG_ID"
	// liveTokenVariable is the Terraform variable that carries the token.
	liveTokenVariable = "flosum_access_token"
)

// tenant is what a TestAcc test reads: the provider block that reaches it,
// and a connection that exists there.
type tenant struct {
	accessToken, region, baseURL, caCertPEM string
	connectionID                            int64
	// orgID is the connection's Salesforce org id, 15 or 18 characters.
	orgID string
}

// live is the tenant of TF_ACC, set by TestMain; nil means test servers.
var live *tenant

// liveTenantFromEnv reads the live tenant's variables when TF_ACC is set;
// without TF_ACC it returns nil. Every missing or invalid variable is named.
func liveTenantFromEnv(getenv func(string) string) (*tenant, error) {
	if getenv("TF_ACC") == "" {
		return nil, nil
	}
	t := &tenant{
		accessToken: getenv(envAccessToken), region: getenv(envRegion),
		baseURL: getenv(envBaseURL), caCertPEM: getenv(envCACertPEM), orgID: getenv(envAccSalesforceOrgID),
	}
	var problems []string
	if t.accessToken == "" {
		problems = append(problems, envAccessToken+" is not set: set it to an access token of the tenant")
	}
	if t.region == "" && t.baseURL == "" {
		problems = append(problems, envRegion+" and "+envBaseURL+" are not set: set one of them to the tenant's region or API root URL")
	}
	if raw := getenv(envAccConnectionID); raw == "" {
		problems = append(problems, envAccConnectionID+" is not set: set it to the id of a connection that exists in the tenant")
	} else if id, err := strconv.ParseInt(raw, 10, 64); err != nil || id < 1 {
		problems = append(problems, fmt.Sprintf("%s=%q is not a connection id (a whole number, at least 1)", envAccConnectionID, raw))
	} else {
		t.connectionID = id
	}
	if t.orgID == "" {
		problems = append(problems, envAccSalesforceOrgID+" is not set: set it to the Salesforce org id of that connection")
	} else if _, err := sfid.To18(t.orgID); err != nil {
		problems = append(problems, fmt.Sprintf("%s=%q is not a Salesforce org id: %v", envAccSalesforceOrgID, t.orgID, err))
	}
	if len(problems) > 0 {
		return nil, errors.New("TF_ACC is set, so the TestAcc tests read a live Flosum tenant, but:\n  - " + strings.Join(problems, "\n  - "))
	}
	return t, nil
}

// accTenant is the live tenant under TF_ACC; otherwise a test server whose
// connection 13 is given by its 15-character org id, as a user may write it.
func accTenant(t *testing.T) *tenant {
	t.Helper()
	if live != nil {
		return live
	}
	srv := startServer(t, 20)
	return &tenant{accessToken: srv.Token(), baseURL: srv.URL, connectionID: 13, orgID: testserver.OrgID(13)[:15]}
}

// providerBlock configures the provider for the tenant; only the live
// tenant's token goes through the sensitive variable TestMain set.
func (tn *tenant) providerBlock() string {
	token := strconv.Quote(tn.accessToken)
	var b strings.Builder
	if tn == live {
		fmt.Fprintf(&b, "variable %q {\n  type      = string\n  sensitive = true\n}\n\n", liveTokenVariable)
		token = "var." + liveTokenVariable
	}
	b.WriteString("provider \"flosum\" {\n  access_token = " + token + "\n")
	for _, arg := range [][2]string{{"region", tn.region}, {"base_url", tn.baseURL}, {"ca_cert_pem", tn.caCertPEM}} {
		if arg[1] != "" {
			fmt.Fprintf(&b, "  %s = %q\n", arg[0], arg[1])
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// The connection read by id is the one found by its org id, the one
// flosum_connection_id names, and the one in the list, in the list of its
// org type; the lists are well formed.
func TestAccDataSources_oneConnectionAgreesEverywhere(t *testing.T) {
	t.Parallel()
	tn := accTenant(t)
	terraformTest(t, resource.TestStep{
		Config: tn.providerBlock() + fmt.Sprintf(`
data "flosum_connection" "by_id" {
  id = %d
}

data "flosum_connection" "by_org_id" {
  salesforce_org_id = %[2]q
}

data "flosum_connection_id" "lookup" {
  salesforce_org_id = %[2]q
}

data "flosum_connections" "all" {}

data "flosum_connections" "production" {
  salesforce_org_type = "PRODUCTION"
}

data "flosum_connections" "sandbox" {
  salesforce_org_type = "SANDBOX"
}

output "org_id_18" {
  value = provider::flosum::salesforce_id_18(%[2]q)
}
`, tn.connectionID, tn.orgID),
		ConfigStateChecks: []statecheck.StateCheck{relationCheck(func(s accState) error { return s.agree(tn) })},
	})
}

// accState is the JSON state of a TestAcc step: attribute values by address.
type accState struct {
	values  map[string]map[string]any
	outputs map[string]any
}

// stateModule is a module of Terraform's JSON state.
type stateModule struct {
	Resources []struct {
		Address string         `json:"address"`
		Values  map[string]any `json:"values"`
	} `json:"resources"`
	ChildModules []stateModule `json:"child_modules"`
}

// relationCheck is a state check over an accState.
func relationCheck(f func(accState) error) statecheck.StateCheck {
	return stateCheckFunc(func(stateJSON []byte) error {
		var state struct {
			Values *struct {
				Outputs map[string]struct {
					Value any `json:"value"`
				} `json:"outputs"`
				RootModule stateModule `json:"root_module"`
			} `json:"values"`
		}
		decoder := json.NewDecoder(bytes.NewReader(stateJSON))
		decoder.UseNumber()
		if err := decoder.Decode(&state); err != nil {
			return err
		}
		if state.Values == nil {
			return errors.New("the state has no values")
		}
		s := accState{values: map[string]map[string]any{}, outputs: map[string]any{}}
		var walk func(stateModule)
		walk = func(m stateModule) {
			for _, r := range m.Resources {
				s.values[r.Address] = r.Values
			}
			for _, child := range m.ChildModules {
				walk(child)
			}
		}
		walk(state.Values.RootModule)
		for name, o := range state.Values.Outputs {
			s.outputs[name] = o.Value
		}
		return f(s)
	})
}

// connectionFields are the attributes a list element shares with
// flosum_connection.
var connectionFields = []string{"id", "external_id", "name", "user_name", "salesforce_org_type"}

func (s accState) agree(tn *tenant) error {
	byID, byOrgID := s.values["data.flosum_connection.by_id"], s.values["data.flosum_connection.by_org_id"]
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	// By id, by org id and through flosum_connection_id: one connection.
	for _, got := range []struct {
		what  string
		value any
	}{{"flosum_connection.by_id id", byID["id"]}, {"flosum_connection.by_org_id id", byOrgID["id"]}, {"flosum_connection_id connection_id", s.values["data.flosum_connection_id.lookup"]["connection_id"]}} {
		if id, ok := wholeNumber(got.value); !ok || id != tn.connectionID {
			fail("%s = %v, want %d (%s)", got.what, got.value, tn.connectionID, envAccConnectionID)
		}
	}
	for name, value := range byID {
		switch {
		case name == "salesforce_org_id":
			org18, _ := s.outputs["org_id_18"].(string)
			if value != org18 || len(org18) != 18 {
				fail("flosum_connection.by_id salesforce_org_id = %v, want the 18-character form of %s, %q", value, tn.orgID, org18)
			}
			if byOrgID[name] != tn.orgID {
				fail("flosum_connection.by_org_id salesforce_org_id = %v, want %q as written", byOrgID[name], tn.orgID)
			}
		case !jsonEqual(value, byOrgID[name]):
			fail("%s: by id %v, by org id %v", name, value, byOrgID[name])
		}
	}
	for _, name := range []string{"external_id", "name", "user_full_name", "user_name", "salesforce_org_type"} {
		if byID[name] == nil {
			fail("flosum_connection.by_id %s is null", name)
		}
	}

	// The list holds it once, as read by id; its type's list holds it too.
	all := s.list("all", fail)
	matches := 0
	for _, item := range all {
		if jsonEqual(item["id"], byID["id"]) {
			matches++
			for _, name := range connectionFields {
				if !jsonEqual(item[name], byID[name]) {
					fail("%s: in the list %v, by id %v", name, item[name], byID[name])
				}
			}
		}
	}
	if matches != 1 {
		fail("the list holds connection %d %d times, want once", tn.connectionID, matches)
	}
	inOwnType := false
	byType := 0
	for _, orgType := range []string{"PRODUCTION", "SANDBOX"} {
		items := s.list(strings.ToLower(orgType), fail)
		byType += len(items)
		for _, item := range items {
			if item["salesforce_org_type"] != orgType {
				fail("the %s list holds connection %v of type %v", orgType, item["id"], item["salesforce_org_type"])
			}
			inOwnType = inOwnType || jsonEqual(item["id"], byID["id"])
		}
	}
	if byType != len(all) {
		fail("PRODUCTION and SANDBOX lists hold %d connections, the whole list %d", byType, len(all))
	}
	if !inOwnType {
		fail("connection %d is in neither the PRODUCTION nor the SANDBOX list", tn.connectionID)
	}
	return errors.Join(errs...)
}

// list returns the connections of data.flosum_connections.<name>, checking
// that total, ids and connections agree and that ids ascend from 1 up.
func (s accState) list(name string, fail func(string, ...any)) []map[string]any {
	values := s.values["data.flosum_connections."+name]
	ids, _ := values["ids"].([]any)
	raw, _ := values["connections"].([]any)
	if total, ok := wholeNumber(values["total"]); !ok || total != int64(len(ids)) || len(ids) != len(raw) {
		fail("flosum_connections.%s: total %v, %d ids, %d connections", name, values["total"], len(ids), len(raw))
	}
	var items []map[string]any
	previous := int64(0)
	for i, r := range raw {
		item, _ := r.(map[string]any)
		id, ok := wholeNumber(item["id"])
		if !ok || id <= previous || i >= len(ids) || !jsonEqual(ids[i], item["id"]) {
			fail("flosum_connections.%s: element %d has id %v after %d (ids[%d] = %v): want ids of at least 1, ascending", name, i, item["id"], previous, i, ids[min(i, len(ids)-1)])
		}
		previous = id
		items = append(items, item)
	}
	return items
}

// wholeNumber reads a JSON number of the state as an int64.
func wholeNumber(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func TestLiveTenantFromEnv(t *testing.T) {
	t.Parallel()
	env := func(vars map[string]string) func(string) string {
		return func(name string) string { return vars[name] }
	}
	if tn, err := liveTenantFromEnv(env(map[string]string{envAccessToken: "t"})); tn != nil || err != nil {
		t.Errorf("without TF_ACC = %v, %v; want nothing: the test servers", tn, err)
	}

	_, err := liveTenantFromEnv(env(map[string]string{"TF_ACC": "1"}))
	if err == nil {
		t.Fatal("TF_ACC alone: want an error")
	}
	for _, name := range []string{envAccessToken, envRegion, envBaseURL, envAccConnectionID, envAccSalesforceOrgID} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s: %v", name, err)
		}
	}

	complete := map[string]string{"TF_ACC": "1", envAccessToken: "t", envRegion: "de", envAccConnectionID: "42", envAccSalesforceOrgID: "00DB00000003brX"}
	tn, err := liveTenantFromEnv(env(complete))
	if err != nil || tn.accessToken != "t" || tn.region != "de" || tn.connectionID != 42 || tn.orgID != "00DB00000003brX" {
		t.Fatalf("complete = %+v, %v", tn, err)
	}
	for name, bad := range map[string]string{envAccessToken: "", envAccConnectionID: "0", envAccSalesforceOrgID: "00DB00000003brXMA9"} {
		vars := map[string]string{}
		for k, v := range complete {
			vars[k] = v
		}
		vars[name] = bad
		if _, err := liveTenantFromEnv(env(vars)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v does not name it", name, bad, err)
		}
	}
}
