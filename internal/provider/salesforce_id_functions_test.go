package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// sfidVectors are the test vectors of FACTS.md: 15 characters → 18.
var sfidVectors = []struct{ id15, id18 string }{
	{"001xx000003DHur", "001xx000003DHurAAG"},
	{"00DB00000003brX", "00DB00000003brXMAQ"},
	{"00DB0000000pqd1", "00DB0000000pqd1MAA"},
	{"00DV0025306tGV5", "00DV0025306tGV5MAM"},
}

// functionCases lists, for each input, what salesforce_id_18 and
// salesforce_id_15 must return.
type functionCase struct{ input, want18, want15 string }

func functionCases() []functionCase {
	var cases []functionCase
	for _, v := range sfidVectors {
		cases = append(cases,
			functionCase{v.id15, v.id18, v.id15},                  // 15 → 18
			functionCase{v.id18, v.id18, v.id15},                  // 18 → 18, 18 → 15
			functionCase{strings.ToUpper(v.id18), v.id18, v.id15}, // case lost: restored
			functionCase{strings.ToLower(v.id18), v.id18, v.id15},
		)
	}
	return cases
}

func runFunction(t *testing.T, f function.Function, input string) (string, *function.FuncError) {
	t.Helper()
	req := function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(input)})}
	resp := function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	f.Run(context.Background(), req, &resp)
	if resp.Error != nil {
		return "", resp.Error
	}
	s, ok := resp.Result.Value().(types.String)
	if !ok || s.IsUnknown() || s.IsNull() {
		t.Fatalf("result %v is not a known string", resp.Result.Value())
	}
	return s.ValueString(), nil
}

func TestSalesforceIDFunctions_run(t *testing.T) {
	t.Parallel()
	id18, id15 := newSalesforceID18Function(), newSalesforceID15Function()
	for _, c := range functionCases() {
		if got, err := runFunction(t, id18, c.input); err != nil || got != c.want18 {
			t.Errorf("salesforce_id_18(%q) = %q, %v; want %q", c.input, got, err, c.want18)
		}
		if got, err := runFunction(t, id15, c.input); err != nil || got != c.want15 {
			t.Errorf("salesforce_id_15(%q) = %q, %v; want %q", c.input, got, err, c.want15)
		}
	}
}

func TestSalesforceIDFunctions_runErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ input, want string }{
		{"abc", `a Salesforce id has 15 or 18 characters, "abc" has 3`},
		{"", "has 0"},
		{"00DB00000003brXMA9", `suffix character '9' is not one of A-Z or 0-5`},
		{"001xx000003DHurAAH", `its suffix "AAH" does not match the letter case of its first 15 characters, which call for "AAG"`},
		{"001XX000003DHURAAH", "marks character 11 ('3') as an uppercase letter"},
		{"00DB00000003br-", "only letters A-Z, a-z and digits 0-9"},
		{"00DB00000003brXMAQX", "has 19"},
	}
	for _, f := range []function.Function{newSalesforceID18Function(), newSalesforceID15Function()} {
		for _, tt := range tests {
			_, err := runFunction(t, f, tt.input)
			if err == nil {
				t.Errorf("%T(%q): want an error", f, tt.input)
				continue
			}
			if !strings.HasPrefix(err.Text, "Invalid Salesforce id: ") || !strings.Contains(err.Text, tt.want) {
				t.Errorf("(%q) error %q, want \"Invalid Salesforce id: ...%s...\"", tt.input, err.Text, tt.want)
			}
			if err.FunctionArgument == nil || *err.FunctionArgument != 0 {
				t.Errorf("(%q) error should point at argument 0, got %v", tt.input, err.FunctionArgument)
			}
		}
	}
}

// Every test vector through Terraform: provider::flosum::salesforce_id_18
// and salesforce_id_15 in outputs.
func TestSalesforceIDFunctions_terraform(t *testing.T) {
	t.Parallel()
	var config strings.Builder
	var checks []statecheck.StateCheck
	for i, c := range functionCases() {
		fmt.Fprintf(&config, "output \"id18_%d\" {\n  value = provider::flosum::salesforce_id_18(%q)\n}\n", i, c.input)
		fmt.Fprintf(&config, "output \"id15_%d\" {\n  value = provider::flosum::salesforce_id_15(%q)\n}\n", i, c.input)
		checks = append(checks,
			statecheck.ExpectKnownOutputValue(fmt.Sprintf("id18_%d", i), knownvalue.StringExact(c.want18)),
			statecheck.ExpectKnownOutputValue(fmt.Sprintf("id15_%d", i), knownvalue.StringExact(c.want15)),
		)
	}
	// Functions compose: 15 → 18 → 15.
	config.WriteString("output \"roundtrip\" {\n  value = provider::flosum::salesforce_id_15(provider::flosum::salesforce_id_18(\"00DV0025306tGV5\"))\n}\n")
	checks = append(checks, statecheck.ExpectKnownOutputValue("roundtrip", knownvalue.StringExact("00DV0025306tGV5")))

	// Terraform calls functions without configuring the provider; OpenTofu
	// configures it first, so the provider block is there for OpenTofu.
	srv := startServer(t, 1)
	terraformTest(t, resource.TestStep{
		Config:            providerBlock(srv, "") + config.String(),
		ConfigStateChecks: checks,
	})
	if n := srv.RequestCount(); n != 0 {
		t.Errorf("the functions made %d API requests, want none: they are pure", n)
	}
}

func TestSalesforceIDFunctions_terraformErrors(t *testing.T) {
	t.Parallel()
	step := func(function, input string, want ...string) resource.TestStep {
		return resource.TestStep{
			Config:      fmt.Sprintf("output \"x\" {\n  value = provider::flosum::%s(%q)\n}\n", function, input),
			ExpectError: errRe(append([]string{function, "Invalid Salesforce id:"}, want...)...),
		}
	}
	terraformTest(t,
		step("salesforce_id_18", "abc", `a Salesforce id has 15 or 18 characters, "abc" has 3`),
		step("salesforce_id_15", "abc", `"abc" has 3`),
		step("salesforce_id_18", "00DB00000003brXMA9", `"00DB00000003brXMA9" is not a valid 18-character Salesforce id`, `suffix character '9'`),
		step("salesforce_id_15", "001xx000003DHurAAH", `does not match the letter case`),
		step("salesforce_id_18", "001XX000003DHURAAH", `marks character 11 ('3') as an uppercase letter`),
	)
}
