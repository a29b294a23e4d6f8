// Package buildinfo holds the version stamped at build time through -ldflags, with
// sensible values for `go run` and `go install` taken from the Go build information.
package buildinfo

import (
	"runtime/debug"
	"sync"
)

// Set by -ldflags "-X github.com/pcctl/pcctl/internal/buildinfo.Version=…" (see Makefile).
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

var once sync.Once

// Get returns the version, commit and build date, filling what ldflags did not set from
// the module and VCS information Go records ("dev", "unknown" otherwise).
func Get() (version, commit, date string) {
	once.Do(func() {
		info, ok := debug.ReadBuildInfo()
		if ok {
			if Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
				Version = info.Main.Version
			}
			for _, s := range info.Settings {
				switch {
				case s.Key == "vcs.revision" && Commit == "":
					Commit = s.Value
					if len(Commit) > 12 {
						Commit = Commit[:12]
					}
				case s.Key == "vcs.time" && Date == "":
					Date = s.Value
				}
			}
		}
		if Version == "" {
			Version = "dev"
		}
		if Commit == "" {
			Commit = "unknown"
		}
		if Date == "" {
			Date = "unknown"
		}
	})
	return Version, Commit, Date
}
