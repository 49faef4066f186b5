package provider

import (
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

// A 409 has its own diagnostic only where the data source gives one; a
// list that changed while it was read is named.
func TestAPIErrorDiagnostic_connectionData(t *testing.T) {
	t.Parallel()
	conflict := apiErr(409, "Conflict", "Scheduler with id 7016 isn't accessible")
	scheduler := request{what: "the scheduler with id 7016", conflictSummary: "Backup Scheduler Not Accessible", conflict: "cannot be read by id"}
	requireDiag(t, apiErrorDiagnostic(conflict, scheduler), "Backup Scheduler Not Accessible", "cannot be read by id")
	requireDiag(t, apiErrorDiagnostic(conflict, byID42), "Flosum API Error", "HTTP 409", "the connection with id 42", "isn't accessible")

	changed := &flosumapi.InconsistentListError{List: "backups", Reason: "page 1 said there were 4500 backups, page 2 said 4501", Attempts: 3, Changed: true}
	requireDiag(t, apiErrorDiagnostic(changed, request{what: "the backups of the connection with id 7"}),
		"Backups List Changed While Reading", "the backups of the connection with id 7", "page 2 said 4501", "once the backups stop changing")
}
