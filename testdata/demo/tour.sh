#!/usr/bin/env bash
# The tour `make demo` runs: real pcctl commands on a fresh demo workspace, each printed
# before it runs. Run it through `make demo`, which builds pcctl and empties DEMO_DIR first.
#
#   PCCTL_BIN  folder holding the pcctl to use (put first on PATH)
#   DEMO_DIR   empty folder for the demo workspace and the exported file
set -euo pipefail

: "${PCCTL_BIN:?set PCCTL_BIN to the folder holding pcctl (run make demo)}"
: "${DEMO_DIR:?set DEMO_DIR to an empty folder (run make demo)}"

export PATH="$PCCTL_BIN:$PATH"
export PCCTL_WORKSPACE="$DEMO_DIR/workspace.db"
export PCCTL_USER="demo@contoso.example"
export PCCTL_CONFIG="$DEMO_DIR/config.yaml" # absent: your own config file plays no part
data=testdata/demo

# say prints a comment line; run prints a command and runs it; fails runs a command that
# must fail with the given exit code and prints that code.
say() { printf '\n# %s\n' "$*"; }
run() { printf '$ %s\n' "$1"; eval "$1"; }
fails() {
	local want=$1 rc=0
	printf '$ %s\n' "$2"
	eval "$2" || rc=$?
	echo "(exit code $rc)"
	if [[ $rc -ne $want ]]; then
		echo "demo: expected exit code $want" >&2
		exit 1
	fi
}

echo "pcctl demo: workspace $PCCTL_WORKSPACE, user $PCCTL_USER"

say "A fresh workspace: pcctl creates the SQLite file on first use and migrates its schema."
run "pcctl --version"
run "pcctl workspace migrate"
run "pcctl workspace info"

say "Import 150 synthetic customers, then Partner Center's own export (BOM, semicolons, CRLF)."
run "pcctl customers import $data/customers.csv"
run "pcctl customers import $data/partner-center-export.csv"
say "Importing the same file again changes nothing."
run "pcctl customers import $data/customers.csv --format csv"

say "With 100 customers or more, list shows your flagged ones by default (none yet)."
run "pcctl customers list"

say "Search ignores case and accents, and matches the start of any word of the name..."
run "pcctl customers search societe ger"
say "...or the start of the domain."
run "pcctl customers search SOCIETEG"

say "The full record; opening a customer counts towards your recent view."
run "pcctl customers show societegerardleveque.onmicrosoft.com"

say "Flag two customers (at most 30 per user), list them, pin one."
run "pcctl customers flag societegerardleveque.onmicrosoft.com compagnierobel.fr"
run "pcctl customers list --view flagged --fields companyName,domain,flaggedAt"
run "pcctl customers pin compagnierobel.fr"

say "Export for scripts and spreadsheets: JSON to a pipe, CSV to a file (written atomically)."
run "pcctl customers export --format json | head -n 3"
run "pcctl customers export --format csv -o $DEMO_DIR/customers.csv"
run "head -n 3 $DEMO_DIR/customers.csv"

say "Indirect resellers: a partnership request (pcctl sends no email: it prints the draft)..."
run "pcctl reseller invite --email sales@fabrikam.example --name 'Fabrikam Partners'"
say "...accepted with the token of its link, then a customer and a subscription on its behalf."
token=$(pcctl reseller invite --email sales@fabrikam.example --format json --fields token 2>/dev/null | sed 's/.*"token":"\([^"]*\)".*/\1/')
run "pcctl reseller accept $token --mpn-id 4847383 --name 'Fabrikam Partners'"
run "pcctl customers add --name 'Tailwind Traders' --domain tailwindtraders.example --country US --reseller 4847383 --fields companyName,adminAccount"
run "pcctl subscription add --customer tailwindtraders.example --offer 'Microsoft 365 E3' --quantity 25 --reseller 4847383 --fields offer,quantity,resellerMpnId"
run "pcctl reseller show 4847383 --fields mpnId,name,status"
say "Removing the partnership asks for confirmation (--yes here); customers and subscriptions stay."
run "pcctl reseller remove 4847383 --yes"
run "pcctl subscription list --fields customerName,offer,resellerMpnId"

say "Migration from Partner Sales Connect: a French spreadsheet's export (Windows-1252, semicolons, 12 345,67 €, DD/MM/YYYY), checked first with --dry-run: nothing is written."
run "pcctl deal import --psc $data/psc-opportunities.csv --dry-run --on-error skip --fields read,imported,skipped,failed"
say "Then imported: names resolve ignoring case, accents and legal suffixes; prospects are created; closed-as-duplicate is reported, never imported."
run "pcctl deal import --psc $data/psc-opportunities.csv --create-missing-orgs --report $DEMO_DIR/migration.csv --fields read,imported,skipped,failed,orgsCreated"
run "head -n 4 $DEMO_DIR/migration.csv"
run "pcctl deal list --fields id,name,customerName,status,substatus,dealValue,currency | head -n 5"
say "Running it again changes nothing."
run "pcctl deal import --psc $data/psc-opportunities.csv --create-missing-orgs --format json --fields read,imported,unchanged"
say "PSC users: Admin becomes account-admin, Deal Manager and Seller referrals-admin; consumer and other companies' addresses need a work account."
run "pcctl user import --psc $data/psc-users.csv --partner-domain fabrikam-partner.com --on-error skip"
run "pcctl user list"

say "Sharing the workspace with a team: an administrator and an access token (printed once), then pcctl serve."
run "pcctl user add admin@contoso.example --role global-admin --name 'Demo Admin'"
run "pcctl user add desk@contoso.example --role helpdesk-agent"
admin_token=$(pcctl token create --user admin@contoso.example --name demo 2>/dev/null)
desk_token=$(pcctl token create --user desk@contoso.example --name demo 2>/dev/null)
printf '$ pcctl serve --addr 127.0.0.1:0 &\n'
pcctl serve --addr 127.0.0.1:0 2>"$DEMO_DIR/serve.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
endpoint=
for _ in $(seq 100); do
	endpoint=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$DEMO_DIR/serve.log" | head -n 1 || true)
	[[ -n $endpoint ]] && break
	sleep 0.1
done
[[ -n $endpoint ]] || { echo "demo: pcctl serve did not start:" >&2; cat "$DEMO_DIR/serve.log" >&2; exit 1; }
say "Anyone else points pcctl at it (PCCTL_ENDPOINT, PCCTL_TOKEN): the same commands, the same output."
run "PCCTL_ENDPOINT=$endpoint PCCTL_TOKEN=\$admin_token pcctl customers search robel"
run "PCCTL_ENDPOINT=$endpoint PCCTL_TOKEN=\$admin_token pcctl workspace info --fields kind,user,customers"
say "The server applies the roles: a helpdesk agent reads customers but may not flag them (exit code 5)."
fails 5 "PCCTL_ENDPOINT=$endpoint PCCTL_TOKEN=\$desk_token pcctl customers flag compagnierobel.fr"
say "Every change, local or through the server, is in the audit log."
run "PCCTL_ENDPOINT=$endpoint PCCTL_TOKEN=\$admin_token pcctl audit list --limit 3 --fields user,action,entityId"
kill -INT "$server"
wait "$server" || true
trap - EXIT
say "The server's access log: one line per request (the route, never a token); stopped gracefully."
run "tail -n 2 $DEMO_DIR/serve.log"

say "Bad input gives one clean error line and a documented exit code (pcctl help exit-codes)."
fails 1 "pcctl customers import $data/bad.csv"
fails 3 "pcctl customers show nosuch.example.com"
fails 2 "pcctl customers list --format xml"

say "Nothing of bad.csv was written: still 163 customers (162 imported, 1 added)."
run "pcctl workspace info --fields customers,flagged,pinned"

printf '\nDone. Explore further with:\n  PCCTL_WORKSPACE=%s %s/pcctl customers --help\n' "$(cd "$DEMO_DIR" && pwd)/workspace.db" "$PCCTL_BIN"
