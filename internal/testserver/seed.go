package testserver

import (
	"fmt"
	"strings"

	"github.com/flosum/terraform-provider-flosum/internal/sfid"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var teams = []string{"Sales", "Service", "Marketing", "Finance", "Support", "Operations", "Commerce", "Partner"}

// Seed makes n sample connections with ids 1..n. Every fifth is a
// production org, the rest sandboxes; each has a distinct, valid 18-character
// Salesforce org id. The data is the same on every call.
func Seed(n int) []Connection {
	conns := make([]Connection, n)
	for i := range conns {
		id := int64(i + 1)
		team := teams[i%len(teams)]
		orgType, kind := "SANDBOX", "Sandbox"
		if i%5 == 0 {
			orgType, kind = "PRODUCTION", "Production"
		}
		conns[i] = Connection{
			ID:                id,
			ExternalID:        900000 + id*7,
			Name:              fmt.Sprintf("%s %s %d", team, kind, id),
			UserFullName:      fmt.Sprintf("Admin %d", id),
			UserName:          fmt.Sprintf("admin%d@%s.example.com", id, strings.ToLower(team)),
			SalesforceOrgID:   OrgID(id),
			SalesforceOrgType: orgType,
		}
	}
	return conns
}

// OrgID returns the 18-character Salesforce org id Seed gives connection id.
func OrgID(id int64) string {
	// "00D" is the org key prefix; mix the id so ids differ in letter case.
	var body [12]byte
	v := uint64(id)*0x9E3779B97F4A7C15 ^ 0x5DEECE66D
	for i := range body {
		body[i] = base62[v%62]
		v /= 62
	}
	id15 := "00D" + string(body[:])
	return id15 + sfid.Suffix(id15)
}
