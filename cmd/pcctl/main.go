// Command pcctl administers a Microsoft Cloud Solution Provider partner business.
package main

import (
	"os"

	"github.com/pcctl/pcctl/internal/app"
)

func main() { os.Exit(app.Main()) }
