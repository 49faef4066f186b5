package bench

import (
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/tfrun"
)

// TestMain fails loudly, rather than letting the Terraform-driven test skip,
// when no terraform binary can be found.
func TestMain(m *testing.M) { tfrun.Main(m) }
