// Acceptance tests: real pcctl command lines against a temporary workspace, written as
// testscript archives in testdata/script, one topic per file (see the comment at the top
// of each). Expected output sits in the archives as golden files, compared byte for byte.
//
//	go test ./internal/app/ -run TestScripts            # all of them
//	go test ./internal/app/ -run TestScripts/search     # one file
//	go test ./internal/app/ -run TestScripts -update    # rewrite failing golden files (cmp only)
//
// pcctl runs as a real subprocess: TestMain turns this test binary into `pcctl` when it
// is invoked under that name (testscript.Main), so `pcctl ...` in a script is app.Main with
// its own arguments, streams, environment and exit code.
//
// Every script starts with an isolated environment (see setup): HOME, XDG_CONFIG_HOME and
// XDG_DATA_HOME under $WORK, PCCTL_WORKSPACE=$WORK/ws.db, PCCTL_USER=alice@contoso.com,
// the fixed clock PCCTL_NOW=2026-11-21T10:00:00Z, no COLUMNS, and $SCHEMA, the newest
// schema version this pcctl knows. Standard output is never a terminal, so tables come out
// tab-separated, without headers.
//
// Exit codes. `pcctl ...` must exit 0; `! pcctl ...` would only say "not 0", so every
// command expected to fail is written
//
//	exitcode N pcctl ARGS...
//
// which runs pcctl as exec does (its stdout and stderr are then checked with cmp, stdout,
// stderr) and fails the script unless the exit code is exactly N: 1 failure, 2 usage,
// 3 not found, 4 refused (pcctl help exit-codes). A Go panic also exits with 2, so each of
// these lines is followed by an exact check of stderr.
//
// Known defects. A script may end with a `skip 'defects: ...'` line followed by the
// assertions of the right behaviour that pcctl fails today; once fixed, delete the skip.
//
// The commands scripts may use besides testscript's own:
//
//	exitcode N PROG ARGS...                     run PROG, require exit code N
//	makecsv N SEED FILE [pcctl|partner-center]  N synthetic customers (internal/synth)
//	randfile N FILE                             N pseudo-random bytes, the same every run
//	sqlitedb FILE SQL...                        a SQLite file made by running each SQL
//	capture VAR REGEXP                          set $VAR to REGEXP's first group in stdout
//	writefile FILE TEXT                         write TEXT, the body of a Go string literal
//	                                            ('a\tb\r\n\xff'), for exact bytes
//	bom FILE                                    put a UTF-8 byte order mark before FILE's text
//	partner MPNID [NAME]                        make MPNID an active indirect reseller, through
//	                                            'pcctl reseller invite' then 'reseller accept'
//	as USER                                     act as USER from now on (PCCTL_USER, and that
//	                                            user's token against a server)
//
// and the conditions [root], true when the tests run as root (who ignores permissions),
// and [remote], true in TestScriptsRemote, which runs every script again against a pcctl
// server (see remote_script_test.go): lines about the local file itself are marked
// [!remote], and a script that is all about it says why it is skipped there.
package app_test

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/text/encoding/charmap"
	_ "modernc.org/sqlite" // driver "sqlite", for sqlitedb

	"github.com/pcctl/pcctl/internal/app"
	"github.com/pcctl/pcctl/internal/synth"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

var (
	update       = flag.Bool("update", false, "rewrite the expected files of failing cmp commands in testdata/script")
	updateRemote = flag.Bool("update-remote", false, "as -update, from TestScriptsRemote (for remote-only scripts: the shared ones hold the local output)")
)

func TestMain(m *testing.M) {
	if os.Getenv("GORACE") == "" {
		// Under -race every process sleeps a second at exit by default, and the scripts
		// start a few hundred: testscript passes GORACE on to them.
		os.Setenv("GORACE", "atexit_sleep_ms=10")
	}
	testscript.Main(m, map[string]func(){
		"pcctl": func() { os.Exit(app.Main()) },
	})
}

func TestScripts(t *testing.T) { runScripts(t, false) }

// TestScriptsRemote runs the same scripts against a pcctl server: each script gets its
// own server over its workspace file, on a loopback port, started in this process before
// the script runs; pcctl reaches it through PCCTL_ENDPOINT with alice's token (see
// setupRemote). The expected output is the same, but for the lines under [remote] or
// [!remote] conditions, which say why they differ.
func TestScriptsRemote(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the scripts run against a local workspace only")
	}
	runScripts(t, true)
}

func runScripts(t *testing.T, remote bool) {
	runScriptsOn(t, remote, false, setupRemote)
}

// runScriptsOn runs the scripts, against a server that serve starts when remote (over a
// PostgreSQL database when postgres).
func runScriptsOn(t *testing.T, remote, postgres bool, serve func(*testscript.Env) error) {
	params := testscript.Params{
		Dir:                "../../testdata/script",
		Setup:              setup,
		UpdateScripts:      *update && !remote || *updateRemote && remote,
		RequireUniqueNames: true,
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "remote":
				return remote, nil
			case "postgres": // TestScriptsPostgres: the workspace is a database, not the file
				return postgres, nil
			}
			return false, errors.New("unknown condition " + strconv.Quote(cond))
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exitcode":      cmdExitcode,
			"makecsv":       cmdMakeCSV,
			"randfile":      cmdRandFile,
			"sqlitedb":      cmdSQLiteDB,
			"capture":       cmdCapture,
			"writefile":     cmdWriteFile,
			"bom":           cmdBOM,
			"cp1252":        cmdCP1252,
			"utf16":         cmdUTF16,
			"repeat":        cmdRepeat,
			"partner":       cmdPartner,
			"as":            cmdAs,
			"filemode":      cmdFileMode,
			"partnercenter": cmdPartnerCenter,
			"sleep":         cmdSleep,
			"makepsc":       cmdMakePSC,
			"sqlwait":       cmdSQLWait,
		},
	}
	if remote {
		params.Setup = func(env *testscript.Env) error {
			if err := setup(env); err != nil {
				return err
			}
			return serve(env)
		}
	}
	testscript.Run(t, params)
}

// setup gives every script its own home, config, data folder and workspace, a fixed
// user and a fixed clock.
func setup(env *testscript.Env) error {
	work := env.WorkDir
	vars := map[string]string{
		"HOME":            filepath.Join(work, "home"),
		"XDG_CONFIG_HOME": filepath.Join(work, "config"),
		"XDG_DATA_HOME":   filepath.Join(work, "data"),
		"PCCTL_WORKSPACE": filepath.Join(work, "ws.db"),
		"PCCTL_USER":      "alice@contoso.com",
		"PCCTL_NOW":       "2026-11-21T10:00:00Z",
		// The newest schema version, for expectations that name it: adding a
		// migration must not mean editing every script.
		"SCHEMA": strconv.Itoa(sqlite.LatestSchema),
	}
	// testscript builds the environment from scratch: COLUMNS, PCCTL_CONFIG, USER and the
	// rest of the caller's environment are not passed on.
	for k, v := range vars {
		env.Setenv(k, v)
	}
	return os.MkdirAll(vars["HOME"], 0o755)
}

// exitcode N PROG ARGS... runs PROG and requires exit code N.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode (give the exit code expected)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with code %d, want %d", args[1], got, want)
	}
}

// makecsv N SEED FILE [DIALECT] writes N generated customers.
func cmdMakeCSV(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: makecsv N SEED FILE [pcctl|partner-center]")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	seed, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	dialect := synth.DialectPcctl
	if len(args) == 4 {
		dialect, err = synth.ParseDialect(args[3])
		ts.Check(err)
	}
	f, err := os.Create(ts.MkAbs(args[2]))
	ts.Check(err)
	defer f.Close()
	ts.Check(synth.WriteCustomersCSV(f, seed, n, dialect))
	ts.Check(f.Close())
}

// randfile N FILE writes N pseudo-random bytes, the same on every run.
func cmdRandFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: randfile N FILE")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o644))
}

// sqlitedb FILE SQL... creates a SQLite file and runs each statement in it.
func cmdSQLiteDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: sqlitedb FILE SQL...")
	}
	if dsn := ts.Getenv("PCCTL_SCRIPT_DATABASE"); dsn != "" && ts.MkAbs(args[0]) == ts.Getenv("PCCTL_WORKSPACE") {
		// TestScriptsPostgres: the workspace is the script's database.
		sqlOnPostgres(ts, dsn, args[1:])
		return
	}
	db, err := sql.Open("sqlite", "file:"+ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	for _, stmt := range args[1:] {
		if _, err := db.Exec(stmt); err != nil {
			ts.Fatalf("sqlitedb: %s: %v", stmt, err)
		}
	}
	ts.Check(db.Close())
}

// capture VAR REGEXP sets $VAR to the first group of REGEXP in the last stdout.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: capture VAR REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("capture: no match for %q in stdout", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// writefile FILE TEXT writes TEXT, read as the body of a Go string literal, so that bytes a
// txtar archive cannot hold (CR, BOM, invalid UTF-8) are visible in the script.
func cmdWriteFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: writefile FILE TEXT")
	}
	text, err := strconv.Unquote(`"` + strings.ReplaceAll(args[1], `"`, `\"`) + `"`)
	if err != nil {
		ts.Fatalf("writefile: %q is not a Go string body: %v", args[1], err)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(text), 0o644))
}

// bom FILE puts a UTF-8 byte order mark before the text of FILE.
func cmdBOM(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: bom FILE")
	}
	name := ts.MkAbs(args[0])
	b, err := os.ReadFile(name)
	ts.Check(err)
	ts.Check(os.WriteFile(name, append([]byte("\xef\xbb\xbf"), b...), 0o644))
}

// cp1252 FILE re-encodes a UTF-8 text file as Windows-1252, as a spreadsheet on Windows
// saves CSV.
func cmdCP1252(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: cp1252 FILE")
	}
	name := ts.MkAbs(args[0])
	b, err := os.ReadFile(name)
	ts.Check(err)
	out, err := charmap.Windows1252.NewEncoder().Bytes(b)
	ts.Check(err)
	ts.Check(os.WriteFile(name, out, 0o644))
}

// utf16 FILE re-encodes a UTF-8 text file as UTF-16 little endian with a byte order mark,
// as Excel saves "Unicode text".
func cmdUTF16(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: utf16 FILE")
	}
	name := ts.MkAbs(args[0])
	b, err := os.ReadFile(name)
	ts.Check(err)
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u), byte(u>>8))
	}
	ts.Check(os.WriteFile(name, out, 0o644))
}

// repeat N FILE LINE appends N lines to FILE: LINE, read as the body of a Go string
// literal (as writefile reads it), with {n} replaced by the line's number, 1 to N.
func cmdRepeat(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: repeat N FILE LINE")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	line, err := strconv.Unquote(`"` + strings.ReplaceAll(args[2], `"`, `\"`) + `"`)
	if err != nil {
		ts.Fatalf("repeat: %q is not a Go string body: %v", args[2], err)
	}
	f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	ts.Check(err)
	w := bufio.NewWriter(f)
	for i := 1; i <= n; i++ {
		w.WriteString(strings.ReplaceAll(line, "{n}", strconv.Itoa(i)))
		w.WriteByte('\n')
	}
	ts.Check(w.Flush())
	ts.Check(f.Close())
}

// partner MPNID [NAME] makes MPNID an active indirect reseller (named NAME, by default
// "Reseller MPNID", at the address mpnMPNID@resellers.example) the way a user does: a
// partnership request, then its acceptance. Customers are added on behalf of active
// resellers only. stdout and stderr are those of 'reseller accept'.
func cmdPartner(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: partner MPNID [NAME]")
	}
	mpnID, name := args[0], "Reseller "+args[0]
	if len(args) == 2 {
		name = args[1]
	}
	if err := ts.Exec("pcctl", "reseller", "invite", "--email", "mpn"+mpnID+"@resellers.example", "--name", name,
		"--format", "json", "--fields", "token"); err != nil {
		ts.Fatalf("partner: reseller invite: %v", err)
	}
	var draft struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(ts.ReadFile("stdout")), &draft); err != nil || draft.Token == "" {
		ts.Fatalf("partner: no token in the output of reseller invite (%v)", err)
	}
	// "--": a token may start with a hyphen (base64url), and would be taken for a flag.
	if err := ts.Exec("pcctl", "reseller", "accept", "--mpn-id", mpnID, "--name", name, "--", draft.Token); err != nil {
		ts.Fatalf("partner: reseller accept: %v", err)
	}
}

// filemode MODE FILE requires FILE's permission bits to be MODE (octal, such as 0600).
func cmdFileMode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: filemode MODE FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	st, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if got := st.Mode().Perm(); got != os.FileMode(want) {
		ts.Fatalf("%s has mode %#o, want %#o", args[1], got, want)
	}
}
