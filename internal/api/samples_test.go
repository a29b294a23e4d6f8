package api

import "path/filepath"

// pcSample is the path of a Partner Center sample payload kept in the repository's
// testdata/partnercenter (copied from Partner Center's REST reference).
func pcSample(name string) string {
	return filepath.Join("..", "..", "testdata", "partnercenter", name)
}

// PCSample is pcSample for the package's external tests.
var PCSample = pcSample
