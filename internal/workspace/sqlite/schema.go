package sqlite

// migrations are the schema versions, in order: migrations[i] takes a workspace from
// version i to i+1. A released migration is never edited; a change is a new one. The
// schema is described for users in docs/workspace.md: keep both in step.
var migrations = []string{
	// 1: customers, their search keys, and per-user flags, pins and accesses.
	`
CREATE TABLE customers (
  pk                  INTEGER PRIMARY KEY,
  id                  TEXT NOT NULL,
  company_name        TEXT NOT NULL,
  name_key            TEXT NOT NULL,
  domain              TEXT NOT NULL,
  country             TEXT NOT NULL DEFAULT '',
  reseller_mpn_id     TEXT NOT NULL DEFAULT '',
  relationship        TEXT NOT NULL DEFAULT 'reseller',
  created_at          TEXT NOT NULL,
  admin_account       TEXT NOT NULL DEFAULT '',
  admin_password_hash TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX customers_id ON customers(id);
CREATE UNIQUE INDEX customers_domain ON customers(domain);
CREATE INDEX customers_name ON customers(name_key);
CREATE INDEX customers_created ON customers(created_at);
CREATE INDEX customers_reseller ON customers(reseller_mpn_id) WHERE reseller_mpn_id <> '';

CREATE TABLE customer_search (
  prefix   TEXT NOT NULL,
  name_key TEXT NOT NULL,
  customer INTEGER NOT NULL,
  key      TEXT NOT NULL,
  PRIMARY KEY (prefix, name_key, customer, key)
) WITHOUT ROWID;

CREATE TABLE customer_flags (
  seq        INTEGER PRIMARY KEY,
  user       TEXT NOT NULL,
  customer   INTEGER NOT NULL REFERENCES customers(pk) ON DELETE CASCADE,
  flagged_at TEXT NOT NULL,
  UNIQUE (user, customer)
);
CREATE INDEX customer_flags_customer ON customer_flags(customer);

CREATE TABLE customer_pins (
  user      TEXT NOT NULL,
  customer  INTEGER NOT NULL REFERENCES customers(pk) ON DELETE CASCADE,
  pinned_at TEXT NOT NULL,
  PRIMARY KEY (user, customer)
);
CREATE INDEX customer_pins_customer ON customer_pins(customer);

CREATE TABLE customer_opens (
  user      TEXT NOT NULL,
  customer  INTEGER NOT NULL REFERENCES customers(pk) ON DELETE CASCADE,
  opened_at TEXT NOT NULL
);
CREATE INDEX customer_opens_user ON customer_opens(user, opened_at);
CREATE INDEX customer_opens_customer ON customer_opens(customer);
`,
	// 2: indirect resellers, their partnership requests, and subscriptions.
	`
CREATE TABLE resellers (
  mpn_id      TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  email       TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('active', 'removed')),
  invited_at  TEXT NOT NULL,
  accepted_at TEXT NOT NULL,
  removed_at  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX resellers_email ON resellers(email);

CREATE TABLE reseller_invitations (
  token       TEXT PRIMARY KEY,
  email       TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  accepted_at TEXT NOT NULL DEFAULT '',
  mpn_id      TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX reseller_invitations_email ON reseller_invitations(email, created_at);

CREATE TABLE subscriptions (
  pk              INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  customer        INTEGER NOT NULL REFERENCES customers(pk) ON DELETE CASCADE,
  offer           TEXT NOT NULL,
  quantity        INTEGER NOT NULL CHECK (quantity > 0),
  status          TEXT NOT NULL DEFAULT 'active',
  reseller_mpn_id TEXT NOT NULL DEFAULT '',
  support_contact TEXT NOT NULL DEFAULT '',
  term_end        TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL
);
CREATE INDEX subscriptions_customer ON subscriptions(customer);
CREATE INDEX subscriptions_reseller ON subscriptions(reseller_mpn_id) WHERE reseller_mpn_id <> '';
CREATE INDEX subscriptions_support ON subscriptions(support_contact) WHERE support_contact <> '';
CREATE INDEX subscriptions_term_end ON subscriptions(term_end) WHERE term_end <> '';
`,
	// 3: co-sell deals, the prospect organisations they may name, solutions, team, notes
	// and per-user favorites.
	`
CREATE TABLE organizations (
  pk         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  name_key   TEXT NOT NULL,
  country    TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (name_key, country)
);

CREATE TABLE deals (
  pk              INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  type            TEXT NOT NULL CHECK (type IN ('private', 'co-sell')),
  status          TEXT NOT NULL,
  substatus       TEXT NOT NULL,
  customer        INTEGER REFERENCES customers(pk),
  organization    INTEGER REFERENCES organizations(pk),
  value           TEXT NOT NULL,
  currency        TEXT NOT NULL,
  contact_name    TEXT NOT NULL DEFAULT '',
  contact_email   TEXT NOT NULL DEFAULT '',
  contact_phone   TEXT NOT NULL DEFAULT '',
  consent         INTEGER NOT NULL DEFAULT 0,
  seller_name     TEXT NOT NULL DEFAULT '',
  seller_email    TEXT NOT NULL DEFAULT '',
  seller_accepted INTEGER NOT NULL DEFAULT 0,
  iot_oem         INTEGER NOT NULL DEFAULT 0,
  close_date      TEXT NOT NULL DEFAULT '',
  status_reason   TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL DEFAULT '',
  version         INTEGER NOT NULL DEFAULT 1,
  CHECK ((customer IS NULL) <> (organization IS NULL))
);
CREATE INDEX deals_created ON deals(created_at);
CREATE INDEX deals_updated ON deals(updated_at);
CREATE INDEX deals_expiry ON deals(expires_at) WHERE status = 'New';
CREATE INDEX deals_customer ON deals(customer) WHERE customer IS NOT NULL;

CREATE TABLE deal_solutions (
  deal       INTEGER NOT NULL REFERENCES deals(pk) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  source     TEXT NOT NULL,
  id         TEXT NOT NULL,
  quantity   INTEGER NOT NULL DEFAULT 0,
  unit_price TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (deal, position)
);

CREATE TABLE deal_team (
  deal  INTEGER NOT NULL REFERENCES deals(pk) ON DELETE CASCADE,
  email TEXT NOT NULL,
  PRIMARY KEY (deal, email)
);

CREATE TABLE deal_notes (
  seq        INTEGER PRIMARY KEY,
  deal       INTEGER NOT NULL REFERENCES deals(pk) ON DELETE CASCADE,
  author     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  text       TEXT NOT NULL
);
CREATE INDEX deal_notes_deal ON deal_notes(deal, seq);

CREATE TABLE deal_favorites (
  user TEXT NOT NULL,
  deal INTEGER NOT NULL REFERENCES deals(pk) ON DELETE CASCADE,
  PRIMARY KEY (user, deal)
);
`,
	// 4: service requests, their notes and per-user favorites.
	`
CREATE TABLE service_requests (
  pk            INTEGER PRIMARY KEY,
  ref           TEXT NOT NULL UNIQUE CHECK (length(ref) = 15),
  customer      INTEGER NOT NULL REFERENCES customers(pk) ON DELETE CASCADE,
  title         TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  severity      TEXT NOT NULL CHECK (severity IN ('critical', 'moderate', 'minimal')),
  status        TEXT NOT NULL CHECK (status IN ('open', 'attention_needed', 'closed')),
  topic         TEXT NOT NULL DEFAULT '',
  contact_email TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  closed_at     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_requests_customer ON service_requests(customer, created_at);
CREATE INDEX service_requests_created ON service_requests(created_at);
CREATE INDEX service_requests_open ON service_requests(status) WHERE status <> 'closed';

CREATE TABLE request_notes (
  seq        INTEGER PRIMARY KEY,
  request    INTEGER NOT NULL REFERENCES service_requests(pk) ON DELETE CASCADE,
  author     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  text       TEXT NOT NULL
);
CREATE INDEX request_notes_request ON request_notes(request, seq);

CREATE TABLE request_favorites (
  user    TEXT NOT NULL,
  request INTEGER NOT NULL REFERENCES service_requests(pk) ON DELETE CASCADE,
  PRIMARY KEY (user, request)
);
`,
	// 5: the users of the workspace and their roles; deals gain the engagement ID Partner
	// Center gives every referral, and the fingerprint of the PSC row they were imported
	// from (a re-import of the same row changes nothing).
	`
CREATE TABLE users (
  email      TEXT PRIMARY KEY,
  name       TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE user_roles (
  email TEXT NOT NULL REFERENCES users(email) ON DELETE CASCADE,
  role  TEXT NOT NULL CHECK (role IN ('global-admin', 'user-admin', 'admin-agent', 'sales-agent',
                                      'helpdesk-agent', 'account-admin', 'referrals-admin')),
  PRIMARY KEY (email, role)
) WITHOUT ROWID;

ALTER TABLE deals ADD COLUMN engagement_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deals ADD COLUMN psc_fingerprint TEXT NOT NULL DEFAULT '';
UPDATE deals SET engagement_id = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
  substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) ||
  substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
`,
	// 6: access tokens (for a pcctl server; only a hash of each is kept) and the audit log
	// of every change, which pcctl never changes (triggers refuse it).
	`
CREATE TABLE tokens (
  id           TEXT PRIMARY KEY,
  email        TEXT NOT NULL REFERENCES users(email) ON DELETE CASCADE,
  name         TEXT NOT NULL DEFAULT '',
  secret_hash  TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL,
  expires_at   TEXT NOT NULL DEFAULT '',
  revoked_at   TEXT NOT NULL DEFAULT '',
  last_used_at TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX tokens_email ON tokens(email);

CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  user      TEXT NOT NULL,
  action    TEXT NOT NULL,
  entity    TEXT NOT NULL,
  entity_id TEXT NOT NULL DEFAULT '',
  before    TEXT NOT NULL DEFAULT '',
  after     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit records cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit records cannot be deleted'); END;
`,
	// customer relationships (003, 004): the customer's permission to buy its own
	// products, and the requests for a reseller relationship, each a single-use link.
	// (The relationship itself is customers.relationship: "none" once it ended.)
	`
ALTER TABLE customers ADD COLUMN purchases_allowed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customers_ended ON customers(name_key) WHERE relationship = 'none';

CREATE TABLE relationship_requests (
  token           TEXT PRIMARY KEY,
  customer        INTEGER NOT NULL REFERENCES customers(pk) ON DELETE CASCADE,
  reseller_mpn_id TEXT NOT NULL DEFAULT '',
  email           TEXT NOT NULL DEFAULT '',
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  accepted_at     TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX relationship_requests_customer ON relationship_requests(customer, created_at);
CREATE INDEX relationship_requests_pending ON relationship_requests(created_at) WHERE accepted_at = '';
`,
	// 8: who acts through an access token: the token's creator, and the token and its
	// creator in every audit record (the grant rule of docs/api/admin.md).
	`
ALTER TABLE tokens ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN token_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN token_created_by TEXT NOT NULL DEFAULT '';
`,
	// 9 (issue 17): the sync from Partner Center. sync_link is the partner tenant the
	// workspace is linked to; sync_passes each kind's pass under way (its resume point and
	// counts) and when the last one ended; sync_seen the IDs a pass under way has seen.
	// pc_fingerprint is a hash of the fields Partner Center owns as last synced ('' for a
	// record that never came from Partner Center); a customer no longer there is ended.
	`
CREATE TABLE sync_link (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  tenant      TEXT NOT NULL,
  tenant_name TEXT NOT NULL DEFAULT '',
  linked_at   TEXT NOT NULL
);
CREATE TABLE sync_passes (
  kind       TEXT PRIMARY KEY,
  started_at TEXT NOT NULL DEFAULT '',
  resume     TEXT NOT NULL DEFAULT '',
  counts     TEXT NOT NULL DEFAULT '{}',
  active     INTEGER NOT NULL DEFAULT 0,
  last_at    TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE sync_seen (
  kind TEXT NOT NULL,
  id   TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
ALTER TABLE customers ADD COLUMN pc_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN ended_at TEXT NOT NULL DEFAULT '';
ALTER TABLE resellers ADD COLUMN pc_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE subscriptions ADD COLUMN pc_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE deals ADD COLUMN pc_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE service_requests ADD COLUMN pc_fingerprint TEXT NOT NULL DEFAULT '';
`,
	// 10 (issue 18): pcctl deal publish. deal_publications is each deal's publishing state
	// to Partner Center: the intent ('sending', written before the referral is sent), then
	// 'published' with Partner Center's referral ID and ETag, or 'refused' with its error.
	`
CREATE TABLE deal_publications (
  deal          INTEGER PRIMARY KEY REFERENCES deals(pk) ON DELETE CASCADE,
  state         TEXT NOT NULL CHECK (state IN ('sending', 'published', 'refused')),
  referral_id   TEXT NOT NULL DEFAULT '',
  engagement_id TEXT NOT NULL DEFAULT '',
  etag          TEXT NOT NULL DEFAULT '',
  error         TEXT NOT NULL DEFAULT '',
  at            TEXT NOT NULL
);
`,
	// 11 (issue 17): a re-sync that costs little per unchanged customer. customers_sync
	// holds what a re-sync compares (an unchanged customer is one index entry). Partner
	// Center's customer pages come in ID order (seek paging): a pass reading them so keeps
	// sync_passes.covered, the ID up to which it has accounted for every customer, and
	// sync_missing, the customers held in that range it did not see, instead of a row of
	// sync_seen per customer; ordered = 0 once a page came out of order (sync_seen then).
	`
CREATE INDEX customers_sync ON customers(id, pc_fingerprint, ended_at);
ALTER TABLE sync_passes ADD COLUMN covered TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_passes ADD COLUMN ordered INTEGER NOT NULL DEFAULT 1;
CREATE TABLE sync_missing (
  kind TEXT NOT NULL,
  id   TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
`,
}

// applicationID marks a SQLite file as a pcctl workspace (PRAGMA application_id): "PCCT".
const applicationID = 0x50434354

// dealIndexes are the secondary indexes of deals that a large PSC import drops and builds
// again at the end (as customerIndexes for a bulk customer import). Keep in step with
// migration 3. (deals_expiry holds only New deals, which an import never writes.)
var dealIndexes = []struct{ name, create string }{
	{"deals_created", "CREATE INDEX deals_created ON deals(created_at)"},
	{"deals_updated", "CREATE INDEX deals_updated ON deals(updated_at)"},
	{"deals_customer", "CREATE INDEX deals_customer ON deals(customer) WHERE customer IS NOT NULL"},
}

// customerIndexes are the secondary indexes of customers, dropped and rebuilt around a
// bulk import into an empty workspace (building an index from sorted data
// is several times faster than growing it row by row). Keep in step with migration 1.
var customerIndexes = []struct{ name, create string }{
	{"customers_id", "CREATE UNIQUE INDEX customers_id ON customers(id)"},
	{"customers_domain", "CREATE UNIQUE INDEX customers_domain ON customers(domain)"},
	{"customers_name", "CREATE INDEX customers_name ON customers(name_key)"},
	{"customers_created", "CREATE INDEX customers_created ON customers(created_at)"},
	{"customers_reseller", "CREATE INDEX customers_reseller ON customers(reseller_mpn_id) WHERE reseller_mpn_id <> ''"},
	{"customers_sync", "CREATE INDEX customers_sync ON customers(id, pc_fingerprint, ended_at)"}, // migration 11
}
