// Package testterraform is what internal/provider's TestMain still imports;
// the runner is internal/tfrun. Delete this package once that TestMain calls
// tfrun.Main.
package testterraform

import "github.com/flosum/terraform-provider-flosum/internal/tfrun"

// Main is tfrun.Main.
func Main(m interface{ Run() int }, unset ...string) { tfrun.Main(m, unset...) }
